package dev.tokenguard;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.nimbusds.jose.util.JSONObjectUtils;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the issuer's JWKS (from a configured URI or through discovery) and keeps it in a
 * one-entry Caffeine cache. Caffeine gives single-flight loading and refreshing; this class decides
 * when to refresh (refresh-ahead with jitter, {@code Cache-Control: max-age} clamped to bounds),
 * rate-limits refetches caused by unknown {@code kid}s, remembers missing {@code kid}s briefly, and
 * keeps serving the last good keys through an outage for a bounded time. Thread-safe.
 */
final class RemoteKeySource implements KeySource {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteKeySource.class);
  private static final String KEY = "jwks";
  /** After a failed fetch with no usable keys, requests fail fast for this long before retrying. */
  static final Duration FAILURE_BACKOFF = Duration.ofSeconds(5);

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

  /** What the cache holds: the keys (or null after a failure with nothing to serve) and when to act. */
  static final class Snapshot {
    final KeySet keys;
    final Instant refreshAt;
    final Instant freshUntil;
    final Instant expiresAt;
    final String failure;

    Snapshot(KeySet keys, Instant refreshAt, Instant freshUntil, Instant expiresAt, String failure) {
      this.keys = keys;
      this.refreshAt = refreshAt;
      this.freshUntil = freshUntil;
      this.expiresAt = expiresAt;
      this.failure = failure;
    }
  }

  private final Settings settings;
  private final AsyncLoadingCache<String, Snapshot> cache;
  private final Cache<String, Boolean> missingKids;
  private final AtomicLong fetchCount = new AtomicLong();
  private final Object missLock = new Object();
  private volatile URI resolvedJwksUri;
  private volatile Instant lastSuccess;
  private volatile Instant lastFailure;
  private volatile String lastFailureReason;
  private volatile boolean failing;
  private long lastForcedRefetchMillis = Long.MIN_VALUE;
  private CompletableFuture<Snapshot> forcedRefetch;

  RemoteKeySource(Settings settings) {
    this.settings = settings;
    this.resolvedJwksUri = settings.jwksUri;
    Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(settings.clock.millis());
    this.cache =
        Caffeine.newBuilder()
            .ticker(ticker)
            .executor(settings.executor)
            .expireAfter(new SnapshotExpiry(settings.clock))
            .buildAsync(new Loader());
    this.missingKids =
        Caffeine.newBuilder()
            .ticker(ticker)
            .maximumSize(10_000)
            .expireAfterWrite(settings.negativeCacheTtl)
            .build();
  }

  /** A daemon executor for fetches: at most one thread, gone when idle. */
  static Executor defaultExecutor() {
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
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
    return executor;
  }

  @Override
  public KeySet keys() {
    Snapshot snapshot = await(cache.get(KEY));
    Instant now = settings.clock.instant();
    if (snapshot.keys == null) {
      throw unavailable(snapshot.failure);
    }
    if (!now.isBefore(snapshot.refreshAt)) {
      cache.synchronous().refresh(KEY);
    }
    if (!now.isBefore(snapshot.freshUntil)) {
      notifyListener(l -> l.staleKeysServed(Duration.between(snapshot.keys.fetchedAt(), now)));
    }
    return snapshot.keys;
  }

  @Override
  public KeySet keysAfterMiss(String kid, KeySet seen) {
    if (missingKids.getIfPresent(kid) != null) {
      return seen;
    }
    CompletableFuture<Snapshot> pending;
    synchronized (missLock) {
      CompletableFuture<Snapshot> present = cache.getIfPresent(KEY);
      Snapshot current = present != null && present.isDone() && !present.isCompletedExceptionally() ? present.join() : null;
      if (current != null && current.keys != null && current.keys != seen) {
        return current.keys; // someone refreshed since the caller looked
      }
      if (forcedRefetch != null && !forcedRefetch.isDone()) {
        pending = forcedRefetch;
      } else {
        long now = settings.clock.millis();
        if (lastForcedRefetchMillis != Long.MIN_VALUE
            && now - lastForcedRefetchMillis < settings.refetchInterval.toMillis()) {
          missingKids.put(kid, Boolean.TRUE);
          LOG.debug("Unknown kid {}: refetch suppressed by the rate limit", Detail.quote(kid));
          notifyListener(l -> l.refetchSuppressed("unknown kid; last refetch was less than "
              + settings.refetchInterval.toSeconds() + " s ago"));
          return seen;
        }
        lastForcedRefetchMillis = now;
        pending = forcedRefetch = cache.synchronous().refresh(KEY);
      }
    }
    Snapshot refreshed = await(pending);
    if (refreshed.keys == null) {
      return seen;
    }
    if (refreshed.keys.byKid(kid) == null) {
      missingKids.put(kid, Boolean.TRUE);
    }
    return refreshed.keys;
  }

  @Override
  public void warmUp() {
    keys();
  }

  @Override
  public void invalidate() {
    cache.synchronous().invalidateAll();
    missingKids.invalidateAll();
  }

  @Override
  public KeySourceHealth health() {
    CompletableFuture<Snapshot> present = cache.getIfPresent(KEY);
    Snapshot snapshot = present != null && present.isDone() && !present.isCompletedExceptionally() ? present.join() : null;
    KeySourceHealth.Status status;
    Set<String> ids = Set.of();
    if (snapshot == null) {
      status = KeySourceHealth.Status.NOT_LOADED;
    } else if (snapshot.keys == null) {
      status = KeySourceHealth.Status.UNAVAILABLE;
    } else {
      ids = snapshot.keys.keyIds();
      status = failing || !settings.clock.instant().isBefore(snapshot.freshUntil)
          ? KeySourceHealth.Status.STALE
          : KeySourceHealth.Status.FRESH;
    }
    return new KeySourceHealth(status, lastSuccess, lastFailure, lastFailureReason, ids, fetchCount.get());
  }

  private Snapshot await(CompletableFuture<Snapshot> future) {
    try {
      // The loader never fails and every fetch has its own deadline; this bound is a safety net.
      return future.get(settings.fetcher == null ? 30_000 : 60_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable("interrupted while waiting for the issuer's keys");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw unavailable("loading the issuer's keys failed: " + e.getClass().getSimpleName());
    }
  }

  private TokenVerificationException unavailable(String why) {
    return new TokenVerificationException(TokenVerificationException.Reason.KEYS_UNAVAILABLE, why);
  }

  /** Loads and reloads the snapshot. Never throws: a failure becomes a snapshot that says so. */
  private final class Loader implements CacheLoader<String, Snapshot> {
    @Override
    public Snapshot load(String key) {
      return fetch(null);
    }

    @Override
    public Snapshot reload(String key, Snapshot old) {
      return fetch(old);
    }
  }

  private Snapshot fetch(Snapshot old) {
    Instant now = settings.clock.instant();
    try {
      URI uri = jwksUri();
      BoundedHttpFetcher.Response response = fetchWithOneRetry(uri);
      KeySet keys = KeySet.parse(response.bodyAsString(), settings.maxKeys, settings.provider, now);
      Duration ttl = ttl(response.maxAgeSeconds());
      lastSuccess = now;
      if (failing) {
        LOG.info("Fetching the issuer's keys from {} works again", uri);
        failing = false;
      }
      notifyListener(l -> l.fetchSucceeded(uri, keys.keyIds().size()));
      LOG.debug("Fetched {} usable keys from {}; cache lifetime {}", keys.keyIds().size(), uri, ttl);
      // Refresh ahead, at 75-90 % of the lifetime, jittered so a fleet does not fetch in step.
      long aheadMillis = (long) (ttl.toMillis() * ThreadLocalRandom.current().nextDouble(0.75, 0.90));
      return new Snapshot(
          keys, now.plusMillis(aheadMillis), now.plus(ttl), now.plus(ttl).plus(settings.staleTolerance), null);
    } catch (FetchException | ParseException | RuntimeException e) {
      String reason = e instanceof RuntimeException && !(e instanceof IllegalStateException)
          ? "unexpected " + e.getClass().getSimpleName()
          : e.getMessage();
      lastFailure = now;
      lastFailureReason = reason;
      if (!failing) {
        failing = true;
        LOG.warn("Fetching the issuer's keys failed: {}{}", reason,
            old != null && old.keys != null ? "; serving the last good keys meanwhile" : "");
      } else {
        LOG.debug("Fetching the issuer's keys failed again: {}", reason);
      }
      if (old != null && old.keys != null && now.isBefore(old.expiresAt)) {
        Instant retry = now.plus(FAILURE_BACKOFF.multipliedBy(6)); // stale keys: retry every 30 s
        return new Snapshot(old.keys, retry, old.freshUntil, old.expiresAt, reason);
      }
      Instant retry = now.plus(FAILURE_BACKOFF);
      return new Snapshot(null, retry, retry, retry, reason);
    }
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

  /** The JWKS URI: configured, else discovered (OIDC, then RFC 8414), else Auth0's layout. */
  private URI jwksUri() throws FetchException, ParseException {
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
      URI discovered = jwksUriFrom(response.bodyAsString());
      resolvedJwksUri = discovered;
      return discovered;
    }
    URI fallback = URI.create(trimmed + "/.well-known/jwks.json");
    LOG.debug("No discovery document for {}; using {}", issuer, fallback);
    resolvedJwksUri = fallback;
    return fallback;
  }

  private URI jwksUriFrom(String json) throws ParseException {
    Map<String, Object> metadata = JSONObjectUtils.parse(json);
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
      throw new IllegalStateException(
          "the discovery document's issuer " + Detail.quote(reported)
              + " is not the configured issuer " + Detail.quote(issuer) + hint);
    }
    Object jwks = metadata.get("jwks_uri");
    if (!(jwks instanceof String)) {
      throw new ParseException("the discovery document has no jwks_uri", 0);
    }
    try {
      return BoundedHttpFetcher.requireSecure(URI.create((String) jwks), "jwks_uri");
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage());
    }
  }

  private void notifyListener(java.util.function.Consumer<KeySourceListener> event) {
    KeySourceListener listener = settings.listener;
    if (listener == null) {
      return;
    }
    try {
      event.accept(listener);
    } catch (RuntimeException e) {
      LOG.warn("A KeySourceListener threw {}; ignored", e.getClass().getName());
    }
  }

  /** Each snapshot lives until its own expiry; a refresh replaces it with the new snapshot's. */
  private static final class SnapshotExpiry implements Expiry<String, Snapshot> {
    private final Clock clock;

    SnapshotExpiry(Clock clock) {
      this.clock = clock;
    }

    private long nanosUntil(Snapshot snapshot) {
      long millis = snapshot.expiresAt.toEpochMilli() - clock.millis();
      return TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis));
    }

    @Override
    public long expireAfterCreate(String key, Snapshot value, long currentTime) {
      return nanosUntil(value);
    }

    @Override
    public long expireAfterUpdate(String key, Snapshot value, long currentTime, long currentDuration) {
      return nanosUntil(value);
    }

    @Override
    public long expireAfterRead(String key, Snapshot value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
