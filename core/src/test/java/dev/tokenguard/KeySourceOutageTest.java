package dev.tokenguard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.tokenguard.KeySourceRotationTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Outages: the last good keys keep serving for a bounded time; without keys the answer is KEYS_UNAVAILABLE. */
class KeySourceOutageTest {
  private static final String JWKS = "/jwks";

  /** Ways a JWKS fetch fails. */
  enum Failure {
    CONNECTION_REFUSED,
    CONNECTION_RESET,
    TIMEOUT,
    HTTP_500,
    HTTP_503,
    MALFORMED_JSON,
    EMPTY_KEY_SET,
    OVERSIZED_BODY
  }

  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  private final WireMockServer server =
      new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
  private String token;

  @BeforeEach
  void start() throws Exception {
    server.start();
    // A cold server can take longer than the short read timeouts below; warm it up off the record.
    HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/warm-up")).build(),
        HttpResponse.BodyHandlers.discarding());
    server.stubFor(get(urlEqualTo(JWKS)).willReturn(good()));
    token = issuer.accessToken().expiresIn(Duration.ofDays(3)).sign();
  }

  @AfterEach
  void stop() {
    if (server.isRunning()) {
      server.stop();
    }
    issuer.close();
  }

  private ResponseDefinitionBuilder good() {
    return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(issuer.jwks());
  }

  private void fail(Failure failure) {
    switch (failure) {
      case CONNECTION_REFUSED:
        server.stop();
        return;
      case CONNECTION_RESET:
        server.stubFor(get(urlEqualTo(JWKS)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        return;
      case TIMEOUT:
        server.stubFor(get(urlEqualTo(JWKS)).willReturn(good().withFixedDelay(2_500)));
        return;
      case HTTP_500:
        server.stubFor(get(urlEqualTo(JWKS)).willReturn(aResponse().withStatus(500)));
        return;
      case HTTP_503:
        server.stubFor(get(urlEqualTo(JWKS)).willReturn(aResponse().withStatus(503)));
        return;
      case MALFORMED_JSON:
        server.stubFor(get(urlEqualTo(JWKS)).willReturn(aResponse().withStatus(200).withBody("<html>maintenance")));
        return;
      case EMPTY_KEY_SET:
        server.stubFor(get(urlEqualTo(JWKS)).willReturn(aResponse().withStatus(200).withBody("{\"keys\":[]}")));
        return;
      case OVERSIZED_BODY:
        char[] pad = new char[300 * 1024];
        Arrays.fill(pad, 'x');
        server.stubFor(get(urlEqualTo(JWKS))
            .willReturn(aResponse().withStatus(200).withBody("{\"keys\":[],\"pad\":\"" + new String(pad) + "\"}")));
        return;
      default:
        throw new IllegalArgumentException(failure.name());
    }
  }

  private int jwksRequests() {
    return server.countRequestsMatching(getRequestedFor(urlEqualTo(JWKS)).build()).getCount();
  }

  private AccessTokenVerifier.Builder verifierBuilder() {
    return verifierBuilder(Duration.ofSeconds(5));
  }

  /** A short read timeout for the timeout cases, the default otherwise (a cold server can be slow). */
  private AccessTokenVerifier.Builder verifierBuilder(Failure failure) {
    return verifierBuilder(failure == Failure.TIMEOUT ? Duration.ofMillis(800) : Duration.ofSeconds(5));
  }

  private AccessTokenVerifier.Builder verifierBuilder(Duration readTimeout) {
    AccessTokenVerifier.Builder builder =
        AccessTokenVerifier.builder()
            .issuer(issuer.issuer())
            .audience(issuer.audience())
            .jwksUri(URI.create("http://127.0.0.1:" + server.port() + JWKS))
            .clock(clock)
            .httpTimeouts(Duration.ofSeconds(1), readTimeout)
            .verifiedTokenCacheSize(0);
    builder.keyFetchExecutor(Runnable::run);
    return builder;
  }

  @ParameterizedTest
  @EnumSource(Failure.class)
  void theLastGoodKeysKeepServingForTheStaleToleranceWhenRefreshingFails(Failure failure) {
    AccessTokenVerifier verifier = verifierBuilder(failure).build();
    verifier.verify(token);
    fail(failure);

    clock.advance(Duration.ofMinutes(11)); // past the 10-minute lifetime: the refresh fails
    assertThat(verifier.verify(token)).isNotNull();
    KeySourceHealth health = verifier.keySourceHealth().get(0);
    assertThat(health.status()).isEqualTo(KeySourceHealth.Status.STALE);
    assertThat(health.lastFailureReason()).isPresent();
    assertThat(health.keyIds()).containsExactly(issuer.currentKeyId());

    clock.advance(Duration.ofHours(23).plusMinutes(58)); // 10 min + 24 h - 1 min after the fetch
    assertThat(verifier.verify(token)).isNotNull();

    clock.advance(Duration.ofMinutes(2)); // beyond the default 24 h stale tolerance
    assertRejected(() -> verifier.verify(token), Reason.KEYS_UNAVAILABLE);
    assertThat(verifier.keySourceHealth().get(0).status()).isEqualTo(KeySourceHealth.Status.UNAVAILABLE);
  }

  @Test
  void theStaleToleranceIsConfigurable() {
    AccessTokenVerifier verifier = verifierBuilder().staleKeyTolerance(Duration.ofHours(1)).build();
    verifier.verify(token);
    fail(Failure.HTTP_500);

    clock.advance(Duration.ofMinutes(69));
    assertThat(verifier.verify(token)).isNotNull();
    clock.advance(Duration.ofMinutes(2));
    assertRejected(() -> verifier.verify(token), Reason.KEYS_UNAVAILABLE);
  }

  @ParameterizedTest
  @EnumSource(Failure.class)
  void beforeAnyKeySetWasFetchedTheVerifierAnswersKeysUnavailable(Failure failure) {
    AccessTokenVerifier verifier = verifierBuilder(failure).build();
    fail(failure);

    assertThatThrownBy(() -> verifier.verify(token))
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE);
          assertThat(e.httpStatus()).isEqualTo(503);
          assertThat(e.isRetryable()).isTrue();
        });
  }

  @Test
  void withoutKeysRequestsFailFastForFiveSecondsBeforeTheNextAttempt() {
    AccessTokenVerifier verifier = verifierBuilder().build();
    fail(Failure.HTTP_500);
    assertRejected(() -> verifier.verify(token), Reason.KEYS_UNAVAILABLE);
    assertThat(jwksRequests()).isEqualTo(2); // one try and one retry

    for (int i = 0; i < 20; i++) {
      assertRejected(() -> verifier.verify(token), Reason.KEYS_UNAVAILABLE);
    }
    clock.advance(Duration.ofSeconds(4));
    assertRejected(() -> verifier.verify(token), Reason.KEYS_UNAVAILABLE);
    assertThat(jwksRequests()).isEqualTo(2);

    server.stubFor(get(urlEqualTo(JWKS)).willReturn(good()));
    clock.advance(Duration.ofSeconds(1));
    assertThat(verifier.verify(token)).isNotNull();
    assertThat(jwksRequests()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(value = Failure.class, names = {"CONNECTION_RESET", "TIMEOUT", "HTTP_500", "HTTP_503"})
  void aTimeoutOrServerErrorIsRetriedOnceBeforeTheFetchCountsAsFailed(Failure failure) {
    server.stubFor(get(urlEqualTo(JWKS)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
        .willSetStateTo("recovered").willReturn(failingResponse(failure)));
    server.stubFor(get(urlEqualTo(JWKS)).inScenario("flaky").whenScenarioStateIs("recovered").willReturn(good()));
    AccessTokenVerifier verifier = verifierBuilder(failure).build();

    assertThat(verifier.verify(token)).isNotNull();
    assertThat(jwksRequests()).isEqualTo(2);
    assertThat(verifier.keySourceHealth().get(0).lastFailure()).isEmpty();
  }

  private ResponseDefinitionBuilder failingResponse(Failure failure) {
    switch (failure) {
      case TIMEOUT:
        return good().withFixedDelay(2_500);
      case HTTP_500:
        return aResponse().withStatus(500);
      case HTTP_503:
        return aResponse().withStatus(503);
      default:
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
    }
  }

  @Test
  void aClientErrorIsNotRetried() {
    server.stubFor(get(urlEqualTo(JWKS)).willReturn(aResponse().withStatus(404)));
    AccessTokenVerifier verifier = verifierBuilder().build();

    assertRejected(() -> verifier.verify(token), Reason.KEYS_UNAVAILABLE);
    assertThat(jwksRequests()).isEqualTo(1);
  }

  @Test
  void aWarningIsLoggedOncePerFailureStreakNotPerRequest() {
    AccessTokenVerifier verifier = verifierBuilder().build();
    verifier.verify(token);
    String log = LogCapture.captureStandardError(() -> {
      fail(Failure.HTTP_500);
      for (int i = 0; i < 10; i++) { // ten background retries, each failing, and many requests
        clock.advance(Duration.ofMinutes(11));
        for (int j = 0; j < 10; j++) {
          verifier.verify(token);
        }
      }
      server.stubFor(get(urlEqualTo(JWKS)).willReturn(good()));
      clock.advance(Duration.ofMinutes(1));
      verifier.verify(token); // the background retry works: a new streak can start
      fail(Failure.HTTP_500);
      clock.advance(Duration.ofMinutes(11));
      verifier.verify(token);
      verifier.verify(token);
    });

    assertThat(LogCapture.count(log, "WARN dev.tokenguard.RemoteKeySource - Fetching the keys of issuer")).isEqualTo(2);
    assertThat(LogCapture.count(log, "works again")).isEqualTo(1);
    assertThat(verifier.keySourceHealth().get(0).status()).isEqualTo(KeySourceHealth.Status.STALE);
  }
}
