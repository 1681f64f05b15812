package dev.tokenguard;

import static dev.tokenguard.DpopFixture.METHOD;
import static dev.tokenguard.DpopFixture.URI_;
import static dev.tokenguard.DpopFixture.reasonFor;
import static dev.tokenguard.DpopFixture.refusal;
import static dev.tokenguard.DpopFixture.request;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_DPOP_PROOF;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_TYPE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.testing.TestKey;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 9449 section 4.3 checks 4 to 7 and sections 11.5 and 11.6: {@code typ} is {@code dpop+jwt};
 * {@code alg} is an allowed asymmetric algorithm, never {@code none} or a MAC; the signature
 * verifies with the header's {@code jwk}, which is public and acceptable to the key policy.
 */
class DpopProofHeaderTest {
  private static final DpopFixture F = new DpopFixture();
  private static final AccessTokenVerifier VERIFIER = F.verifier();
  private static final TestKey RSA = TestKey.rsa(2048);
  private static final TestKey ED25519 = TestKey.ed25519();

  @AfterAll
  static void stop() {
    F.close();
  }

  // Check 4 and section 11.5 (signed JWT swapping).
  @ParameterizedTest
  @ValueSource(strings = {"JWT", "at+jwt", "application/at+jwt", "dpop", "dpop+jwt ", "jwt+dpop"})
  void refusesAnotherTyp(String typ) {
    String token = F.boundToken();
    TokenVerificationException e = refusal(VERIFIER, request(token, F.proof(token).type(typ).sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("typ");
  }

  @Test
  void refusesAProofWithoutTyp() {
    String token = F.boundToken();
    assertThat(refusal(VERIFIER, request(token, F.proof(token).type(null).sign())).getMessage()).contains("typ is missing");
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).header("typ", 1).sign()))).isEqualTo(INVALID_DPOP_PROOF);
  }

  // RFC 7515 section 4.1.9: typ is a media type, compared case-insensitively, "application/" optional.
  @ParameterizedTest
  @ValueSource(strings = {"dpop+jwt", "application/dpop+jwt", "DPoP+JWT"})
  void acceptsTypAsAMediaType(String typ) {
    String token = F.boundToken();
    assertThat(VERIFIER.verify(request(token, F.proof(token).type(typ).sign()))).isNotNull();
  }

  // Section 11.5: an access token (another JWT of the same client) is not a proof.
  @Test
  void refusesAnAccessTokenPresentedAsTheProof() {
    String token = F.boundToken();
    String otherJwt = F.issuer.accessToken().signedWith(F.holder).sign();
    assertThat(reasonFor(VERIFIER, request(token, otherJwt))).isEqualTo(INVALID_DPOP_PROOF);
  }

  // The other way round: a proof is refused as an access token by its typ (or its alg).
  @Test
  void refusesAProofPresentedAsTheAccessToken() {
    String token = F.boundToken();
    AccessTokenVerifier es256 = F.issuer.verifierBuilder().algorithms(Algorithm.RS256, Algorithm.ES256).build();
    String proof = F.proof(token).claim("iss", F.issuer.issuer()).claim("aud", F.issuer.audience()).sign();
    assertThat(reasonFor(es256, TokenRequest.bearer(proof))).isIn(WRONG_TYPE, TokenVerificationException.Reason.UNKNOWN_KEY);
  }

  // Check 5 and section 11.6.
  @Test
  void refusesAlgNoneAndHmac() {
    String token = F.boundToken();
    assertThat(refusal(VERIFIER, request(token, F.proof(token).algNone().sign())).getMessage()).contains("never accepted");
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).hs256().sign()))).isEqualTo(INVALID_DPOP_PROOF);
    for (String none : new String[] {"None", "NONE", "nOnE"}) {
      assertThat(reasonFor(VERIFIER, request(token, F.proof(token).algNone().algorithm(none).sign()))).isEqualTo(INVALID_DPOP_PROOF);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"es256", "ES256 ", "RS384", "ES384", "HS512", "Ed448"})
  void refusesAnAlgOutsideTheAllowList(String alg) {
    String token = F.boundToken();
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).algorithm(alg).sign()))).isEqualTo(INVALID_DPOP_PROOF);
  }

  @Test
  void acceptsTheDefaultAlgorithmsWithTheirKeys() {
    for (TestKey holder : new TestKey[] {F.holder, RSA, ED25519}) {
      String token = F.issuer.accessToken().dpopBound(holder).sign();
      assertThat(VERIFIER.verify(request(token, F.issuer.dpopProof(holder, METHOD, URI_).accessToken(token).sign())))
          .as(holder.thumbprint()).isNotNull();
    }
    String token = F.issuer.accessToken().dpopBound(RSA).sign();
    assertThat(VERIFIER.verify(request(token, F.issuer.dpopProof(RSA, METHOD, URI_).accessToken(token).algorithm("PS256").sign())))
        .isNotNull();
  }

  @Test
  void theAllowListIsTheConfiguredOne() {
    AccessTokenVerifier esOnly = F.verifier(DpopPolicy.defaults().withAlgorithms(Algorithm.ES256));
    String rsaToken = F.issuer.accessToken().dpopBound(RSA).sign();
    assertThat(reasonFor(esOnly, request(rsaToken, F.issuer.dpopProof(RSA, METHOD, URI_).accessToken(rsaToken).sign())))
        .isEqualTo(INVALID_DPOP_PROOF);
    String token = F.boundToken();
    assertThat(esOnly.verify(request(token, F.proof(token).sign()))).isNotNull();
  }

  // Section 4.2: the jwk is required.
  @Test
  void refusesAProofWithoutJwk() {
    String token = F.boundToken();
    assertThat(refusal(VERIFIER, request(token, F.proof(token).withoutJwk().sign())).getMessage()).contains("no jwk");
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).header("jwk", "x").sign()))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).header("jwk", Map.of("kty", "EC")).sign())))
        .isEqualTo(INVALID_DPOP_PROOF);
  }

  // Check 7.
  @Test
  void refusesAJwkWithPrivateParts() {
    String token = F.boundToken();
    TokenVerificationException e = refusal(VERIFIER, request(token, F.proof(token).withPrivateJwk().sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("private");
    String rsaToken = F.issuer.accessToken().dpopBound(RSA).sign();
    assertThat(refusal(VERIFIER, request(rsaToken, F.issuer.dpopProof(RSA, METHOD, URI_).accessToken(rsaToken)
        .withPrivateJwk().sign())).getMessage()).contains("private");
  }

  // Check 5 "acceptable per local policy" for the key: RSA of at least 2048 bits (RFC 7518 3.3).
  @Test
  void refusesAWeakOrSymmetricJwk() {
    TestKey weak = TestKey.rsa(1024);
    String token = F.issuer.accessToken().dpopBound(weak).sign();
    assertThat(refusal(VERIFIER, request(token, F.issuer.dpopProof(weak, METHOD, URI_).accessToken(token).sign())).getMessage())
        .contains("bits");
    String bound = F.boundToken();
    assertThat(reasonFor(VERIFIER, request(bound, F.proof(bound).header("jwk", Map.of("kty", "oct", "k", "c2VjcmV0")).sign())))
        .isEqualTo(INVALID_DPOP_PROOF);
  }

  @Test
  void refusesAJwkThatCannotMakeTheAlgsSignatures() {
    String token = F.boundToken();
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).algorithm("RS256").sign()))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).algorithm("EdDSA").sign()))).isEqualTo(INVALID_DPOP_PROOF);
  }

  // Check 6.
  @Test
  void refusesASignatureThatDoesNotVerifyWithTheJwk() {
    String token = F.boundToken();
    TokenVerificationException e = refusal(VERIFIER, request(token, F.proof(token).tamperedSignature().sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("signature");
    // The jwk names the key the token is bound to, but another key signed: the binding alone is not enough.
    TestKey other = TestKey.ecP256();
    String boundToOther = F.issuer.accessToken().dpopBound(other).sign();
    assertThat(reasonFor(VERIFIER, request(boundToOther, F.proof(boundToOther).jwkOf(other).sign()))).isEqualTo(INVALID_DPOP_PROOF);
  }

  // CVE-2022-21449 (psychic signatures): r = s = 0.
  @Test
  void refusesAnAllZeroEcdsaSignature() {
    String token = F.boundToken();
    String[] parts = F.proof(token).sign().split("\\.");
    String zero = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);
    assertThat(reasonFor(VERIFIER, request(token, parts[0] + "." + parts[1] + "." + zero))).isEqualTo(INVALID_DPOP_PROOF);
  }

  @ParameterizedTest
  @ValueSource(strings = {"crit", "b64", "cty", "zip", "enc"})
  void refusesHeaderParametersNoProofUses(String name) {
    String token = F.boundToken();
    Object value = name.equals("crit") ? java.util.List.of("exp") : name.equals("b64") ? Boolean.FALSE : "x";
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).header(name, value).sign()))).isEqualTo(INVALID_DPOP_PROOF);
  }

  @Test
  void ignoresAKidInTheProof() {
    String token = F.boundToken();
    assertThat(VERIFIER.verify(request(token, F.proof(token).header("kid", "whatever").sign()))).isNotNull();
  }
}
