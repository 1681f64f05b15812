package dev.tokenguard;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tokenguard.internal.BoundedHttpFetcher;
import dev.tokenguard.internal.BoundedHttpFetcher.FetchException;
import java.net.URI;
import java.security.Provider;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the issuer's JWKS (from a configured URI or through discovery) and keeps the last result
 * as an immutable {@link Snapshot} in a one-entry Caffeine cache, which also makes every fetch
 * single-flight. Thread-safe.
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
 *       fetch started after the miss did not contain is remembered for a while (negative cache). A fetch that was already under way when the miss
 *       came may predate the key, so its answer is followed by one rate-limited refetch.
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

  /** Everything the key source needs; built by {@link AccessTokenVerifier.Builder}. */
  static final class Settings {
    String issuer;
    URI jwksUri;
    BoundedHttpFetcher fetcher;
    Clock clock;
    Provider provider;
    Duration minTtl;
    Duration maxTtl;
    Duration defaultTtl;
    Duration staleTolerance;
    Duration refetchInterval;
    Duration negativeCacheTtl;
    int maxKeys;
    KeySourceListener listener;
    Executor executor;
  }

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

  /** A discovery or JWKS document that arrived but cannot be used; the message is safe to log. */
  private static final class Unusable extends Exception {
    private static final long serialVersionUID = 1L;
    final URI uri;

    Unusable(URI uri, String message) {
      super(message, null, false, false);
      this.uri = uri;
    }
  }

  private final Settings settings;
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
  private volatile URI resolvedJwksUri;
  private volatile Instant lastSuccess;
  private volatile Instant lastFailure;
  private volatile String lastFailureReason;
  // Guarded by missLock: the unknown-kid refetch rate limit.
  private boolean missRefetched;
  private long lastMissRefetchMillis;

  RemoteKeySource(Settings settings) {
    this.settings = settings;
    this.resolvedJwksUri = settings.jwksUri;
    Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(settings.clock.millis());
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

  /** A daemon executor for fetches: at most one thread, gone when idle. */
  static Executor defaultExecutor() {
    return new ThreadPoolExecutor(
        0,
        1,
        30,
        TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(),
        runnable -> {
          Thread thread = new Thread(runnable, "tokenguard-jwks-fetch");
          thread.setDaemon(true);
          return thread;
        });
  }

  @Override
  public KeySet keys() {
    Instant now = settings.clock.instant();
    Snapshot snapshot = current();
    if (snapshot == null || mustWait(snapshot, now)) {
      snapshot = await(fetchNow());
    } else if (!now.isBefore(snapshot.refreshAt)) {
      fetchNow(); // refresh ahead (or retry while serving stale keys) without waiting
    }
    if (snapshot.keys == null) {
      throw unavailable(snapshot.failure);
    }
    if (!now.isBefore(snapshot.freshUntil)) {
      KeySet keys = snapshot.keys;
      Instant at = now;
      notifyListener(l -> l.staleKeysServed(Duration.between(keys.fetchedAt(), at)));
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
    for (int attempt = 0; attempt < 2; attempt++) {
      CompletableFuture<Snapshot> pending;
      synchronized (missLock) {
        Snapshot latest = current();
        if (latest != null && latest.keys != null && latest.keys != current && latest.keys.byKid(kid) != null) {
          return latest.keys; // a refresh since the caller looked brought the key
        }
        pending = inFlight(); // join the fetch under way
        if (pending == null) {
          long now = settings.clock.millis();
          if (!missRefetched || now - lastMissRefetchMillis >= settings.refetchInterval.toMillis()) {
            missRefetched = true;
            lastMissRefetchMillis = now;
            pending = fetchNow();
          }
        }
      }
      if (pending == null) {
        LOG.debug("Unknown kid {}: refetch suppressed by the rate limit", Detail.quote(kid));
        notifyListener(l -> l.refetchSuppressed("unknown kid; the last refetch for an unknown kid was less than "
            + settings.refetchInterval.toSeconds() + " s ago"));
        return current;
      }
      Snapshot refreshed = awaitForMiss(pending, kid);
      if (refreshed == null || refreshed.keys == null) {
        return current;
      }
      current = refreshed.keys;
      if (refreshed.failure != null || current.byKid(kid) != null) {
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
  public void warmUp() {
    keys();
  }

  @Override
  public void invalidate() {
    resolvedJwksUri = settings.jwksUri;
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
      status = snapshot.failure != null || !settings.clock.instant().isBefore(snapshot.freshUntil)
          ? KeySourceHealth.Status.STALE
          : KeySourceHealth.Status.FRESH;
    }
    return new KeySourceHealth(status, lastSuccess, lastFailure, lastFailureReason, ids, fetchCount.get());
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

  private CompletableFuture<Snapshot> onFetchExecutor(java.util.function.Supplier<Snapshot> fetch) {
    try {
      return CompletableFuture.supplyAsync(fetch, settings.executor);
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

  /** The fetch's snapshot, or null when it takes longer than {@link #MISS_WAIT}. */
  private Snapshot awaitForMiss(CompletableFuture<Snapshot> pending, String kid) {
    try {
      return pending.get(MISS_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.debug("Unknown kid {}: the fetch takes longer than {}; refused without waiting further", Detail.quote(kid), MISS_WAIT);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | RuntimeException e) {
      return null;
    }
  }

  private static TokenVerificationException unavailable(String why) {
    return new TokenVerificationException(TokenVerificationException.Reason.KEYS_UNAVAILABLE, why);
  }

  /** One refresh: discovery if needed, the JWKS with one retry. Never throws for expected failures. */
  private Snapshot fetch(Snapshot old) {
    long number = fetchesStarted.incrementAndGet();
    URI uri = null;
    String reason;
    try {
      uri = jwksUri();
      BoundedHttpFetcher.Response response = fetchWithOneRetry(uri);
      Instant now = settings.clock.instant();
      KeySet keys;
      try {
        keys = KeySet.parse(response.bodyAsString(), settings.maxKeys, settings.provider, now);
      } catch (ParseException e) {
        throw new Unusable(uri, "the key set at " + uri + " is unusable: " + e.getMessage());
      }
      return succeeded(uri, keys, ttl(response.maxAgeSeconds()), old, now, number);
    } catch (FetchException e) {
      reason = e.getMessage(); // fetchOnce reported it to the listener already
      if (settings.jwksUri == null && uri != null && (e.status() == 404 || e.status() == 410)) {
        // A discovered or fallback URI that is not there: discover again on the next attempt, in
        // case discovery itself was briefly missing when the URI was chosen.
        resolvedJwksUri = null;
      }
    } catch (Unusable e) {
      reason = e.getMessage();
      URI where = e.uri;
      notifyListener(l -> l.fetchFailed(where, reason));
    } catch (RuntimeException e) {
      reason = "unexpected " + e.getClass().getSimpleName() + (uri == null ? "" : " fetching " + uri);
      URI where = uri != null ? uri : URI.create(settings.issuer);
      notifyListener(l -> l.fetchFailed(where, reason));
    }
    return failed(reason, old, settings.clock.instant(), number);
  }

  private Snapshot succeeded(URI uri, KeySet keys, Duration ttl, Snapshot old, Instant now, long number) {
    lastSuccess = now;
    if (failing.getAndSet(false)) {
      LOG.info("Fetching the issuer's keys from {} works again", uri);
    }
    KeySet before = old == null ? null : old.keys;
    if (before != null && !before.keyIds().equals(keys.keyIds())) {
      Set<String> added = new TreeSet<>(keys.keyIds());
      added.removeAll(before.keyIds());
      Set<String> removed = new TreeSet<>(before.keyIds());
      removed.removeAll(keys.keyIds());
      LOG.info("The issuer's key set changed: added kids {}, removed kids {}", Detail.quote(added), Detail.quote(removed));
    }
    LOG.debug("Fetched {} usable keys from {}; cache lifetime {}", keys.keyIds().size(), uri, ttl);
    notifyListener(l -> l.fetchSucceeded(uri, keys.keyIds().size()));
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
        LOG.warn("Fetching the issuer's keys failed: {}; serving the keys fetched at {} until {} at the latest",
            reason, old.keys.fetchedAt(), old.expiresAt);
      } else {
        LOG.warn("Fetching the issuer's keys failed: {}; verifications answer KEYS_UNAVAILABLE until a fetch works",
            reason);
      }
    } else {
      LOG.debug("Fetching the issuer's keys failed again: {}", reason);
    }
    if (serveOld) {
      long jitter = (long) (STALE_RETRY.toMillis() * ThreadLocalRandom.current().nextDouble(0, 0.2));
      Instant retry = now.plus(STALE_RETRY).plusMillis(jitter);
      return new Snapshot(old.keys, retry, old.freshUntil, old.expiresAt, reason, number);
    }
    Instant retry = now.plus(FAILURE_BACKOFF);
    return new Snapshot(null, retry, retry, retry, reason, number);
  }

  private Duration ttl(OptionalLong maxAge) {
    Duration ttl = maxAge.isPresent() ? Duration.ofSeconds(maxAge.getAsLong()) : settings.defaultTtl;
    if (ttl.compareTo(settings.minTtl) < 0) {
      return settings.minTtl;
    }
    return ttl.compareTo(settings.maxTtl) > 0 ? settings.maxTtl : ttl;
  }

  private BoundedHttpFetcher.Response fetchWithOneRetry(URI uri) throws FetchException {
    try {
      return fetchOnce(uri);
    } catch (FetchException e) {
      if (!e.retryable()) {
        throw e;
      }
      LOG.debug("Fetching {} failed ({}); retrying once", uri, e.getMessage());
      return fetchOnce(uri);
    }
  }

  private BoundedHttpFetcher.Response fetchOnce(URI uri) throws FetchException {
    fetchCount.incrementAndGet();
    notifyListener(l -> l.fetchStarted(uri));
    try {
      return settings.fetcher.get(uri);
    } catch (FetchException e) {
      String reason = uri + ": " + e.getMessage();
      notifyListener(l -> l.fetchFailed(uri, reason));
      throw new FetchException(reason, e.retryable(), e.status());
    }
  }

  /** The JWKS URI: configured, else discovered (OpenID Connect, then RFC 8414), else {@code {issuer}.well-known/jwks.json}. */
  private URI jwksUri() throws FetchException, Unusable {
    URI known = resolvedJwksUri;
    if (known != null) {
      return known;
    }
    String issuer = settings.issuer;
    String trimmed = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    URI issuerUri = URI.create(issuer);
    String path = issuerUri.getRawPath() == null ? "" : issuerUri.getRawPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String origin = issuerUri.getScheme() + "://" + issuerUri.getRawAuthority();
    URI[] candidates = {
      URI.create(trimmed + "/.well-known/openid-configuration"),
      URI.create(origin + "/.well-known/oauth-authorization-server" + path),
    };
    for (URI candidate : candidates) {
      BoundedHttpFetcher.Response response;
      try {
        response = fetchWithOneRetry(candidate);
      } catch (FetchException e) {
        if (e.status() == 404 || e.status() == 410) {
          continue;
        }
        throw e;
      }
      URI discovered = jwksUriFrom(candidate, response.bodyAsString());
      LOG.debug("Discovered the JWKS URI {} in {}", discovered, candidate);
      resolvedJwksUri = discovered;
      return discovered;
    }
    URI fallback = URI.create(trimmed + "/.well-known/jwks.json");
    LOG.debug("No discovery document for {}; using {}", issuer, fallback);
    resolvedJwksUri = fallback;
    return fallback;
  }

  private URI jwksUriFrom(URI source, String json) throws Unusable {
    Map<String, Object> metadata;
    try {
      metadata = Json.parseObject(json);
    } catch (ParseException e) {
      throw new Unusable(source, "the discovery document at " + source + " is not a JSON object");
    }
    Object reported = metadata.get("issuer");
    String issuer = settings.issuer;
    if (!issuer.equals(reported)) {
      String hint = "";
      if (reported instanceof String) {
        String r = (String) reported;
        if ((r + "/").equals(issuer) || (issuer + "/").equals(r)) {
          hint = " (they differ only by a trailing slash: configure the issuer exactly as the"
              + " discovery document and the tokens' iss claim spell it, " + Detail.quote(r) + ")";
        }
      }
      throw new Unusable(source, "the discovery document at " + source + " names the issuer "
          + Detail.quote(reported) + ", not the configured issuer " + Detail.quote(issuer) + hint);
    }
    Object jwks = metadata.get("jwks_uri");
    if (!(jwks instanceof String)) {
      throw new Unusable(source, "the discovery document at " + source + " has no jwks_uri");
    }
    try {
      return BoundedHttpFetcher.requireSecure(URI.create((String) jwks), "jwks_uri");
    } catch (IllegalArgumentException e) {
      throw new Unusable(source, "the discovery document at " + source + " names the jwks_uri "
          + Detail.quote(jwks) + ", which must use https (plain http is allowed only for loopback hosts)");
    }
  }

  private void notifyListener(Consumer<KeySourceListener> event) {
    KeySourceListener listener = settings.listener;
    if (listener == null) {
      return;
    }
    try {
      event.accept(listener);
    } catch (RuntimeException e) {
      if (listenerWarned.compareAndSet(false, true)) {
        LOG.warn("A KeySourceListener threw {}; ignored (further ones are logged at DEBUG)", e.getClass().getName());
      } else {
        LOG.debug("A KeySourceListener threw {}; ignored", e.getClass().getName());
      }
    }
  }
}
