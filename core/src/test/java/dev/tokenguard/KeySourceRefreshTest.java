package dev.tokenguard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.FakeIssuer.JwksFailure;
import dev.tokenguard.testing.TestClock;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Refresh ahead: cache lifetime from Cache-Control, background refreshes, jitter. */
class KeySourceRefreshTest {
  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  private final WireMockServer server =
      new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
  private String token;

  @BeforeEach
  void start() {
    server.start();
    serveJwks(null);
    token = issuer.accessToken().expiresIn(Duration.ofDays(3)).sign();
  }

  @AfterEach
  void stop() {
    server.stop();
    issuer.close();
  }

  private void serveJwks(String cacheControl) {
    ResponseDefinitionBuilder response =
        aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(issuer.jwks());
    if (cacheControl != null) {
      response.withHeader("Cache-Control", cacheControl);
    }
    server.stubFor(get(urlEqualTo("/jwks")).willReturn(response));
  }

  private int jwksRequests() {
    return server.countRequestsMatching(getRequestedFor(urlEqualTo("/jwks")).build()).getCount();
  }

  private AccessTokenVerifier.Builder verifierBuilder(Executor fetchExecutor) {
    AccessTokenVerifier.Builder builder =
        AccessTokenVerifier.builder()
            .issuer(issuer.issuer())
            .audience(issuer.audience())
            .jwksUri(URI.create(server.baseUrl() + "/jwks"))
            .clock(clock)
            .verifiedTokenCacheSize(0);
    if (fetchExecutor != null) { // null: the verifier's own fetch thread
      builder.keyFetchExecutor(fetchExecutor);
    }
    return builder;
  }

  static Stream<Arguments> cacheLifetimes() {
    Consumer<AccessTokenVerifier.Builder> defaults = b -> {};
    Consumer<AccessTokenVerifier.Builder> custom =
        b -> b.keyCacheLifetime(Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(3));
    return Stream.of(
        Arguments.of("max-age=120", defaults, Duration.ofSeconds(120)),
        Arguments.of("public, max-age=5", defaults, Duration.ofMinutes(1)), // clamped to the 1 min minimum
        Arguments.of("max-age=604800", defaults, Duration.ofHours(24)), // clamped to the 24 h maximum
        Arguments.of("no-store", defaults, Duration.ofMinutes(1)),
        Arguments.of(null, defaults, Duration.ofMinutes(10)), // no header: 10 min
        Arguments.of("max-age=60", custom, Duration.ofMinutes(2)),
        Arguments.of("max-age=3600", custom, Duration.ofMinutes(5)),
        Arguments.of(null, custom, Duration.ofMinutes(3)));
  }

  @ParameterizedTest(name = "Cache-Control {0} -> lifetime {2}")
  @MethodSource("cacheLifetimes")
  void cacheLifetimeFollowsMaxAgeClampedToTheConfiguredBounds(
      String cacheControl, Consumer<AccessTokenVerifier.Builder> configure, Duration lifetime) {
    serveJwks(cacheControl);
    AccessTokenVerifier.Builder builder = verifierBuilder(Runnable::run);
    configure.accept(builder);
    AccessTokenVerifier verifier = builder.build();
    verifier.verify(token);

    clock.advance(percentOf(lifetime, 74)); // before the refresh-ahead window (75-90 %)
    verifier.verify(token);
    assertThat(jwksRequests()).isEqualTo(1);

    clock.advance(percentOf(lifetime, 91 - 74)); // past the window: refreshed ahead of expiry
    verifier.verify(token);
    assertThat(jwksRequests()).isEqualTo(2);
  }

  @Test
  void aBackgroundRefreshNeverMakesTheRequestWait() {
    ManualExecutor fetches = new ManualExecutor();
    AccessTokenVerifier verifier = verifierBuilder(fetches).build();
    fetches.runImmediately = true;
    verifier.warmUp();
    fetches.runImmediately = false;

    clock.advance(Duration.ofMinutes(9)); // 90 % of the 10-minute default lifetime
    for (int i = 0; i < 50; i++) {
      assertThat(verifier.verify(token)).isNotNull(); // served from the cache, the fetch not even started
    }
    assertThat(fetches.queued()).isEqualTo(1); // one background refresh, however many requests
    assertThat(jwksRequests()).isEqualTo(1);

    fetches.runAll();
    assertThat(jwksRequests()).isEqualTo(2);
    assertThat(verifier.keySourceHealth().get(0).lastSuccess()).contains(clock.instant());
    assertThat(verifier.keySourceHealth().get(0).status()).isEqualTo(KeySourceHealth.Status.FRESH);
  }

  @Test
  void aSlowBackgroundRefreshDoesNotSlowTheRequestDown() throws InterruptedException {
    Semaphore fetched = new Semaphore(0);
    AccessTokenVerifier verifier = heldJwksVerifier(fetched); // the real background thread
    verifier.warmUp();
    assertThat(fetched.tryAcquire()).isTrue();
    issuer.failJwks(JwksFailure.SLOW); // from now on the issuer holds every JWKS request until healed

    clock.advance(Duration.ofMinutes(9));
    assertThat(verifier.verify(token)).isNotNull();
    // The refresh cannot have come back (the issuer still holds it), so the request did not wait for it.
    assertThat(fetched.availablePermits()).isZero();

    issuer.healJwks();
    assertThat(fetched.tryAcquire(30, TimeUnit.SECONDS)).as("the refresh finishes once the issuer answers").isTrue();
    assertThat(issuer.jwksRequestCount()).isEqualTo(2);
  }

  @Test
  @Timeout(20)
  void aRequestJustPastTheLifetimeIsServedWhileTheRefreshRuns() {
    ManualExecutor fetches = new ManualExecutor();
    AccessTokenVerifier verifier = verifierBuilder(fetches).build();
    fetches.runImmediately = true;
    verifier.warmUp();
    fetches.runImmediately = false;

    clock.advance(Duration.ofMinutes(13)); // no request since the fetch: past the 10-minute lifetime
    assertThat(verifier.verify(token)).isNotNull(); // served at once, the refresh not even started
    assertThat(fetches.queued()).isEqualTo(1);
    assertThat(verifier.keySourceHealth().get(0).status()).isEqualTo(KeySourceHealth.Status.STALE);

    fetches.runAll();
    assertThat(jwksRequests()).isEqualTo(2);
    assertThat(verifier.keySourceHealth().get(0).status()).isEqualTo(KeySourceHealth.Status.FRESH);
  }

  @Test
  void anApiIdleForAWholeFurtherLifetimeWaitsForFreshKeys() {
    AccessTokenVerifier verifier = verifierBuilder(Runnable::run).build();
    verifier.warmUp();
    String oldKid = issuer.currentKeyId();
    issuer.rotateKey();
    issuer.unpublishKey(oldKid);
    serveJwks(null);

    clock.advance(Duration.ofMinutes(20).plusSeconds(1)); // two lifetimes without a single request
    KeySourceRotationTest.assertRejected(() -> verifier.verify(token), TokenVerificationException.Reason.UNKNOWN_KEY);
    assertThat(jwksRequests()).isEqualTo(3); // the request waited for the new key set, then one refetch for the unknown kid
  }

  @Test
  void aNewKidThatJoinsARefreshStartedBeforeItsKeyWasPublishedIsStillAccepted() {
    // No deadline in the way: an unknown kid's wait for the fetch is lifted to 30 s, so however
    // loaded the machine, the outcome is decided by the order of events alone.
    AccessTokenVerifier verifier = verifierBuilder(null).unknownKidWait(Duration.ofSeconds(30)).build(); // the real background thread
    verifier.warmUp();
    server.stubFor(get(urlEqualTo("/jwks"))
        .willReturn(aResponse().withStatus(200).withBody(issuer.jwks()).withFixedDelay(2_000))); // the old key set, held 2 s
    clock.advance(Duration.ofMinutes(9));
    verifier.verify(token); // starts a background refresh, which will answer with the old key set
    awaitJwksRequests(2);   // it has left: the issuer holds it

    issuer.rotateKey(); // the issuer publishes a new key while that refresh is on its way back
    serveJwks(null);
    String signedWithNewKey = issuer.accessToken().expiresIn(Duration.ofDays(3)).sign();

    // Joins the held refresh (which began before the miss and brings the old set), then one
    // refetch of its own finds the key. Should the refresh have come back first, the miss starts
    // that refetch at once: the same answer and the same count either way.
    assertThat(verifier.verify(signedWithNewKey).subject()).isNotEmpty();
    assertThat(jwksRequests()).isEqualTo(3); // the old refresh, then one refetch of its own
  }

  @Test
  void aSlowIssuerCannotHoldARequestWithAnUnknownKidForLong() throws InterruptedException {
    Semaphore fetched = new Semaphore(0);
    AccessTokenVerifier verifier = heldJwksVerifier(fetched); // the real background thread
    verifier.warmUp();
    assertThat(fetched.tryAcquire()).isTrue();
    issuer.failJwks(JwksFailure.SLOW); // from now on the issuer holds every JWKS request until healed
    String unknownKid = issuer.accessToken().signedWithUnknownKey().expiresIn(Duration.ofDays(3)).sign();

    long start = System.nanoTime();
    KeySourceRotationTest.assertRejected(() -> verifier.verify(unknownKid), TokenVerificationException.Reason.UNKNOWN_KEY);
    long millis = (System.nanoTime() - start) / 1_000_000;

    // Refused while the issuer still holds the refetch: the request did not wait for the issuer.
    assertThat(fetched.availablePermits()).isZero();
    // It did wait MISS_WAIT for the refetch first. A lower bound only: a busy machine can make the
    // wait longer, never shorter.
    assertThat(millis).isGreaterThanOrEqualTo(RemoteKeySource.MISS_WAIT.toMillis() - 100);

    issuer.healJwks();
    assertThat(fetched.tryAcquire(30, TimeUnit.SECONDS)).as("the refetch went out and finishes in the background").isTrue();
    assertThat(issuer.jwksRequestCount()).isEqualTo(2);
  }

  @Test
  void refreshAheadIsJitteredSoAFleetDoesNotRefreshInStep() {
    int instances = 20;
    List<AccessTokenVerifier> fleet = new ArrayList<>();
    List<AtomicInteger> fetches = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      AtomicInteger started = new AtomicInteger();
      fetches.add(started);
      fleet.add(verifierBuilder(Runnable::run)
          .keySourceListener(event -> {
            if (event.type() == KeySourceEvent.Type.FETCH_STARTED) {
              started.incrementAndGet();
            }
          })
          .build());
    }
    fleet.forEach(AccessTokenVerifier::warmUp);

    Duration lifetime = Duration.ofMinutes(10);
    int[] refreshedAtPercent = new int[instances];
    clock.advance(percentOf(lifetime, 70));
    for (int percent = 71; percent <= 95; percent++) {
      clock.advance(percentOf(lifetime, 1));
      for (int i = 0; i < instances; i++) {
        fleet.get(i).warmUp();
        if (fetches.get(i).get() == 2 && refreshedAtPercent[i] == 0) {
          refreshedAtPercent[i] = percent;
        }
      }
    }

    Set<Integer> distinct = new HashSet<>();
    for (int percent : refreshedAtPercent) {
      assertThat(percent).isBetween(75, 90);
      distinct.add(percent);
    }
    assertThat(distinct).hasSizeGreaterThanOrEqualTo(4);
  }

  /**
   * A verifier on the issuer's own JWKS endpoint (which {@link JwksFailure#SLOW} can hold) and the
   * real background thread; {@code fetched} gets a permit per successful fetch. The long read
   * timeout keeps a held request from being retried while the test holds it.
   */
  private AccessTokenVerifier heldJwksVerifier(Semaphore fetched) {
    return issuer.httpVerifierBuilder()
        .verifiedTokenCacheSize(0)
        .httpTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(60))
        .keySourceListener(event -> {
          if (event.type() == KeySourceEvent.Type.FETCH_SUCCEEDED) {
            fetched.release();
          }
        })
        .build();
  }

  /** Waits for WireMock to have received {@code expected} JWKS requests (the time-out only guards against a hang). */
  private void awaitJwksRequests(int expected) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (jwksRequests() < expected && System.nanoTime() < deadline) {
      LockSupport.parkNanos(5_000_000);
    }
    assertThat(jwksRequests()).isEqualTo(expected);
  }

  static Duration percentOf(Duration duration, int percent) {
    return Duration.ofMillis(duration.toMillis() * percent / 100);
  }

  /** Queues fetches until the test runs them, or runs them at once while {@code runImmediately}. */
  static final class ManualExecutor implements Executor {
    volatile boolean runImmediately;
    private final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      if (runImmediately) {
        task.run();
      } else {
        tasks.add(task);
      }
    }

    synchronized int queued() {
      return tasks.size();
    }

    void runAll() {
      Runnable task;
      while ((task = poll()) != null) {
        task.run();
      }
    }

    private synchronized Runnable poll() {
      return tasks.poll();
    }
  }
}
