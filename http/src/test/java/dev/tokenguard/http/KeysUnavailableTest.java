package dev.tokenguard.http;

import static dev.tokenguard.http.Answers.body;
import static dev.tokenguard.http.Answers.challenge;
import static dev.tokenguard.http.Answers.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.testing.FakeIssuer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the issuer's keys cannot be had, the answer is 503, never a 401 blaming the client. */
class KeysUnavailableTest {
  @Test
  void unreachableKeysGive503WithRetryAfterAndAChallengeWithoutError() throws Exception {
    try (FakeIssuer issuer = FakeIssuer.start(); AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build()) {
      issuer.failJwks(FakeIssuer.JwksFailure.HTTP_500);
      ProtectedResource resource = ProtectedResource.builder(verifier).realm("health-api").retryAfter(Duration.ofSeconds(7)).build();

      Answer a = refused(resource.decide(InMemoryRequest.get("/api/me").bearer(issuer.accessToken().sign())), 503);

      assertThat(List.copyOf(a.headers().keySet()))
          .containsExactly("WWW-Authenticate", "Retry-After", "Cache-Control", "X-Content-Type-Options");
      assertThat(a.headers().get("Retry-After")).containsExactly("7");
      assertThat(challenge(a)).isEqualTo("Bearer realm=\"health-api\"");
      assertThat(body(a)).isEqualTo("{\"error\":\"temporarily_unavailable\",\"error_description\":"
          + "\"The issuer's signing keys are temporarily unavailable.\"}");
    }
  }

  @Test
  void defaultRetryAfterIsThirtySecondsAndDefaultRealmIsApi() throws Exception {
    try (FakeIssuer issuer = FakeIssuer.start(); AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build()) {
      issuer.failJwks(FakeIssuer.JwksFailure.NOT_FOUND);
      ProtectedResource resource = ProtectedResource.builder(verifier).build();
      Answer a = refused(resource.decide(InMemoryRequest.get("/x").bearer(issuer.accessToken().sign())), 503);
      assertThat(a.headers().get("Retry-After")).containsExactly("30");
      assertThat(a.headers().get("WWW-Authenticate")).containsExactly("Bearer realm=\"api\"");
    }
  }
}
