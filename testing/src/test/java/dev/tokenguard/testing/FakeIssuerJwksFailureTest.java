package dev.tokenguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.testing.FakeIssuer.JwksFailure;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The JWKS failure modes: until healed, for the next N requests, and SLOW's hold. */
class FakeIssuerJwksFailureTest {
  private final FakeIssuer issuer = FakeIssuer.start();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    issuer.close();
  }

  private int status() throws IOException, InterruptedException {
    return http.send(jwksRequest(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private HttpRequest jwksRequest() {
    return HttpRequest.newBuilder(issuer.jwksUri()).build();
  }

  @Test
  void failsUntilHealed() throws Exception {
    issuer.failJwks(JwksFailure.HTTP_500);
    assertThat(status()).isEqualTo(500);
    assertThat(status()).isEqualTo(500);
    assertThat(status()).isEqualTo(500);

    issuer.healJwks();
    assertThat(status()).isEqualTo(200);
  }

  @Test
  void failsExactlyTheNextNRequestsThenHealsByItself() throws Exception {
    issuer.failJwks(JwksFailure.HTTP_500, 2);

    assertThat(status()).isEqualTo(500);
    assertThat(status()).isEqualTo(500);
    assertThat(status()).isEqualTo(200);
    assertThat(status()).isEqualTo(200);
    assertThat(issuer.jwksRequestCount()).isEqualTo(4);
  }

  @Test
  void aLaterFailureReplacesTheEarlierOne() throws Exception {
    issuer.failJwks(JwksFailure.HTTP_500);
    issuer.failJwks(JwksFailure.NOT_FOUND, 1);

    assertThat(status()).isEqualTo(404);
    assertThat(status()).isEqualTo(200);

    issuer.failJwks(JwksFailure.HTTP_500, 5);
    issuer.healJwks();
    assertThat(status()).isEqualTo(200);
  }

  @Test
  void refusesACountBelowOne() {
    assertThatThrownBy(() -> issuer.failJwks(JwksFailure.HTTP_500, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> issuer.failJwks(null, 1)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void slowHoldsTheRequestUntilHealedWhileLaterRequestsAreAnswered() throws Exception {
    issuer.failJwks(JwksFailure.SLOW, 1);
    CompletableFuture<HttpResponse<String>> held = http.sendAsync(jwksRequest(), HttpResponse.BodyHandlers.ofString());
    awaitJwksRequests(1);

    assertThat(status()).isEqualTo(200); // the count of 1 is used up: the next request is answered
    assertThat(held).isNotDone(); // only healJwks() or close() lets it go

    issuer.healJwks();
    HttpResponse<String> answer = held.get(30, TimeUnit.SECONDS); // a guard against a hang
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo(issuer.jwks());
  }

  @Test
  void closeReleasesHeldRequests() throws Exception {
    issuer.failJwks(JwksFailure.SLOW);
    CompletableFuture<HttpResponse<String>> held = http.sendAsync(jwksRequest(), HttpResponse.BodyHandlers.ofString());
    awaitJwksRequests(1);

    issuer.close();

    // Answered or cut off as the server stops, either is fine: it is not held any more.
    assertThat(held.handle((response, failure) -> true).get(30, TimeUnit.SECONDS)).isTrue();
  }

  /** Waits for the server to have received {@code count} JWKS requests (an event, not a duration). */
  private void awaitJwksRequests(int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a guard against a hang only
    while (issuer.jwksRequestCount() < count && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    assertThat(issuer.jwksRequestCount()).isEqualTo(count);
  }
}
