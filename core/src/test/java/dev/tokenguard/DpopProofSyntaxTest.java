package dev.tokenguard;

import static dev.tokenguard.DpopFixture.reasonFor;
import static dev.tokenguard.DpopFixture.refusal;
import static dev.tokenguard.DpopFixture.request;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_DPOP_PROOF;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 9449 section 4.3 checks 1 to 3: one proof (a folded second header is not one JWT), a single
 * well-formed JWT, and every claim section 4.2 requires; with the size bounds checked before any
 * parsing. Refusals are INVALID_DPOP_PROOF.
 */
class DpopProofSyntaxTest {
  private static final DpopFixture F = new DpopFixture();
  private static final AccessTokenVerifier VERIFIER = F.verifier();

  @AfterAll
  static void stop() {
    F.close();
  }

  @Test
  void acceptsAValidProofForItsBoundToken() {
    String token = F.boundToken();
    AccessToken accepted = VERIFIER.verify(request(token, F.proof(token).sign()));
    assertThat(accepted.isSenderConstrained()).isTrue();
    assertThat(accepted.dpopKeyThumbprint()).contains(F.holder.thumbprint());
    assertThat(accepted.certificateThumbprint()).isEmpty();
  }

  // RFC 9449 section 7.1: with the DPoP scheme a proof is required.
  @Test
  void refusesTheDpopSchemeWithoutAProof() {
    TokenVerificationException e = refusal(VERIFIER, request(F.boundToken(), null));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.errorCode()).isEqualTo("invalid_dpop_proof");
    assertThat(e.httpStatus()).isEqualTo(401);
    assertThat(e.getMessage()).contains("no DPoP proof");
  }

  // Check 1: a proxy folding two DPoP header lines into one value makes it two JWTs, not one.
  @Test
  void refusesTwoProofsFoldedIntoOneValue() {
    String token = F.boundToken();
    String proof = F.proof(token).sign();
    assertThat(reasonFor(VERIFIER, request(token, proof + ", " + F.proof(token).sign()))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(VERIFIER, request(token, proof + "," + proof))).isEqualTo(INVALID_DPOP_PROOF);
  }

  // Check 2: a single well-formed JWT, in the strict compact grammar.
  @ParameterizedTest
  @ValueSource(strings = {"", "opaque-proof", "a.b", "a.b.c.d.e", "{\"protected\":\"x\"}", "a..c"})
  void refusesAValueThatIsNotACompactJws(String proof) {
    assertThat(reasonFor(VERIFIER, request(F.boundToken(), proof))).isEqualTo(INVALID_DPOP_PROOF);
  }

  @Test
  void refusesNonCanonicalBase64InAnOtherwiseValidProof() {
    String token = F.boundToken();
    String proof = F.proof(token).sign();
    assertThat(reasonFor(VERIFIER, request(token, proof + "="))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(VERIFIER, request(token, " " + proof))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(VERIFIER, request(token, proof.substring(0, proof.length() - 1) + "+"))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(VERIFIER, request(token, proof.substring(0, 10) + "\n" + proof.substring(10)))).isEqualTo(INVALID_DPOP_PROOF);
  }

  @Test
  void boundsTheProofSizeBeforeParsingIt() {
    String token = F.boundToken();
    String padded = F.proof(token).claim("pad", "x".repeat(DpopProofCheck.MAX_PROOF_CHARS)).sign();
    TokenVerificationException e = refusal(VERIFIER, request(token, padded));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("more than the limit of " + DpopProofCheck.MAX_PROOF_CHARS);
    // The same size limit refuses a value that is not even a JWT, before any grammar check.
    String huge = "a".repeat(DpopProofCheck.MAX_PROOF_CHARS + 1);
    assertThat(refusal(VERIFIER, request(token, huge)).getMessage()).contains("more than the limit");
  }

  // Check 3: every claim section 4.2 requires, ath included with an access token (section 7).
  @ParameterizedTest
  @ValueSource(strings = {"jti", "htm", "htu", "iat", "ath"})
  void refusesAProofLackingARequiredClaim(String claim) {
    String token = F.boundToken();
    TokenVerificationException e = refusal(VERIFIER, request(token, F.proof(token).withoutClaim(claim).sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("lacks the claim " + claim);
  }

  @ParameterizedTest
  @ValueSource(strings = {"jti", "htm", "htu", "ath"})
  void refusesAStringClaimOfAnotherType(String claim) {
    String token = F.boundToken();
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).claim(claim, 42).sign()))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).claim(claim, null).sign()))).isEqualTo(INVALID_DPOP_PROOF);
  }

  @Test
  void refusesAnIatThatIsNotANumericDate() {
    String token = F.boundToken();
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).claim("iat", "1767225600").sign())))
        .isEqualTo(INVALID_DPOP_PROOF);
  }

  // Section 11.1: "reject DPoP proof JWTs with unnecessarily large jti values".
  @Test
  void boundsTheJti() {
    String token = F.boundToken();
    assertThat(VERIFIER.verify(request(token, F.proof(token).jti("j".repeat(DpopProofCheck.MAX_JTI_CHARS)).sign())))
        .isNotNull();
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).jti("j".repeat(DpopProofCheck.MAX_JTI_CHARS + 1)).sign())))
        .isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).jti("").sign()))).isEqualTo(INVALID_DPOP_PROOF);
  }

  @Test
  void refusesDuplicateClaimsInTheProof() {
    String token = F.boundToken();
    String proof = F.proof(token).sign();
    String[] parts = proof.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8);
    String duplicated = payload.replaceFirst("\\{", "{\"htm\":\"DELETE\",");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(duplicated.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
    assertThat(reasonFor(VERIFIER, request(token, forged))).isEqualTo(INVALID_DPOP_PROOF);
  }
}
