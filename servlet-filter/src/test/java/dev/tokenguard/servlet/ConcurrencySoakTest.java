package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.KeySourceListener;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrency soak: client threads send a random mix of valid and invalid tokens through the
 * filter over HTTP while the issuer rotates its keys and its JWKS endpoint fails intermittently.
 * Every valid token must be accepted, every invalid one refused with its exact status and error,
 * the JWKS request count must stay within the bound that follows from the documented limits, and
 * no thread may outlive the run.
 *
 * <p><b>Time.</b> The run lasts {@code soak.seconds} of wall time (default 15) and at most
 * {@code soak.maxRequests} requests. The issuer and the verifier share a test clock that a chaos
 * task advances by {@link #STEP} every {@link #TICK} of wall time (25 times faster than real
 * time), so key-cache lifetimes, refresh-ahead, the unknown-{@code kid} rate limit and outage
 * retries all happen many times within the run without any sleep standing in for them. HTTP
 * timeouts stay real.
 *
 * <p><b>Issuer model.</b> The issuer serves its JWKS with {@code Cache-Control: max-age=60}; the
 * verifier uses the library's defaults. Like real issuers, the fake one publishes its next key
 * ahead of a rotation and signs with it only once it is published long enough for verifiers to
 * have refreshed ({@link FakeIssuer#publishNextKey()}, then {@link FakeIssuer#useKey(String)} once
 * {@link AccessTokenVerifier#keySourceHealth()} lists it). A key is unpublished two rotations
 * after it stopped signing; valid tokens are minted with the current key only. While the JWKS
 * endpoint answers 500, the keys fetched before keep serving, so valid tokens stay 200.
 *
 * <p><b>JWKS bound.</b> Every fetch attempt is the first load, a refresh-ahead or outage retry
 * (at least min(75 % of 60 s, 30 s) = 30 s after the attempt before), or an unknown-{@code kid}
 * refetch (at most one per 30 s); each attempt sends at most 2 requests (one retry on a 5xx). So
 * over T simulated seconds: requests &le; 2 &times; (1 + (T / 30 + 1) + (T / 30 + 1)).
 *
 * <p>Longer run: {@code mvn -B -ntp -pl servlet-filter -am verify -Psoak} runs only this test in
 * the module, for 120 s ({@code -Psoak -Dsoak.seconds=600} for ten minutes); without the profile,
 * {@code -Dtest=ConcurrencySoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dsoak.seconds=600}.
 * The figures are printed to the test's output file in {@code target/surefire-reports}.
 * Also {@code -Dsoak.threads} (8), {@code -Dsoak.rate} (total requests per second, 300),
 * {@code -Dsoak.seed}.
 */
class ConcurrencySoakTest {
  /** Simulated time added by each chaos tick. */
  static final Duration STEP = Duration.ofSeconds(5);
  /** Wall time between chaos ticks. */
  static final Duration TICK = Duration.ofMillis(200);
  static final Duration JWKS_MAX_AGE = Duration.ofSeconds(60);
  /** The library's unknown-kid refetch interval and outage retry interval (defaults). */
  static final Duration REFETCH_INTERVAL = Duration.ofSeconds(30);
  static final Duration MIN_ATTEMPT_SPACING = Duration.ofSeconds(30);

  private static final TestKey UNPUBLISHED = TestKey.rsa(2048);
  private static final AtomicLong UNKNOWN_KIDS = new AtomicLong();

  enum Scenario {
    VALID(200, null),
    MISSING_SCOPE(403, "insufficient_scope"),
    EXPIRED(401, "invalid_token"),
    TAMPERED_SIGNATURE(401, "invalid_token"),
    UNKNOWN_KEY(401, "invalid_token"),
    ID_TOKEN(401, "invalid_token"),
    NO_TOKEN(401, null),
    GARBAGE(401, "invalid_token");

    final int status;
    final String error;

    Scenario(int status, String error) {
      this.status = status;
      this.error = error;
    }
  }

  /** Everything one run measured. */
  static final class Result {
    final Map<Scenario, LongAdder> counts = new EnumMap<>(Scenario.class);
    final AtomicInteger mismatchCount = new AtomicInteger();
    final ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
    final List<long[]> latencies = new ArrayList<>();
    final LongAdder validDuringOutage = new LongAdder();
    final LongAdder validSignedByRetiredKey = new LongAdder();
    final LongAdder failedFetches = new LongAdder();
    final LongAdder staleServed = new LongAdder();
    final LongAdder suppressedRefetches = new LongAdder();
    int rotations;
    int outages;
    long maxPublishToSwitch;
    long simulatedSeconds;
    int jwksRequests;
    long wallMillis;
    int peakThreads;
    long threadsStarted;

    Result() {
      for (Scenario s : Scenario.values()) {
        counts.put(s, new LongAdder());
      }
    }

    long total() {
      return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    void mismatch(String detail) {
      if (mismatchCount.incrementAndGet() <= 50) {
        mismatches.add(detail);
      }
    }
  }

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void validTokensPassAndInvalidOnesFailWhileKeysRotateAndJwksFails() throws Exception {
    int seconds = Integer.getInteger("soak.seconds", 15);
    int threads = Integer.getInteger("soak.threads", 8);
    int rate = Integer.getInteger("soak.rate", 300);
    long maxRequests = Long.getLong("soak.maxRequests", (long) seconds * rate * 2);
    long seed = Long.getLong("soak.seed", 20261123L);

    Set<Thread> threadsBefore = liveThreads();
    int countBefore = threadsBefore.size();

    Result r = run(seconds, threads, rate, maxRequests, seed);

    // Thread leaks: everything the run started has to end. Threads end asynchronously after their
    // owners stop (the JDK HttpClient's selector thread once the client is unreachable), so poll
    // with a deadline. Two kinds may legitimately idle a little longer and are bounded: the
    // verifier's one key-fetch thread (idle time-out 30 s) and JDK common-pool workers.
    List<String> leaked = List.of();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      System.gc();
      leaked = newThreads(threadsBefore).stream()
          .filter(t -> !t.getName().equals("tokenguard-jwks-fetch") && !t.getName().startsWith("ForkJoinPool.commonPool-worker-"))
          .map(t -> t.getName() + " (" + t.getState() + ")")
          .collect(Collectors.toList());
      if (leaked.isEmpty()) {
        break;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    List<Thread> lingering = newThreads(threadsBefore);
    long fetchThreads = lingering.stream().filter(t -> t.getName().equals("tokenguard-jwks-fetch")).count();
    long commonPoolThreads = lingering.stream().filter(t -> t.getName().startsWith("ForkJoinPool.commonPool-worker-")).count();

    long simulated = r.simulatedSeconds;
    long bound = 2 * (1 + (simulated / MIN_ATTEMPT_SPACING.toSeconds() + 1) + (simulated / REFETCH_INTERVAL.toSeconds() + 1));
    long[] lat = r.latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();

    String report = String.format(Locale.ROOT,
        "soak: %d s wall (%d s simulated), %d threads, seed %d: %d requests %s; %d mismatches; "
            + "%d rotations (longest publish-to-use %d s simulated), %d JWKS outages, %d valid tokens served during outages, "
            + "%d valid tokens signed by a retired key (not asserted); JWKS requests %d (bound %d), failed fetches %d, "
            + "stale serves %d, suppressed refetches %d; threads before %d, peak %d, started during run %d, lingering after %s; "
            + "latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f",
        r.wallMillis / 1000, simulated, threads, seed, r.total(), r.counts, r.mismatchCount.get(),
        r.rotations, r.maxPublishToSwitch, r.outages, r.validDuringOutage.sum(), r.validSignedByRetiredKey.sum(),
        r.jwksRequests, bound, r.failedFetches.sum(), r.staleServed.sum(), r.suppressedRefetches.sum(),
        countBefore, r.peakThreads, r.threadsStarted, lingering.stream().map(Thread::getName).collect(Collectors.toList()),
        pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6);
    System.out.println(report);

    assertThat(r.mismatches).as("mismatches (%s)", report).isEmpty();
    assertThat(r.mismatchCount.get()).isZero();
    for (Scenario s : Scenario.values()) {
      assertThat(r.counts.get(s).sum()).as("requests of scenario %s", s).isPositive();
    }
    assertThat(r.total()).as("requests").isGreaterThanOrEqualTo(Math.min(500, maxRequests));
    assertThat(r.rotations).as("key rotations").isGreaterThanOrEqualTo(2);
    assertThat(r.outages).as("JWKS outages").isGreaterThanOrEqualTo(1);
    assertThat(r.failedFetches.sum()).as("fetches that met an outage").isPositive();
    assertThat(r.validDuringOutage.sum()).as("valid tokens accepted while the JWKS endpoint failed").isPositive();
    assertThat(r.jwksRequests).as("JWKS requests against the bound (%s)", report).isLessThanOrEqualTo((int) bound);
    assertThat(leaked).as("threads still alive 30 s after the run ended").isEmpty();
    assertThat(fetchThreads).as("key-fetch threads (one executor, at most one thread)").isLessThanOrEqualTo(1);
    assertThat(commonPoolThreads).as("JDK common-pool workers (bounded by its parallelism, idle time-out 60 s)")
        .isLessThanOrEqualTo(java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());
    assertThat(r.threadsStarted).as("threads started during %d requests: no thread per request", r.total())
        .isLessThan(Math.max(400, r.total() / 10));
    assertThat(pct(lat, 0.99)).as("p99 latency in ms (loose)").isLessThan(2000.0);
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
  }

  private static Set<Thread> liveThreads() {
    return new HashSet<>(Thread.getAllStackTraces().keySet());
  }

  private static List<Thread> newThreads(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !before.contains(t)).collect(Collectors.toList());
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return runnable -> {
      Thread t = new Thread(runnable, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Starts issuer, filter, clients and chaos; stops and closes all of them before returning. */
  private Result run(int seconds, int threadCount, int rate, long maxRequests, long seed) throws Exception {
    Result r = new Result();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    TestClock clock = TestClock.startingNow();
    ExecutorService verifierHttp = Executors.newFixedThreadPool(2, named("soak-verifier-http"));
    ExecutorService clientHttp = Executors.newFixedThreadPool(4, named("soak-client-http"));
    ExecutorService clients = Executors.newFixedThreadPool(threadCount, named("soak-client"));
    ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor(named("soak-chaos"));
    try (FakeIssuer issuer = FakeIssuer.builder().clock(clock).jwksMaxAge(JWKS_MAX_AGE).start()) {
      HttpClient verifierClient = HttpClient.newBuilder().executor(verifierHttp)
          .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(2)).build();
      AccessTokenVerifier verifier = issuer.httpVerifierBuilder()
          .httpClient(verifierClient)
          .keySourceListener(new KeySourceListener() {
            @Override
            public void fetchFailed(URI uri, String reason) {
              r.failedFetches.increment();
            }

            @Override
            public void staleKeysServed(Duration age) {
              r.staleServed.increment();
            }

            @Override
            public void refetchSuppressed(String reason) {
              r.suppressedRefetches.increment();
            }
          })
          .build();
      BearerTokenFilter filter = BearerTokenFilter.builder(verifier).realm("soak").requireScopes("/api/patients/*", "read:patients").build();
      int jwksBefore = issuer.jwksRequestCount();
      verifier.warmUp(); // keys were fetched once, so a 503 is never right below
      Instant simulatedStart = clock.instant();

      try (TestServer server = TestServer.start(filter)) {
        URI uri = server.uri("/api/patients/7");
        HttpClient client = HttpClient.newBuilder().executor(clientHttp).version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
        Set<String> retired = ConcurrentHashMap.newKeySet();
        Chaos chaosTask = new Chaos(issuer, verifier, clock, new Random(seed), retired, r);
        AtomicLong issued = new AtomicLong();
        long endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long periodNanos = TimeUnit.SECONDS.toNanos(1) * threadCount / Math.max(1, rate);
        mx.resetPeakThreadCount();
        long startedBefore = mx.getTotalStartedThreadCount();
        long wallStart = System.nanoTime();
        chaos.scheduleAtFixedRate(chaosTask, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        CountDownLatch done = new CountDownLatch(threadCount);
        for (int i = 0; i < threadCount; i++) {
          Random random = new Random(seed * 31 + i);
          long[] latencies = new long[(int) Math.min(maxRequests, 2_000_000)];
          int[] used = new int[1];
          r.latencies.add(latencies);
          clients.execute(() -> {
            try {
              long next = System.nanoTime();
              while (System.nanoTime() < endNanos && issued.incrementAndGet() <= maxRequests) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                  LockSupport.parkNanos(wait); // pacing only, to keep the 2-core CPU use sensible
                }
                next += periodNanos;
                Scenario s = Scenario.values()[random.nextInt(Scenario.values().length)];
                long took = oneRequest(client, uri, issuer, s, chaosTask, retired, r);
                if (used[0] < latencies.length) {
                  latencies[used[0]++] = took;
                }
              }
            } catch (RuntimeException | Error e) {
              r.mismatch("client thread died: " + e);
            } finally {
              done.countDown();
            }
          });
        }
        assertThat(done.await(seconds + 120L, TimeUnit.SECONDS)).as("client threads finished").isTrue();
        r.wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wallStart);
        chaos.shutdown();
        assertThat(chaos.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        issuer.healJwks();
        r.peakThreads = mx.getPeakThreadCount();
        r.threadsStarted = mx.getTotalStartedThreadCount() - startedBefore;
        for (int i = 0; i < r.latencies.size(); i++) {
          long[] l = r.latencies.get(i);
          int n = 0;
          while (n < l.length && l[n] != 0) {
            n++;
          }
          r.latencies.set(i, Arrays.copyOf(l, n));
        }
      }
      r.simulatedSeconds = Duration.between(simulatedStart, clock.instant()).toSeconds();
      r.jwksRequests = issuer.jwksRequestCount() - jwksBefore;
    } finally {
      clients.shutdownNow();
      chaos.shutdownNow();
      clientHttp.shutdownNow();
      verifierHttp.shutdownNow();
      for (ExecutorService e : List.of(clients, chaos, clientHttp, verifierHttp)) {
        assertThat(e.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      }
    }
    return r;
  }

  /** Sends one request of scenario {@code s}; returns its latency in nanoseconds. */
  private static long oneRequest(HttpClient client, URI uri, FakeIssuer issuer, Scenario s, Chaos chaos,
      Set<String> retired, Result r) {
    String token;
    String kid = null;
    switch (s) {
      case VALID:
        kid = issuer.currentKeyId();
        token = issuer.accessToken().scopes("read:patients").sign();
        break;
      case MISSING_SCOPE:
        token = issuer.accessToken().scopes("read:admin").sign();
        break;
      case EXPIRED:
        token = issuer.accessToken().scopes("read:patients").expired().sign();
        break;
      case TAMPERED_SIGNATURE:
        token = issuer.accessToken().scopes("read:patients").tamperedSignature().sign();
        break;
      case UNKNOWN_KEY:
        // A key the issuer never published, under a new kid each time (generating a fresh RSA key
        // per request would cost more CPU than everything else together).
        token = issuer.accessToken().scopes("read:patients")
            .signedWith(UNPUBLISHED.withKeyId("unknown-" + UNKNOWN_KIDS.incrementAndGet())).sign();
        break;
      case ID_TOKEN:
        token = issuer.idToken().sign();
        break;
      case NO_TOKEN:
        token = null;
        break;
      case GARBAGE:
        token = "not-a-jwt." + Long.toHexString(System.nanoTime()) + ".x";
        break;
      default:
        throw new IllegalStateException(s.name());
    }
    if (s == Scenario.VALID && token.indexOf('.') > 0) {
      // The kid the fixture put in the header (the key may have switched between the two calls).
      kid = kidOf(token, kid);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    boolean outage = chaos.failing;
    long start = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      r.mismatch(s + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
      return System.nanoTime() - start;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    long took = System.nanoTime() - start;
    r.counts.get(s).increment();
    if (s == Scenario.VALID && retired.contains(kid)) {
      r.validSignedByRetiredKey.increment(); // either answer is right: the verifier may not have refreshed yet
      return took;
    }
    String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
    boolean ok = response.statusCode() == s.status;
    if (ok && s.status != 200) {
      ok = challenge.startsWith("Bearer realm=\"soak\"")
          && (s.error == null ? challenge.equals("Bearer realm=\"soak\"") : challenge.contains("error=\"" + s.error + "\""));
    }
    if (ok && s.status == 200) {
      ok = response.body().contains("role:read:patients=true");
      if (outage) {
        r.validDuringOutage.increment();
      }
    }
    if (!ok) {
      r.mismatch(String.format(Locale.ROOT, "%s: expected %d, got %d, challenge [%s], body [%s], kid %s, outage %s",
          s, s.status, response.statusCode(), challenge, response.body().lines().findFirst().orElse(""), kid, outage));
    }
    return took;
  }

  private static String kidOf(String token, String fallback) {
    String header = new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
        java.nio.charset.StandardCharsets.UTF_8);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"kid\":\"([^\"]+)\"").matcher(header);
    return m.find() ? m.group(1) : fallback;
  }

  /**
   * Runs every tick: advances the clock, starts and ends JWKS outages at random, and rotates keys
   * the way issuers do (publish next, switch once verifiers have it, unpublish two back).
   */
  static final class Chaos implements Runnable {
    private final FakeIssuer issuer;
    private final AccessTokenVerifier verifier;
    private final TestClock clock;
    private final Random random;
    private final Set<String> retired;
    private final Result r;
    private final List<String> signingHistory = new ArrayList<>();
    volatile boolean failing;
    private int outageTicksLeft;
    private int ticksSinceSwitch;
    private String pending;
    private Instant pendingSince;

    Chaos(FakeIssuer issuer, AccessTokenVerifier verifier, TestClock clock, Random random, Set<String> retired, Result r) {
      this.issuer = issuer;
      this.verifier = verifier;
      this.clock = clock;
      this.random = random;
      this.retired = retired;
      this.r = r;
      signingHistory.add(issuer.currentKeyId());
    }

    @Override
    public void run() {
      try {
        clock.advance(STEP);
        // Outages of 2 to 6 ticks (10-30 s simulated), starting on about one tick in eight.
        if (failing && --outageTicksLeft <= 0) {
          issuer.healJwks();
          failing = false;
        } else if (!failing && random.nextInt(8) == 0) {
          outageTicksLeft = 2 + random.nextInt(5);
          r.outages++;
          failing = true;
          issuer.failJwks(FakeIssuer.JwksFailure.HTTP_500);
        }
        ticksSinceSwitch++;
        if (pending == null && ticksSinceSwitch >= 4) {
          pending = issuer.publishNextKey();
          pendingSince = clock.instant();
        } else if (pending != null && verifier.keySourceHealth().keyIds().contains(pending)) {
          r.maxPublishToSwitch = Math.max(r.maxPublishToSwitch, Duration.between(pendingSince, clock.instant()).toSeconds());
          issuer.useKey(pending);
          signingHistory.add(pending);
          pending = null;
          ticksSinceSwitch = 0;
          r.rotations++;
          if (signingHistory.size() > 3) {
            String old = signingHistory.remove(0);
            retired.add(old);
            issuer.unpublishKey(old);
          }
        }
      } catch (RuntimeException e) {
        r.mismatch("chaos task failed: " + e);
      }
    }
  }
}
