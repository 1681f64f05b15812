package dev.tokenguard;

import static dev.tokenguard.DpopFixture.reasonFor;
import static dev.tokenguard.DpopFixture.refusal;
import static dev.tokenguard.DpopFixture.request;
import static dev.tokenguard.TokenVerificationException.Reason.BINDING_MISMATCH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.testing.TestKey;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 8705 section 3: a token bound to a client certificate ({@code cnf["x5t#S256"]} =
 * base64url(SHA-256(DER)), section 3.1) is accepted only from a request whose TLS client
 * certificate is that one; otherwise 401 {@code invalid_token}. With either scheme, and together
 * with a DPoP binding.
 */
class CertificateBoundTokenTest {
  private static final DpopFixture F = new DpopFixture();
  private static final AccessTokenVerifier VERIFIER = F.verifier();
  private static final TestKey CLIENT = TestKey.ecP256();
  private static final X509Certificate CERTIFICATE = CLIENT.certificate();

  @AfterAll
  static void stop() {
    F.close();
  }

  @Test
  void acceptsTheTokenWithItsCertificate() throws Exception {
    String token = F.issuer.accessToken().certificateBound(CERTIFICATE).sign();
    AccessToken accepted = VERIFIER.verify(TokenRequest.bearer(token).withClientCertificate(CERTIFICATE));
    String expected = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(MessageDigest.getInstance("SHA-256").digest(CERTIFICATE.getEncoded()));
    assertThat(accepted.certificateThumbprint()).contains(expected);
    assertThat(accepted.isSenderConstrained()).isTrue();
    assertThat(accepted.dpopKeyThumbprint()).isEmpty();
  }

  @Test
  void refusesTheTokenWithoutACertificate() {
    String token = F.issuer.accessToken().certificateBound(CERTIFICATE).sign();
    TokenVerificationException e = refusal(VERIFIER, TokenRequest.bearer(token));
    assertThat(e.reason()).isEqualTo(BINDING_MISMATCH);
    assertThat(e.errorCode()).isEqualTo("invalid_token");
    assertThat(e.httpStatus()).isEqualTo(401);
    assertThat(e.getMessage()).contains("no client certificate");
  }

  @Test
  void refusesTheTokenWithAnotherCertificate() {
    String token = F.issuer.accessToken().certificateBound(CERTIFICATE).sign();
    for (TestKey other : new TestKey[] {TestKey.ecP256(), TestKey.rsa(2048), TestKey.ed25519()}) {
      assertThat(reasonFor(VERIFIER, TokenRequest.bearer(token).withClientCertificate(other.certificate())))
          .isEqualTo(BINDING_MISMATCH);
    }
  }

  @Test
  void refusesAThumbprintThatIsNotExactlyTheCertificates() throws Exception {
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(CERTIFICATE.getEncoded());
    String exact = Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    for (String x5t : new String[] {exact + "=", Base64.getEncoder().encodeToString(hash), exact.substring(1),
        Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-1").digest(CERTIFICATE.getEncoded()))}) {
      String token = F.issuer.accessToken().claim("cnf", Map.of("x5t#S256", x5t)).sign();
      assertThat(reasonFor(VERIFIER, TokenRequest.bearer(token).withClientCertificate(CERTIFICATE))).as(x5t)
          .isEqualTo(BINDING_MISMATCH);
    }
  }

  @Test
  void aCertificateIsIgnoredForATokenNotBoundToOne() {
    assertThat(VERIFIER.verify(TokenRequest.bearer(F.issuer.accessToken().sign()).withClientCertificate(CERTIFICATE)))
        .isNotNull();
  }

  @Test
  void aTokenBoundBothWaysNeedsTheProofAndTheCertificate() {
    String token = F.issuer.accessToken().dpopBound(F.holder).certificateBound(CERTIFICATE).sign();
    assertThat(VERIFIER.verify(request(token, F.proof(token).sign()).withClientCertificate(CERTIFICATE))).isNotNull();
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).sign()))).isEqualTo(BINDING_MISMATCH);
    assertThat(reasonFor(VERIFIER, TokenRequest.bearer(token).withClientCertificate(CERTIFICATE))).isEqualTo(BINDING_MISMATCH);
  }

  @Test
  void theCheckRunsOnEveryRequestWithACachedToken() {
    String token = F.issuer.accessToken().certificateBound(CERTIFICATE).sign();
    assertThat(VERIFIER.verify(TokenRequest.bearer(token).withClientCertificate(CERTIFICATE))).isNotNull();
    assertThat(reasonFor(VERIFIER, TokenRequest.bearer(token))).isEqualTo(BINDING_MISMATCH);
    assertThat(reasonFor(VERIFIER, TokenRequest.bearer(token).withClientCertificate(TestKey.ecP256().certificate())))
        .isEqualTo(BINDING_MISMATCH);
  }

  @Test
  void theFixtureCertificateIsStableAndSelfSigned() throws Exception {
    assertThat(CLIENT.certificate()).isSameAs(CERTIFICATE);
    assertThat(CLIENT.withKeyId("other").certificate()).isSameAs(CERTIFICATE);
    CERTIFICATE.verify(CERTIFICATE.getPublicKey());
    assertThat(CERTIFICATE.getSubjectX500Principal().getName()).isEqualTo("CN=tokenguard-test");
    for (TestKey key : new TestKey[] {TestKey.rsa(2048), TestKey.ed25519()}) {
      key.certificate().verify(key.certificate().getPublicKey());
    }
  }
}
