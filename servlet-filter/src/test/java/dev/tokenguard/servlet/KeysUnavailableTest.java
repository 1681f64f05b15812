package dev.tokenguard.servlet;

import static dev.tokenguard.servlet.Challenges.assertWellFormed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.support.Http;
import dev.tokenguard.testing.FakeIssuer;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When the issuer's keys cannot be had, the answer is 503, never a 401 blaming the client. */
class KeysUnavailableTest {
  @Test
  void unreachableKeysGive503WithRetryAfterAndAChallengeWithoutError() throws Exception {
    try (FakeIssuer issuer = FakeIssuer.start()) {
      issuer.failJwks(FakeIssuer.JwksFailure.HTTP_500);
      BearerTokenFilter filter = BearerTokenFilter.builder(issuer.httpVerifierBuilder().build())
          .realm("health-api")
          .retryAfter(Duration.ofSeconds(7))
          .build();
      try (TestServer server = TestServer.start(filter)) {
        HttpResponse<String> r = Http.get(server.uri("/api/me"), "Authorization", "Bearer " + issuer.accessToken().sign());

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("7");
        String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertWellFormed(challenge);
        assertThat(challenge).isEqualTo("Bearer realm=\"health-api\"");
        assertThat(r.body()).isEqualTo("{\"error\":\"temporarily_unavailable\",\"error_description\":"
            + "\"The issuer's signing keys are temporarily unavailable.\"}");
      }
    }
  }

  @Test
  void defaultRetryAfterIsThirtySeconds() throws Exception {
    try (FakeIssuer issuer = FakeIssuer.start()) {
      issuer.failJwks(FakeIssuer.JwksFailure.NOT_FOUND);
      try (TestServer server = TestServer.start(BearerTokenFilter.builder(issuer.httpVerifierBuilder().build()).build())) {
        HttpResponse<String> r = Http.get(server.uri("/x"), "Authorization", "Bearer " + issuer.accessToken().sign());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"api\"");
      }
    }
  }
}
