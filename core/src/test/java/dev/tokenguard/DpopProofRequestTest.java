package dev.tokenguard;

import static dev.tokenguard.DpopFixture.URI_;
import static dev.tokenguard.DpopFixture.reasonFor;
import static dev.tokenguard.DpopFixture.refusal;
import static dev.tokenguard.DpopFixture.request;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_DPOP_PROOF;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 9449 section 4.3 checks 8 and 9: {@code htm} is the request's method (case-sensitive, RFC
 * 9110 section 9.1) and {@code htu} its target URI without query and fragment, after RFC 3986
 * section 6.2.2 and 6.2.3 normalisation: a proof made for one request is refused for another.
 */
class DpopProofRequestTest {
  private static final DpopFixture F = new DpopFixture();
  private static final AccessTokenVerifier VERIFIER = F.verifier();

  @AfterAll
  static void stop() {
    F.close();
  }

  // Check 8.
  @ParameterizedTest
  @ValueSource(strings = {"POST", "get", "Get", "GET ", "DELETE", ""})
  void refusesAProofForAnotherMethod(String htm) {
    String token = F.boundToken();
    TokenVerificationException e = refusal(VERIFIER, request(token, F.proof(token).htm(htm).sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("htm");
  }

  @Test
  void acceptsTheMethodExactly() {
    String token = F.boundToken();
    String proof = F.issuer.dpopProof(F.holder, "PATCH", URI_).accessToken(token).sign();
    assertThat(VERIFIER.verify(TokenRequest.dpop(token, proof, "PATCH", URI_))).isNotNull();
  }

  // Check 9.
  @ParameterizedTest
  @ValueSource(strings = {
      "https://api.example.test/patients/1", "https://api.example.test/patient", "https://api.example.test/Patients",
      "http://api.example.test/patients", "https://api.example.test:8443/patients", "https://evil.example.test/patients",
      "https://api.example.test.evil.test/patients", "https://user@api.example.test/patients",
      "https://api.example.test/patients/", "/patients", "https://api.example.test/pat%20ients", "not a uri",
  })
  void refusesAProofForAnotherUri(String htu) {
    String token = F.boundToken();
    TokenVerificationException e = refusal(VERIFIER, request(token, F.proof(token).htu(htu).sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("htu");
  }

  // RFC 3986 section 6.2.2 (case, percent-encoding, dot segments) and 6.2.3 (default port).
  @ParameterizedTest
  @ValueSource(strings = {
      "HTTPS://API.EXAMPLE.TEST:443/patients", "https://Api.Example.Test/patients", "https://api.example.test/%70atients",
      "https://api.example.test/admin/../patients", "https://api.example.test/./patients",
      "https://api.example.test/patients?ignored=1", "https://api.example.test/patients#ignored",
  })
  void acceptsAnotherSpellingOfTheSameUri(String htu) {
    String token = F.boundToken();
    assertThat(VERIFIER.verify(request(token, F.proof(token).htu(htu).sign()))).isNotNull();
  }

  @Test
  void ignoresTheQueryAndFragmentOfTheRequestUri() {
    String token = F.boundToken();
    String proof = F.proof(token).sign();
    URI withQuery = URI.create("https://API.example.test:443/patients?page=2&sort=name#top");
    assertThat(VERIFIER.verify(TokenRequest.dpop(token, proof, "GET", withQuery))).isNotNull();
  }

  @Test
  void theRequestUriIsThePublicOneTheHttpLayerGives() {
    // Behind a proxy the application sees http://10.0.0.5:8080/patients; the proof names the public URI.
    String token = F.boundToken();
    String proof = F.proof(token).sign();
    assertThat(reasonFor(VERIFIER, TokenRequest.dpop(token, proof, "GET", URI.create("http://10.0.0.5:8080/patients"))))
        .isEqualTo(INVALID_DPOP_PROOF);
  }
}
