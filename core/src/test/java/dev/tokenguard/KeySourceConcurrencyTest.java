package dev.tokenguard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Single flight: any number of requests released together that need a fetch cause one HTTP request.
 * The JWKS answers after 300 ms so that every thread arrives while the fetch is under way.
 */
class KeySourceConcurrencyTest {
  private static final int THREADS = 32;
  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  private final WireMockServer server =
      new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
  private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);
  /** One permit per successful fetch: tests wait for fetches as events, not for time. */
  private final Semaphore fetchesSucceeded = new Semaphore(0);
  private AccessTokenVerifier verifier;

  @BeforeEach
  void start() {
    server.start();
    serveJwks();
    verifier =
        AccessTokenVerifier.builder()
            .issuer(issuer.issuer())
            .audience(issuer.audience())
            .jwksUri(URI.create(server.baseUrl() + "/jwks"))
            .clock(clock)
            .keySourceListener(event -> {
              if (event.type() == KeySourceEvent.Type.FETCH_SUCCEEDED) {
                fetchesSucceeded.release();
              }
            })
            .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    threads.shutdownNow();
    threads.awaitTermination(10, TimeUnit.SECONDS);
    server.stop();
    issuer.close();
  }

  private void serveJwks() {
    server.stubFor(get(urlEqualTo("/jwks"))
        .willReturn(aResponse().withStatus(200).withBody(issuer.jwks()).withFixedDelay(300)));
  }

  private int jwksRequests() {
    return server.countRequestsMatching(getRequestedFor(urlEqualTo("/jwks")).build()).getCount();
  }

  /** Releases THREADS threads together, each verifying {@code token}; returns how many were accepted. */
  private int verifyTogether(String token) throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(THREADS);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      results.add(threads.submit(() -> {
        barrier.await(10, TimeUnit.SECONDS);
        return verifier.verify(token) != null;
      }));
    }
    int accepted = 0;
    for (Future<Boolean> result : results) {
      accepted += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
    }
    return accepted;
  }

  @Test
  void concurrentFirstRequestsCauseExactlyOneJwksRequest() throws Exception {
    String token = issuer.accessToken().sign();

    assertThat(verifyTogether(token)).isEqualTo(THREADS);
    assertThat(jwksRequests()).isEqualTo(1);
  }

  @Test
  void concurrentRequestsWithANewKidCauseExactlyOneRefetch() throws Exception {
    verifier.warmUp();
    issuer.rotateKey();
    serveJwks();
    String token = issuer.accessToken().sign();

    assertThat(verifyTogether(token)).isEqualTo(THREADS);
    assertThat(jwksRequests()).isEqualTo(2);
  }

  @Test
  void concurrentRequestsAfterTheCacheLifetimeCauseExactlyOneFetch() throws Exception {
    verifier.warmUp();
    clock.advance(Duration.ofMinutes(11));
    String token = issuer.accessToken().sign();

    assertThat(verifyTogether(token)).isEqualTo(THREADS);
    // Past the lifetime the requests are served the cached keys while the refresh runs in the
    // background, so it may not even have reached the server yet: wait for its success event.
    assertThat(fetchesSucceeded.tryAcquire(2, 30, TimeUnit.SECONDS)).as("the warm-up and one refresh").isTrue();
    assertThat(fetchesSucceeded.availablePermits()).isZero();
    assertThat(jwksRequests()).isEqualTo(2);
  }

  @Test
  void concurrentRequestsInTheRefreshWindowCauseExactlyOneBackgroundRefresh() throws Exception {
    verifier.warmUp();
    clock.advance(Duration.ofMinutes(9));
    String token = issuer.accessToken().sign();

    assertThat(verifyTogether(token)).isEqualTo(THREADS);
    // The refresh runs in the background: wait for its success event (the time-out only guards
    // against a hang), then check nothing else was fetched.
    assertThat(fetchesSucceeded.tryAcquire(2, 30, TimeUnit.SECONDS)).as("the warm-up and one refresh").isTrue();
    assertThat(fetchesSucceeded.availablePermits()).isZero();
    assertThat(jwksRequests()).isEqualTo(2);
  }
}
