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
 * <p><b>Time and determinism.</b> The run lasts at least {@code soak.seconds} of wall time
 * (default 15), and goes on until it has covered what the assertions need (every scenario, {@link
 * #MIN_REQUESTS} requests, two key rotations, a JWKS fetch that met an outage, a valid token
 * accepted during one), at most {@code soak.maxRequests} requests. Nothing the assertions check
 * follows a timer: a chaos step runs after every {@link #REQUESTS_PER_STEP}th request and advances
 * the test clock the issuer and the verifier share by {@link #STEP}, so key-cache lifetimes,
 * refresh-ahead, the unknown-{@code kid} rate limit and outage retries happen many times within the
 * run without any sleep standing in for them; an outage fails the next few JWKS <em>requests</em>
 * ({@link FakeIssuer#failJwks(FakeIssuer.JwksFailure, int)}), so it lasts until the verifier has
 * met it, whatever the scheduling. Wall time only paces the clients and ends the run; HTTP
 * timeouts stay real. Latencies are reported, not asserted.
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
  /** Simulated time added by each chaos step. */
  static final Duration STEP = Duration.ofSeconds(5);
  /** Requests between chaos steps (at the default rate, about five steps per second of wall time). */
  static final int REQUESTS_PER_STEP = 60;
  /** The run does not end before this many requests were answered. */
  static final int MIN_REQUESTS = 500;
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
    /** Whether the verifier's last JWKS request failed: it is serving the keys it fetched before. */
    volatile boolean outageSeen;
    // Written by the chaos step only (under its lock), read by the clients.
    volatile int steps;
    volatile int rotations;
    volatile int outages;
    volatile long maxPublishToSwitch;
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

    /** Whether the run has seen everything the assertions need; cheap enough to ask per request. */
    boolean covered() {
      for (LongAdder count : counts.values()) {
        if (count.sum() == 0) {
          return false;
        }
      }
      return total() >= MIN_REQUESTS && rotations >= 2 && outages >= 1 && failedFetches.sum() > 0
          && validDuringOutage.sum() > 0;
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
        "soak: %d s wall (%d s simulated in %d chaos steps), %d threads, seed %d: %d requests %s; %d mismatches; "
            + "%d rotations (longest publish-to-use %d s simulated), %d JWKS outages, %d valid tokens served during outages, "
            + "%d valid tokens signed by a retired key (not asserted); JWKS requests %d (bound %d), failed fetches %d, "
            + "stale serves %d, suppressed refetches %d; threads before %d, peak %d, started during run %d, lingering after %s; "
            + "latency ms p50 %.1f p90 %.1f p99 %.1f max %.1f",
        r.wallMillis / 1000, simulated, r.steps, threads, seed, r.total(), r.counts, r.mismatchCount.get(),
        r.rotations, r.maxPublishToSwitch, r.outages, r.validDuringOutage.sum(), r.validSignedByRetiredKey.sum(),
        r.jwksRequests, bound, r.failedFetches.sum(), r.staleServed.sum(), r.suppressedRefetches.sum(),
        countBefore, r.peakThreads, r.threadsStarted, lingering.stream().map(Thread::getName).collect(Collectors.toList()),
        pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99), lat.length == 0 ? 0 : lat[lat.length - 1] / 1e6);
    System.out.println(report);

    assertThat(r.mismatches).as("mismatches (%s)", report).isEmpty();
    assertThat(r.mismatchCount.get()).isZero();
    // Coverage: the run goes on until all of this happened, so these fail only when the soak
    // cannot reach it within soak.maxRequests requests (a verifier that stops refreshing, say).
    for (Scenario s : Scenario.values()) {
      assertThat(r.counts.get(s).sum()).as("requests of scenario %s (%s)", s, report).isPositive();
    }
    assertThat(r.total()).as("requests (%s)", report).isGreaterThanOrEqualTo(Math.min(MIN_REQUESTS, maxRequests));
    assertThat(r.rotations).as("key rotations (%s)", report).isGreaterThanOrEqualTo(2);
    assertThat(r.outages).as("JWKS outages (%s)", report).isGreaterThanOrEqualTo(1);
    assertThat(r.failedFetches.sum()).as("fetches that met an outage (%s)", report).isPositive();
    assertThat(r.validDuringOutage.sum()).as("valid tokens accepted while the JWKS endpoint failed (%s)", report)
        .isPositive();
    assertThat(r.jwksRequests).as("JWKS requests against the bound (%s)", report).isLessThanOrEqualTo((int) bound);
    assertThat(leaked).as("threads still alive 30 s after the run ended").isEmpty();
    assertThat(fetchThreads).as("key-fetch threads (one executor, at most one thread)").isLessThanOrEqualTo(1);
    assertThat(commonPoolThreads).as("JDK common-pool workers (bounded by its parallelism, idle time-out 60 s)")
        .isLessThanOrEqualTo(java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());
    assertThat(r.threadsStarted).as("threads started during %d requests: no thread per request", r.total())
        .isLessThan(Math.max(400, r.total() / 10));
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

  /** Starts issuer, filter and clients; stops and closes all of them before returning. */
  private Result run(int seconds, int threadCount, int rate, long maxRequests, long seed) throws Exception {
    Result r = new Result();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    TestClock clock = TestClock.startingNow();
    ExecutorService verifierHttp = Executors.newFixedThreadPool(2, named("soak-verifier-http"));
    ExecutorService clientHttp = Executors.newFixedThreadPool(4, named("soak-client-http"));
    ExecutorService clients = Executors.newFixedThreadPool(threadCount, named("soak-client"));
    try (FakeIssuer issuer = FakeIssuer.builder().clock(clock).jwksMaxAge(JWKS_MAX_AGE).start()) {
      HttpClient verifierClient = HttpClient.newBuilder().executor(verifierHttp)
          .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(2)).build();
      AccessTokenVerifier verifier = issuer.httpVerifierBuilder()
          .httpClient(verifierClient)
          .keySourceListener(event -> {
            switch (event.type()) {
              case FETCH_SUCCEEDED:
                r.outageSeen = false;
                break;
              case FETCH_FAILED:
                r.failedFetches.increment();
                r.outageSeen = true;
                break;
              case STALE_KEYS_SERVED:
                r.staleServed.increment();
                break;
              case REFETCH_SUPPRESSED:
                r.suppressedRefetches.increment();
                break;
              default:
                break;
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
        Chaos chaos = new Chaos(issuer, verifier, clock, new Random(seed), retired, r);
        AtomicLong issued = new AtomicLong();
        long endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long periodNanos = TimeUnit.SECONDS.toNanos(1) * threadCount / Math.max(1, rate);
        mx.resetPeakThreadCount();
        long startedBefore = mx.getTotalStartedThreadCount();
        long wallStart = System.nanoTime();
        CountDownLatch done = new CountDownLatch(threadCount);
        for (int i = 0; i < threadCount; i++) {
          Random random = new Random(seed * 31 + i);
          long[] latencies = new long[(int) Math.min(maxRequests, 2_000_000)];
          int[] used = new int[1];
          r.latencies.add(latencies);
          clients.execute(() -> {
            try {
              long next = System.nanoTime();
              // At least the wall duration, then on until the run covered what the assertions need.
              while (System.nanoTime() < endNanos || !r.covered()) {
                long n = issued.incrementAndGet();
                if (n > maxRequests) {
                  break;
                }
                long wait = next - System.nanoTime();
                if (wait > 0) {
                  LockSupport.parkNanos(wait); // pacing only, to keep the 2-core CPU use sensible
                }
                next += periodNanos;
                Scenario s = Scenario.values()[random.nextInt(Scenario.values().length)];
                long took = oneRequest(client, uri, issuer, s, retired, r);
                if (used[0] < latencies.length) {
                  latencies[used[0]++] = took;
                }
                if (n % REQUESTS_PER_STEP == 0) {
                  chaos.step(); // driven by the request count, never by a timer
                }
              }
            } catch (RuntimeException | Error e) {
              r.mismatch("client thread died: " + e);
            } finally {
              done.countDown();
            }
          });
        }
        // A guard against a hang, not a measurement: the run itself ends by request count.
        assertThat(done.await(10, TimeUnit.MINUTES)).as("client threads finished").isTrue();
        r.wallMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wallStart);
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
      clientHttp.shutdownNow();
      verifierHttp.shutdownNow();
      for (ExecutorService e : List.of(clients, clientHttp, verifierHttp)) {
        assertThat(e.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      }
    }
    return r;
  }

  /** Sends one request of scenario {@code s}; returns its latency in nanoseconds. */
  private static long oneRequest(HttpClient client, URI uri, FakeIssuer issuer, Scenario s, Set<String> retired,
      Result r) {
    String token;
    String kid = null;
    switch (s) {
      case VALID:
        kid = issuer.currentKeyId();
        token = issuer.accessToken().scopes("read:patients").sign();
        break;
      case MISSING_SCOPE:
        kid = issuer.currentKeyId();
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
    if ((s == Scenario.VALID || s == Scenario.MISSING_SCOPE) && token.indexOf('.') > 0) {
      // The kid the fixture put in the header (the key may have switched between the two calls).
      kid = kidOf(token, kid);
    }
    // The timeout guards against a hang; an answer normally takes milliseconds.
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    boolean outage = r.outageSeen;
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
    if (kid != null && retired.contains(kid)) {
      // Signed by a key retired while the request was on its way: either answer is right (the
      // verifier may or may not have refreshed since), so only VALID ones are counted.
      if (s == Scenario.VALID) {
        r.validSignedByRetiredKey.increment();
      }
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
   * One chaos step, run by the client whose request number is a multiple of {@link
   * #REQUESTS_PER_STEP}: advances the clock, starts JWKS outages at random (each failing the next
   * few JWKS requests, so it always meets the verifier), and rotates keys the way issuers do
   * (publish next, switch once verifiers have it, unpublish two back). The random choices come from
   * the seed in step order, so the same steps make the same choices whatever the thread timing.
   */
  static final class Chaos {
    private final FakeIssuer issuer;
    private final AccessTokenVerifier verifier;
    private final TestClock clock;
    private final Random random;
    private final Set<String> retired;
    private final Result r;
    private final List<String> signingHistory = new ArrayList<>();
    private int failedFetchesBefore;
    private boolean outageOpen;
    private int stepsSinceSwitch;
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

    synchronized void step() {
      try {
        r.steps++;
        clock.advance(STEP);
        // An outage is over once the verifier fetched successfully after meeting it; the next one
        // starts on about one step in eight, failing the next 2 to 6 JWKS requests (one or more
        // fetch attempts of one request and one retry each).
        if (outageOpen && r.failedFetches.sum() > failedFetchesBefore && !r.outageSeen) {
          outageOpen = false;
        }
        if (!outageOpen && random.nextInt(8) == 0) {
          failedFetchesBefore = (int) r.failedFetches.sum();
          issuer.failJwks(FakeIssuer.JwksFailure.HTTP_500, 2 + random.nextInt(5));
          outageOpen = true;
          r.outages++;
        }
        stepsSinceSwitch++;
        if (pending == null && stepsSinceSwitch >= 4) {
          pending = issuer.publishNextKey();
          pendingSince = clock.instant();
        } else if (pending != null && verifier.keySourceHealth().get(0).keyIds().contains(pending)) {
          r.maxPublishToSwitch = Math.max(r.maxPublishToSwitch, Duration.between(pendingSince, clock.instant()).toSeconds());
          issuer.useKey(pending);
          signingHistory.add(pending);
          pending = null;
          stepsSinceSwitch = 0;
          r.rotations++;
          if (signingHistory.size() > 3) {
            String old = signingHistory.remove(0);
            retired.add(old);
            issuer.unpublishKey(old);
          }
        }
      } catch (RuntimeException e) {
        r.mismatch("chaos step failed: " + e);
      }
    }
  }
}
