package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.testing.TestKey;
import java.net.URI;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shape of a request: bearer or DPoP, the proof, method and URI, the client certificate. */
class TokenRequestTest {
  private static final URI URI_ = URI.create("https://api.example.test/patients?page=2#top");

  @Test
  void aBearerRequestCarriesOnlyTheToken() {
    TokenRequest request = TokenRequest.bearer("a.b.c");
    assertThat(request.scheme()).isEqualTo(TokenRequest.Scheme.BEARER);
    assertThat(request.accessToken()).isEqualTo("a.b.c");
    assertThat(request.dpopProof()).isEmpty();
    assertThat(request.method()).isEmpty();
    assertThat(request.uri()).isEmpty();
    assertThat(request.clientCertificate()).isEmpty();
    assertThat(request.requirement()).isEqualTo(Requirement.none());
  }

  @Test
  void aDpopRequestCarriesProofMethodAndUri() {
    TokenRequest request = TokenRequest.dpop("a.b.c", "p.q.r", "GET", URI_);
    assertThat(request.scheme()).isEqualTo(TokenRequest.Scheme.DPOP);
    assertThat(request.dpopProof()).contains("p.q.r");
    assertThat(request.method()).contains("GET");
    assertThat(request.uri()).contains(URI_);
    assertThat(request.normalizedUri).isEqualTo("https://api.example.test/patients");
  }

  @Test
  void aDpopRequestMayLackTheProofHeader() {
    assertThat(TokenRequest.dpop("a.b.c", null, "GET", URI_).dpopProof()).isEmpty();
  }

  @Test
  void copiesKeepEverythingElse() {
    X509Certificate certificate = TestKey.ecP256().certificate();
    TokenRequest request = TokenRequest.dpop("a.b.c", "p.q.r", "POST", URI_);
    TokenRequest withCertificate = request.withClientCertificate(certificate).requiring(Requirement.allScopes("x").withDpop());
    assertThat(request.clientCertificate()).isEmpty();
    assertThat(request.requirement()).isEqualTo(Requirement.none());
    assertThat(withCertificate.clientCertificate()).containsSame(certificate);
    assertThat(withCertificate.requirement()).isEqualTo(Requirement.allScopes("x").withDpop());
    assertThat(withCertificate.dpopProof()).contains("p.q.r");
    assertThat(withCertificate.method()).contains("POST");
    assertThat(withCertificate.scheme()).isEqualTo(TokenRequest.Scheme.DPOP);
  }

  @Test
  void toStringNeverShowsTheTokenTheProofOrTheQuery() {
    String token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtdG9rZW4ifQ.c2lnbmF0dXJl";
    String proof = "eyJ0eXAiOiJkcG9wK2p3dCJ9.eyJqdGkiOiJzZWNyZXQtcHJvb2YifQ.cHJvb2Ytc2ln";
    String shown = TokenRequest.dpop(token, proof, "GET", URI.create("https://api.example.test/p?access_token=leak"))
        .withClientCertificate(TestKey.ecP256().certificate()).toString();
    assertThat(shown).contains("DPoP GET https://api.example.test/p", "proof", "client certificate");
    for (String part : (token + "." + proof).split("\\.")) {
      assertThat(shown).doesNotContain(part);
    }
    assertThat(shown).doesNotContain("leak");
    assertThat(TokenRequest.bearer(token).toString()).doesNotContain(token.split("\\.")[1]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "GET ", "G\u00c9T", "GE(T", "GET\n"})
  void refusesAMethodThatIsNotAnHttpToken(String method) {
    assertThatThrownBy(() -> TokenRequest.dpop("a.b.c", "p.q.r", method, URI_)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/patients", "ftp://api.example.test/x", "https:///x", "urn:x:y", "mailto:a@b.c"})
  void refusesAUriThatIsNotAnAbsoluteHttpUriWithAHost(String uri) {
    assertThatThrownBy(() -> TokenRequest.dpop("a.b.c", "p.q.r", "GET", URI.create(uri)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesNulls() {
    assertThatThrownBy(() -> TokenRequest.dpop(null, "p", "GET", URI_)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> TokenRequest.dpop("t", "p", null, URI_)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> TokenRequest.dpop("t", "p", "GET", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> TokenRequest.bearer("t").withClientCertificate(null)).isInstanceOf(NullPointerException.class);
  }
}
