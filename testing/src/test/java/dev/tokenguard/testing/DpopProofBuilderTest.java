package dev.tokenguard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The fixture's DPoP proofs and sender-constrained tokens have the shapes RFC 9449 and RFC 8705 give them. */
class DpopProofBuilderTest {
  private static final TestClock CLOCK = TestClock.at(Instant.parse("2026-01-01T00:00:00Z"));
  private static final FakeIssuer ISSUER = FakeIssuer.builder().clock(CLOCK).start();
  private static final TestKey HOLDER = TestKey.ecP256();
  private static final URI URI_ = URI.create("https://api.example.test/patients?page=2#top");

  @AfterAll
  static void stop() {
    ISSUER.close();
  }

  @Test
  void aProofIsValidForItsRequestByDefault() throws Exception {
    String token = ISSUER.accessToken().dpopBound(HOLDER).sign();
    JWSObject proof = JWSObject.parse(ISSUER.dpopProof(HOLDER, "GET", URI_).accessToken(token).sign());
    assertThat(proof.getHeader().getType().toString()).isEqualTo("dpop+jwt");
    assertThat(proof.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
    JWK jwk = proof.getHeader().getJWK();
    assertThat(jwk.isPrivate()).isFalse();
    assertThat(jwk.computeThumbprint().toString()).isEqualTo(HOLDER.thumbprint());
    assertThat(proof.verify(new ECDSAVerifier((ECKey) jwk))).isTrue();
    Map<String, Object> claims = proof.getPayload().toJSONObject();
    assertThat(claims).containsEntry("htm", "GET").containsEntry("htu", "https://api.example.test/patients")
        .containsEntry("iat", CLOCK.instant().getEpochSecond());
    assertThat((String) claims.get("jti")).hasSizeGreaterThanOrEqualTo(22);
    String ath = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
    assertThat(claims).containsEntry("ath", ath);
  }

  @Test
  void aBoundTokenNamesTheHolderKeyAndTheCertificate() throws Exception {
    TestKey client = TestKey.rsa(2048);
    String token = ISSUER.accessToken().dpopBound(HOLDER).certificateBound(client.certificate()).sign();
    @SuppressWarnings("unchecked")
    Map<String, Object> cnf = (Map<String, Object>) JWSObject.parse(token).getPayload().toJSONObject().get("cnf");
    String x5t = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(MessageDigest.getInstance("SHA-256").digest(client.certificate().getEncoded()));
    assertThat(cnf).containsEntry("jkt", HOLDER.thumbprint()).containsEntry("x5t#S256", x5t).hasSize(2);
  }

  @Test
  void theBrokenKindsAreBrokenTheWayTheySay() throws Exception {
    DpopProofBuilder base = ISSUER.dpopProof(HOLDER, "GET", URI_);
    assertThat(JWSObject.parse(base.sign()).getPayload().toJSONObject().get("jti"))
        .as("sign() twice keeps the jti: a replay").isEqualTo(JWSObject.parse(base.sign()).getPayload().toJSONObject().get("jti"));
    assertThat(ISSUER.dpopProof(HOLDER, "GET", URI_).algNone().sign()).endsWith(".");
    assertThat(header(ISSUER.dpopProof(HOLDER, "GET", URI_).hs256().sign())).contains("\"alg\":\"HS256\"");
    assertThat(header(ISSUER.dpopProof(HOLDER, "GET", URI_).type(null).sign())).doesNotContain("typ");
    assertThat(header(ISSUER.dpopProof(HOLDER, "GET", URI_).withPrivateJwk().sign())).contains("\"d\":");
    assertThat(header(ISSUER.dpopProof(HOLDER, "GET", URI_).withoutJwk().sign())).doesNotContain("jwk");
    JWSObject tampered = JWSObject.parse(ISSUER.dpopProof(HOLDER, "GET", URI_).tamperedSignature().sign());
    assertThat(tampered.verify(new ECDSAVerifier((ECKey) tampered.getHeader().getJWK()))).isFalse();
    assertThat(JWSObject.parse(ISSUER.dpopProof(HOLDER, "GET", URI_).nonce("n-1").htm("get").sign()).getPayload().toJSONObject())
        .containsEntry("nonce", "n-1").containsEntry("htm", "get");
  }

  @Test
  void rsaAndEd25519HoldersSignTheirAlgorithms() throws Exception {
    TestKey rsa = TestKey.rsa(2048);
    assertThat(JWSObject.parse(ISSUER.dpopProof(rsa, "GET", URI_).sign()).getHeader().getAlgorithm().getName()).isEqualTo("RS256");
    assertThat(JWSObject.parse(ISSUER.dpopProof(rsa, "GET", URI_).algorithm("PS256").sign()).getHeader().getAlgorithm().getName())
        .isEqualTo("PS256");
    assertThat(header(ISSUER.dpopProof(TestKey.ed25519(), "GET", URI_).sign())).contains("\"alg\":\"EdDSA\"", "\"crv\":\"Ed25519\"")
        .doesNotContain("\"d\":");
  }

  private static String header(String compact) {
    return new String(Base64.getUrlDecoder().decode(compact.substring(0, compact.indexOf('.'))), StandardCharsets.UTF_8);
  }
}
