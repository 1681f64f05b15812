package dev.tokenguard;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokenguard.HttpFetcher.FetchException;
import dev.tokenguard.IssuerDiscovery.Unusable;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.Provider;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one trusted issuer's JWKS (from a configured URI, or where {@link IssuerDiscovery} finds
 * it) and keeps the last result as an immutable {@link Snapshot} in a one-entry Caffeine cache,
 * which also makes every fetch single-flight. Thread-safe.
 *
 * <p>How it behaves:
 *
 * <ul>
 *   <li>Single flight: at most one fetch is under way at any time (Caffeine coalesces loads and
 *       refreshes); every caller that needs one joins it.
 *   <li>Refresh ahead: from a jittered 75-90 % of the cache lifetime (the response's {@code
 *       Cache-Control: max-age} clamped to bounds) a request starts a background refresh and is
 *       served the cached keys without waiting, also past the lifetime while that refresh runs. A
 *       request waits on the network only when there are no keys yet, when a further whole
 *       lifetime passed without any refresh having been tried (an API idle that long), or when
 *       the keys outlived the stale tolerance.
 *   <li>Unknown {@code kid}: joins the fetch under way (waiting at most {@link #MISS_WAIT}),
 *       else refetches at most once per configured interval; a {@code kid} that a successful
 *       fetch started after the miss did not contain is remembered for a while (negative cache).
 *       A fetch that was already under way when the miss came may predate the key, so its answer
 *       is followed by one rate-limited refetch. A refetch for an unknown {@code kid} also looks
 *       the issuer's metadata up again, in case its {@code jwks_uri} moved.
 *   <li>Outages: a failed refresh keeps the last good keys until the stale tolerance runs out,
 *       retrying in the background about every 30 s; a warning is logged once per failure streak.
 *       With no keys at all, verifications fail fast with {@code KEYS_UNAVAILABLE} for {@link
 *       #FAILURE_BACKOFF} before the next attempt.
 * </ul>
 */
final class RemoteKeySource implements KeySource {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteKeySource.class);
  private static final String KEY = "jwks";
  /** After a failed fetch with no usable keys, requests fail fast for this long before retrying. */
  static final Duration FAILURE_BACKOFF = Duration.ofSeconds(5);
  /** While stale keys are served, the background retries about this often (plus up to 20 % jitter). */
  static final Duration STALE_RETRY = Duration.ofSeconds(30);
  /** Safety net for a request thread waiting on a fetch; every HTTP exchange has its own deadline. */
  private static final long MAX_WAIT_MILLIS = 60_000;
  /**
   * How long a request with an unknown {@code kid} waits for a fetch before it is refused as
   * UNKNOWN_KEY (the fetch goes on; a later request sees its keys). A healthy issuer answers well
   * within it; a slow one cannot make a flood of made-up kids hold request threads for the
   * length of its timeouts.
   */
  static final Duration MISS_WAIT = Duration.ofSeconds(1);
  /** How long a miss waits for Caffeine to let go of a refresh that has completed (see fetchNowOtherThan). */
  private static final long STALE_REFRESH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** The outcome of the last fetch: the keys (or null when there are none to serve) and when to act. */
  static final class Snapshot {
    /** The keys to serve, or null when no usable key set is at hand. */
    final KeySet keys;
    /** From here a request starts a background refresh (or, without keys, a new attempt). */
    final Instant refreshAt;
    /** The end of the keys' cache lifetime. */
    final Instant freshUntil;
    /** From here the keys are not served any more (lifetime plus stale tolerance). */
    final Instant expiresAt;
    /** Why the last fetch failed, or null after a success. */
    final String failure;
    /** The number of the fetch that made this snapshot (fetches are numbered as they start). */
    final long fetchNumber;

    Snapshot(KeySet keys, Instant refreshAt, Instant freshUntil, Instant expiresAt, String failure, long fetchNumber) {
      this.keys = keys;
      this.refreshAt = refreshAt;
      this.freshUntil = freshUntil;
      this.expiresAt = expiresAt;
      this.failure = failure;
      this.fetchNumber = fetchNumber;
    }
  }

  private final IssuerConfig config;
  private final KeyFetchSettings settings;
  private final Clock clock;
  private final Provider provider;
  private final KeySourceListener listener;
  private final Executor executor;
  private final HttpFetcher fetcher;
  /** Null when the JWKS URI is configured. */
  private final IssuerDiscovery discovery;
  /**
   * The one snapshot, under one key. Caffeine coalesces loads and refreshes: {@code get} starts the
   * first load or joins it, {@code refresh} starts a refresh or joins the one under way, and a
   * refresh that finishes after an invalidation is dropped. When to wait and when to refresh is
   * decided here, from the snapshot's own times.
   */
  private final AsyncLoadingCache<String, Snapshot> snapshots;
  private final Cache<String, Boolean> missingKids;
  private final AtomicLong fetchCount = new AtomicLong();
  /** Numbers fetches as they start, so a miss can tell a fetch that began after it from an older one. */
  private final AtomicLong fetchesStarted = new AtomicLong();
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicBoolean listenerWarned = new AtomicBoolean();
  private final Object missLock = new Object();
  /** Set by an unknown-kid refetch: the next fetch looks the issuer's metadata up again first. */
  private volatile boolean rediscover;
  private volatile URI lastJwksUri;
  private volatile Instant lastSuccess;
  private volatile Instant lastFailure;
  private volatile String lastFailureReason;
  // Guarded by missLock: the unknown-kid refetch rate limit.
  private boolean missRefetched;
  private long lastMissRefetchMillis;

  /**
   * A key source for the issuer of {@code config}, fetching with {@code client} (the issuer's own,
   * or a library client the verifier shares among its issuers) on {@code executor}.
   */
  RemoteKeySource(IssuerConfig config, HttpClient client, Clock clock, Provider provider, KeySourceListener listener,
      Executor executor) {
    this.config = config;
    this.settings = config.fetch;
    this.clock = clock;
    this.provider = provider;
    this.listener = listener;
    this.executor = executor;
    this.fetcher = new HttpFetcher(client, settings.readTimeout, settings.maxJwksBytes);
    this.discovery = config.jwksUri == null ? new IssuerDiscovery(config.issuer, settings, clock) : null;
    this.lastJwksUri = config.jwksUri;
    Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    this.snapshots =
        Caffeine.newBuilder()
            .executor(Runnable::run) // Caffeine's upkeep is trivial here; fetches run on the fetch executor
            .buildAsync(new AsyncCacheLoader<String, Snapshot>() {
              @Override
              public CompletableFuture<Snapshot> asyncLoad(String key, Executor unused) {
                return onFetchExecutor(() -> fetch(null));
              }

              @Override
              public CompletableFuture<Snapshot> asyncReload(String key, Snapshot old, Executor unused) {
                return onFetchExecutor(() -> fetch(old));
              }
            });
    this.missingKids =
        Caffeine.newBuilder()
            .ticker(ticker)
            .executor(Runnable::run)
            .maximumSize(10_000)
            .expireAfterWrite(settings.negativeCacheTtl)
            .build();
  }

  /**
   * A daemon executor for fetches: at most {@code threads} threads, each started when a fetch
   * needs it and gone after 30 s idle. Its threads have the platform class loader as context class
   * loader, so they never pin an application's class loader. A verifier gives it one thread per
   * issuer (each issuer fetches single-flight, so one slow issuer holds at most one thread and
   * never delays another's fetch), capped.
   */
  static ThreadPoolExecutor defaultExecutor(int threads) {
    ThreadPoolExecutor executor = new ThreadPoolExecutor(
        threads,
        threads,
        30,
        TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(),
        runnable -> {
          Thread thread = new Thread(runnable, "tokenguard-jwks-fetch");
          thread.setDaemon(true);
          thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
          return thread;
        });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  @Override
  public KeySet keys() {
    Instant now = clock.instant();
    Snapshot snapshot = current();
    Snapshot latest;
    if (snapshot == null || mustWait(snapshot, now)) {
      snapshot = await(fetchNow());
      latest = snapshot;
    } else if (!now.isBefore(snapshot.refreshAt)) {
      fetchNow(); // refresh ahead (or retry while serving stale keys) without waiting
      latest = current(); // the refresh's outcome when it already finished
    } else {
      latest = snapshot;
    }
    if (snapshot.keys == null) {
      throw unavailable(snapshot.failure);
    }
    if (latest != null && latest.failure != null && latest.keys == snapshot.keys && !now.isBefore(snapshot.freshUntil)) {
      // Past the lifetime because refreshing failed (not merely while a routine refresh runs).
      notifyListener(KeySourceEvent.staleKeysServed(config.issuer, Duration.between(snapshot.keys.fetchedAt(), now)));
    }
    return snapshot.keys;
  }

  /** Whether a request must wait for a fetch instead of using {@code snapshot} as it is. */
  private static boolean mustWait(Snapshot snapshot, Instant now) {
    if (snapshot.keys == null) {
      return !now.isBefore(snapshot.refreshAt); // the failure back-off is over
    }
    if (!now.isBefore(snapshot.expiresAt)) {
      return true; // beyond the stale tolerance
    }
    // A request past the lifetime starts a background refresh and is served the keys meanwhile
    // (stale-while-revalidate). After a whole further lifetime without any refresh having been
    // tried (an API idle that long), it waits for fresh keys rather than trust old ones.
    if (snapshot.failure != null) {
      return false;
    }
    Duration lifetime = Duration.between(snapshot.keys.fetchedAt(), snapshot.freshUntil);
    return !now.isBefore(snapshot.freshUntil.plus(lifetime));
  }

  @Override
  public KeySet keysAfterMiss(String kid, KeySet seen) {
    if (missingKids.getIfPresent(kid) != null) {
      return seen;
    }
    long startedBeforeMiss = fetchesStarted.get();
    KeySet current = seen;
    // At most twice: a fetch already under way may have left before the key was published, so when
    // it comes back without the kid, one refetch of our own (rate-limited) gets the final word.
    CompletableFuture<Snapshot> answered = null; // the fetch whose answer this miss has read
    for (int attempt = 0; attempt < 2; attempt++) {
      CompletableFuture<Snapshot> pending;
      synchronized (missLock) {
        Snapshot latest = current();
        if (latest != null && latest.keys != null && latest.keys != current && latest.keys.containsKid(kid)) {
          return latest.keys; // a refresh since the caller looked brought the key
        }
        pending = inFlight(); // join the fetch under way
        if (pending != null && pending == answered) {
          pending = null; // finished: the cache lists a refresh for a moment after it completed
        }
        if (pending == null) {
          pending = refetchForMiss(answered);
        }
      }
      if (pending == null) {
        LOG.debug("Unknown kid {}: refetch suppressed by the rate limit", Detail.quote(kid));
        notifyListener(KeySourceEvent.refetchSuppressed(config.issuer, "unknown kid; the last refetch for an unknown kid was less than "
            + settings.refetchInterval.toSeconds() + " s ago"));
        return current;
      }
      Snapshot refreshed = awaitForMiss(pending, kid);
      answered = pending;
      if (refreshed == null || refreshed.keys == null) {
        return current;
      }
      current = refreshed.keys;
      if (refreshed.failure != null || current.containsKid(kid)) {
        return current;
      }
      if (refreshed.fetchNumber > startedBeforeMiss) {
        missingKids.put(kid, Boolean.TRUE); // a fetch that began after the miss did not find it
        return current;
      }
    }
    return current;
  }

  @Override
  public void invalidate() {
    if (discovery != null) {
      rediscover = true;
    }
    snapshots.synchronous().invalidateAll();
    missingKids.invalidateAll();
    LOG.debug("Cached keys invalidated; the next verification fetches them again");
  }

  @Override
  public KeySourceHealth health() {
    Snapshot snapshot = current();
    KeySourceHealth.Status status;
    Set<String> ids = Set.of();
    if (snapshot == null) {
      status = KeySourceHealth.Status.NOT_LOADED;
    } else if (snapshot.keys == null) {
      status = KeySourceHealth.Status.UNAVAILABLE;
    } else {
      ids = snapshot.keys.keyIds();
      status = snapshot.failure != null || !clock.instant().isBefore(snapshot.freshUntil)
          ? KeySourceHealth.Status.STALE
          : KeySourceHealth.Status.FRESH;
    }
    return new KeySourceHealth(config.issuer, lastJwksUri, status, lastSuccess, lastFailure, lastFailureReason, ids, fetchCount.get());
  }

  /** The last completed snapshot, or null before the first fetch finished. */
  private Snapshot current() {
    CompletableFuture<Snapshot> present = snapshots.getIfPresent(KEY);
    return present != null && present.isDone() && !present.isCompletedExceptionally() ? present.join() : null;
  }

  /** The fetch under way (first load or refresh), or null. */
  private CompletableFuture<Snapshot> inFlight() {
    CompletableFuture<Snapshot> present = snapshots.getIfPresent(KEY);
    if (present != null && !present.isDone()) {
      return present;
    }
    return snapshots.synchronous().policy().refreshes().get(KEY);
  }

  /** Starts a fetch, or joins the one under way. */
  private CompletableFuture<Snapshot> fetchNow() {
    CompletableFuture<Snapshot> present = snapshots.getIfPresent(KEY);
    if (present == null || !present.isDone()) {
      return snapshots.get(KEY);
    }
    return snapshots.synchronous().refresh(KEY);
  }

  /**
   * A fetch of the miss's own, or null when the last one was less than the refetch interval ago.
   * Called under {@code missLock}.
   */
  private CompletableFuture<Snapshot> refetchForMiss(CompletableFuture<Snapshot> answered) {
    long now = clock.millis();
    if (missRefetched && now - lastMissRefetchMillis < settings.refetchInterval.toMillis()) {
      return null;
    }
    missRefetched = true;
    lastMissRefetchMillis = now;
    // The kid may be published at a JWKS URI the metadata names now: look it up again (rate-limited
    // with this refetch).
    rediscover = true;
    return fetchNowOtherThan(answered);
  }

  /**
   * {@link #fetchNow()}, but never {@code answered}: a refresh Caffeine still lists for the few
   * microseconds between its completion and its removal, which {@code refresh} would hand back
   * instead of starting a fetch. Waits for that removal at most {@link #STALE_REFRESH_WAIT_NANOS};
   * null when it has not happened by then (the miss is then answered as a suppressed refetch).
   */
  private CompletableFuture<Snapshot> fetchNowOtherThan(CompletableFuture<Snapshot> answered) {
    long deadline = System.nanoTime() + STALE_REFRESH_WAIT_NANOS;
    CompletableFuture<Snapshot> pending = fetchNow();
    while (pending == answered && System.nanoTime() < deadline) {
      LockSupport.parkNanos(50_000);
      pending = fetchNow();
    }
    return pending == answered ? null : pending;
  }

  private CompletableFuture<Snapshot> onFetchExecutor(java.util.function.Supplier<Snapshot> fetch) {
    try {
      return CompletableFuture.supplyAsync(fetch, executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(fetch.get());
    }
  }

  private Snapshot await(CompletableFuture<Snapshot> future) {
    try {
      return future.get(MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while waiting for the issuer's keys");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw unavailable("loading the issuer's keys failed: " + cause.getClass().getSimpleName());
    }
  }

  /** The fetch's snapshot, or null when it takes longer than the wait for a miss ({@link #MISS_WAIT} unless a test says). */
  private Snapshot awaitForMiss(CompletableFuture<Snapshot> pending, String kid) {
    try {
      return pending.get(settings.missWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.debug("Unknown kid {}: the fetch takes longer than {}; refused without waiting further", Detail.quote(kid), settings.missWait);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | RuntimeException e) {
      return null;
    }
  }

  private TokenVerificationException unavailable(String why) {
    return new TokenVerificationException(TokenVerificationException.Reason.KEYS_UNAVAILABLE,
        "issuer " + Detail.quote(config.issuer) + ": " + why);
  }

  /** One refresh: discovery if needed, the JWKS with one retry. Never throws for expected failures. */
  private Snapshot fetch(Snapshot old) {
    long number = fetchesStarted.incrementAndGet();
    URI uri = null;
    String reason;
    try {
      uri = jwksUri();
      HttpFetcher.Response response = fetchWithOneRetry(uri, HttpFetcher.ACCEPT_JWKS);
      Instant now = clock.instant();
      KeySet keys;
      try {
        keys = KeySet.parse(response.bodyAsString(), settings.maxKeys, provider, now);
      } catch (ParseException e) {
        throw new Unusable(uri, "the key set at " + uri + " is unusable: " + e.getMessage());
      }
      return succeeded(uri, keys, settings.ttl(response.maxAgeSeconds()), old, now, number);
    } catch (FetchException e) {
      reason = e.getMessage(); // fetchOnce reported it to the listener already
      if (discovery != null && uri != null && (e.status() == 404 || e.status() == 410)) {
        // A discovered or fallback URI that is not there: look the metadata up again on the next
        // attempt, in case discovery itself was briefly missing when the URI was chosen.
        discovery.forget();
      }
    } catch (Unusable e) {
      reason = e.getMessage();
      notifyListener(KeySourceEvent.fetchFailed(config.issuer, e.uri, reason));
    } catch (RuntimeException e) {
      reason = "unexpected " + e.getClass().getSimpleName() + (uri == null ? "" : " fetching " + uri);
      notifyListener(KeySourceEvent.fetchFailed(config.issuer, uri != null ? uri : URI.create(config.issuer), reason));
    }
    return failed(reason, old, clock.instant(), number);
  }

  /** The configured JWKS URI, else the one the issuer's metadata names (looked up again when asked to). */
  private URI jwksUri() throws FetchException, Unusable {
    if (discovery == null) {
      return config.jwksUri;
    }
    if (rediscover) {
      rediscover = false;
      discovery.forget();
    }
    URI uri = discovery.jwksUri(this::fetchWithOneRetry);
    lastJwksUri = uri;
    return uri;
  }

  private Snapshot succeeded(URI uri, KeySet keys, Duration ttl, Snapshot old, Instant now, long number) {
    lastSuccess = now;
    if (failing.getAndSet(false)) {
      LOG.info("Fetching the keys of issuer {} from {} works again", Detail.quote(config.issuer), uri);
    }
    KeySet before = old == null ? null : old.keys;
    if (before != null && !before.keyIds().equals(keys.keyIds())) {
      Set<String> added = new TreeSet<>(keys.keyIds());
      added.removeAll(before.keyIds());
      Set<String> removed = new TreeSet<>(before.keyIds());
      removed.removeAll(keys.keyIds());
      LOG.info("The key set of issuer {} changed: added kids {}, removed kids {}", Detail.quote(config.issuer),
          Detail.quote(added), Detail.quote(removed));
    }
    LOG.debug("Fetched {} usable keys from {}; cache lifetime {}", keys.keyIds().size(), uri, ttl);
    notifyListener(KeySourceEvent.fetchSucceeded(config.issuer, uri, keys.keyIds().size()));
    // Refresh ahead at 75-90 % of the lifetime, jittered so a fleet of instances does not fetch in step.
    long aheadMillis = (long) (ttl.toMillis() * ThreadLocalRandom.current().nextDouble(0.75, 0.90));
    Instant freshUntil = now.plus(ttl);
    return new Snapshot(keys, now.plusMillis(aheadMillis), freshUntil, freshUntil.plus(settings.staleTolerance), null, number);
  }

  private Snapshot failed(String reason, Snapshot old, Instant now, long number) {
    lastFailure = now;
    lastFailureReason = reason;
    boolean serveOld = old != null && old.keys != null && now.isBefore(old.expiresAt);
    if (!failing.getAndSet(true)) {
      if (serveOld) {
        OperatorLog.warn(LOG, "Fetching the keys of issuer " + Detail.quote(config.issuer) + " failed: " + reason
            + "; serving the keys fetched at " + old.keys.fetchedAt() + " until " + old.expiresAt + " at the latest");
      } else {
        OperatorLog.warn(LOG, "Fetching the keys of issuer " + Detail.quote(config.issuer) + " failed: " + reason
            + "; verifications answer KEYS_UNAVAILABLE until a fetch works");
      }
    } else {
      LOG.debug("Fetching the keys of issuer {} failed again: {}", Detail.quote(config.issuer), reason);
    }
    if (serveOld) {
      long jitter = (long) (STALE_RETRY.toMillis() * ThreadLocalRandom.current().nextDouble(0, 0.2));
      Instant retry = now.plus(STALE_RETRY).plusMillis(jitter);
      return new Snapshot(old.keys, retry, old.freshUntil, old.expiresAt, reason, number);
    }
    Instant retry = now.plus(FAILURE_BACKOFF);
    return new Snapshot(null, retry, retry, retry, reason, number);
  }

  private HttpFetcher.Response fetchWithOneRetry(URI uri, String accept) throws FetchException {
    try {
      return fetchOnce(uri, accept);
    } catch (FetchException e) {
      if (!e.retryable()) {
        throw e;
      }
      LOG.debug("Fetching {} failed ({}); retrying once", uri, e.getMessage());
      return fetchOnce(uri, accept);
    }
  }

  private HttpFetcher.Response fetchOnce(URI uri, String accept) throws FetchException {
    fetchCount.incrementAndGet();
    notifyListener(KeySourceEvent.fetchStarted(config.issuer, uri));
    try {
      return fetcher.get(uri, accept);
    } catch (FetchException e) {
      String reason = uri + ": " + e.getMessage();
      notifyListener(KeySourceEvent.fetchFailed(config.issuer, uri, reason));
      throw new FetchException(reason, e.retryable(), e.status());
    }
  }

  private void notifyListener(KeySourceEvent event) {
    if (listener == null) {
      return;
    }
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      if (listenerWarned.compareAndSet(false, true)) {
        LOG.warn("A KeySourceListener threw {}; ignored (further ones are logged at DEBUG)", e.getClass().getName());
      } else {
        LOG.debug("A KeySourceListener threw {}; ignored", e.getClass().getName());
      }
    }
  }
}
