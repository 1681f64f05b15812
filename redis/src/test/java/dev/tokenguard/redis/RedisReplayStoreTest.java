package dev.tokenguard.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.DpopPolicy;
import dev.tokenguard.TokenRequest;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.dpop.ReplayStoreUnavailableException;
import dev.tokenguard.support.RedisServer;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/**
 * The {@link dev.tokenguard.dpop.ReplayStore} contract kept by Redis: atomic across instances, keys
 * expire with the proof window (Redis TTL), a bounded wait, and fail closed. Runs against a real
 * {@code redis-server} on a free loopback port ({@link RedisServer}).
 */
class RedisReplayStoreTest {
  private static final URI API = URI.create("https://api.example.test/patients");
  private static RedisServer server;
  private static RedisClient raw;

  private final TestClock clock = TestClock.startingNow();

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start();
    raw = RedisClient.create("127.0.0.1", server.port());
  }

  @AfterAll
  static void stopRedis() {
    if (raw != null) {
      raw.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private RedisReplayStore store() {
    return RedisReplayStore.builder(server.uri()).clock(clock).build();
  }

  private Instant in(Duration d) {
    return clock.instant().plus(d);
  }

  @Test
  void aKeyIsFirstUsedOnce() {
    try (RedisReplayStore store = store()) {
      assertThat(store.firstUse("once", in(Duration.ofMinutes(1)))).isTrue();
      assertThat(store.firstUse("once", in(Duration.ofMinutes(1)))).isFalse();
      assertThat(store.firstUse("other", in(Duration.ofMinutes(1)))).isTrue();
      assertThat(raw.get(RedisReplayStore.DEFAULT_KEY_PREFIX + "once")).isEqualTo("1");
    }
  }

  @Test
  void concurrentFirstUsesOnTwoInstancesHaveExactlyOneWinner() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (RedisReplayStore a = store(); RedisReplayStore b = store()) {
      for (int round = 0; round < 50; round++) {
        String key = "race-" + round + "-" + clock.millis();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          RedisReplayStore instance = t % 2 == 0 ? a : b;
          results.add(pool.submit(() -> {
            start.await();
            return instance.firstUse(key, in(Duration.ofMinutes(1)));
          }));
        }
        start.countDown();
        int winners = 0;
        for (Future<Boolean> result : results) {
          winners += result.get(10, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(winners).as(key).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // Entries expire with the proof window: Redis holds each key only until its deadline.
  @Test
  void keysExpireAtTheirDeadline() {
    try (RedisReplayStore store = store()) {
      store.firstUse("ttl", in(Duration.ofSeconds(61)));
      long ttl = raw.pttl(RedisReplayStore.DEFAULT_KEY_PREFIX + "ttl");
      assertThat(ttl).isBetween(55_000L, 61_000L);

      store.firstUse("short", in(Duration.ofMillis(1)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (raw.exists(RedisReplayStore.DEFAULT_KEY_PREFIX + "short") && System.nanoTime() < deadline) {
        Thread.onSpinWait(); // Redis expires the key by itself; we only watch for it going
      }
      assertThat(raw.exists(RedisReplayStore.DEFAULT_KEY_PREFIX + "short")).as("expired by Redis").isFalse();
      assertThat(store.firstUse("short", in(Duration.ofSeconds(60)))).isTrue();
      // A deadline already passed still sets a positive time to live (1 ms), never a key without expiry.
      store.firstUse("past", clock.instant().minusSeconds(5));
      assertThat(raw.pttl(RedisReplayStore.DEFAULT_KEY_PREFIX + "past")).isLessThanOrEqualTo(1L);
    }
  }

  @Test
  void theKeyPrefixSeparatesApis() {
    try (RedisReplayStore a = RedisReplayStore.builder(server.uri()).keyPrefix("api-a:").clock(clock).build();
        RedisReplayStore b = RedisReplayStore.builder(server.uri()).keyPrefix("api-b:").clock(clock).build()) {
      assertThat(a.firstUse("k", in(Duration.ofMinutes(1)))).isTrue();
      assertThat(b.firstUse("k", in(Duration.ofMinutes(1)))).isTrue();
      assertThat(raw.exists("api-a:k")).isTrue();
    }
  }

  // The acceptance test: two instances of an API, one Redis, a proof replayed to the other.
  @Test
  void aReplayToASecondVerifierSharingOneRedisIsRefused() {
    try (FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
        RedisReplayStore storeA = store();
        RedisReplayStore storeB = store()) {
      AccessTokenVerifier instanceA = issuer.verifierBuilder().dpop(DpopPolicy.defaults().withReplayStore(storeA)).build();
      AccessTokenVerifier instanceB = issuer.verifierBuilder().dpop(DpopPolicy.defaults().withReplayStore(storeB)).build();
      TestKey holder = TestKey.ecP256();
      String token = issuer.accessToken().dpopBound(holder).sign();
      String proof = issuer.dpopProof(holder, "GET", API).accessToken(token).sign();

      assertThat(instanceA.verify(TokenRequest.dpop(token, proof, "GET", API))).isNotNull();
      TokenVerificationException replay = catchThrowableOfType(TokenVerificationException.class,
          () -> instanceB.verify(TokenRequest.dpop(token, proof, "GET", API)));
      assertThat(replay.reason()).isEqualTo(TokenVerificationException.Reason.INVALID_DPOP_PROOF);
      assertThat(replay.getMessage()).contains("used before");
      String fresh = issuer.dpopProof(holder, "GET", API).accessToken(token).sign();
      assertThat(instanceB.verify(TokenRequest.dpop(token, fresh, "GET", API))).isNotNull();
    }
  }

  @Test
  void nothingListeningFailsClosedAt503WithinTheBoundedWait() throws Exception {
    int closedPort = RedisServer.freePort();
    try (FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
        RedisReplayStore down = RedisReplayStore.builder(URI.create("redis://127.0.0.1:" + closedPort))
            .timeouts(Duration.ofMillis(200), Duration.ofMillis(200)).clock(clock).build()) {
      AccessTokenVerifier verifier = issuer.verifierBuilder().dpop(DpopPolicy.defaults().withReplayStore(down)).build();
      TestKey holder = TestKey.ecP256();
      String token = issuer.accessToken().dpopBound(holder).sign();
      long started = System.nanoTime();
      TokenVerificationException e = catchThrowableOfType(TokenVerificationException.class, () -> verifier.verify(
          TokenRequest.dpop(token, issuer.dpopProof(holder, "GET", API).accessToken(token).sign(), "GET", API)));
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertThat(e.reason()).isEqualTo(TokenVerificationException.Reason.REPLAY_CHECK_UNAVAILABLE);
      assertThat(e.httpStatus()).isEqualTo(503);
      assertThat(e.isRetryable()).isTrue();
      assertThat(elapsedMillis).as("bounded by the timeouts, not hanging").isLessThan(3_000);
    }
  }

  @Test
  void aServerThatNeverAnswersFailsClosedAfterTheCommandTimeout() throws Exception {
    List<Socket> held = new CopyOnWriteArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (!silent.isClosed()) {
            held.add(silent.accept()); // accepts, then never reads or writes
          }
        } catch (IOException e) {
          // closed
        }
      }, "silent-redis");
      acceptor.setDaemon(true);
      acceptor.start();
      try (RedisReplayStore hanging = RedisReplayStore.builder(URI.create("redis://127.0.0.1:" + silent.getLocalPort()))
          .timeouts(Duration.ofMillis(200), Duration.ofMillis(300)).clock(clock).build()) {
        long started = System.nanoTime();
        assertThatThrownBy(() -> hanging.firstUse("k", in(Duration.ofMinutes(1))))
            .isInstanceOf(ReplayStoreUnavailableException.class)
            .hasMessageContaining("127.0.0.1:" + silent.getLocalPort());
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(elapsedMillis).isBetween(250L, 3_000L);
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  @Test
  void aRedisThatGoesAwayFailsClosedAndComesBack() {
    RedisServer own = RedisServer.start();
    try (RedisReplayStore store = RedisReplayStore.builder(own.uri()).timeouts(Duration.ofMillis(200), Duration.ofMillis(200))
        .clock(clock).build()) {
      assertThat(store.firstUse("before", in(Duration.ofMinutes(1)))).isTrue();
      own.close();
      assertThatThrownBy(() -> store.firstUse("during", in(Duration.ofMinutes(1))))
          .isInstanceOf(ReplayStoreUnavailableException.class);
    } finally {
      own.close();
    }
  }

  @Test
  void usesTheCredentialsOfTheUriAndNeverShowsThem() {
    try (RedisServer guarded = RedisServer.start("--requirepass", "s3cret-pass");
        RedisReplayStore right = RedisReplayStore.builder(URI.create("redis://:s3cret-pass@127.0.0.1:" + guarded.port() + "/2"))
            .clock(clock).build();
        RedisReplayStore wrong = RedisReplayStore.builder(URI.create("redis://:wrong@127.0.0.1:" + guarded.port()))
            .clock(clock).build()) {
      assertThat(right.firstUse("k", in(Duration.ofMinutes(1)))).isTrue();
      assertThat(right.firstUse("k", in(Duration.ofMinutes(1)))).isFalse();
      assertThatThrownBy(() -> wrong.firstUse("k", in(Duration.ofMinutes(1))))
          .isInstanceOf(ReplayStoreUnavailableException.class).message().doesNotContain("wrong");
      assertThat(right.toString()).doesNotContain("s3cret").contains("127.0.0.1:" + guarded.port() + "/2");
    }
  }

  @Test
  void theBuilderChecksItsArguments() {
    assertThatThrownBy(() -> RedisReplayStore.create(URI.create("http://127.0.0.1:6379"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisReplayStore.create(null)).isInstanceOf(NullPointerException.class);
    RedisReplayStore.Builder b = RedisReplayStore.builder(URI.create("redis://127.0.0.1:6379"));
    assertThatThrownBy(() -> b.timeouts(Duration.ZERO, Duration.ofMillis(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.timeouts(Duration.ofMillis(1), Duration.ofSeconds(31))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxConnections(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.keyPrefix("with space")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.keyPrefix("x".repeat(129))).isInstanceOf(IllegalArgumentException.class);
  }
}
