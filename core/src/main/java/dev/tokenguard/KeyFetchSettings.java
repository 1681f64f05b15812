package dev.tokenguard;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * How one issuer's keys are fetched and cached: HTTP client and limits, cache lifetimes, stale
 * tolerance and the unknown-{@code kid} rate limit. Immutable; made by the builder, whose setters
 * check every value.
 */
final class KeyFetchSettings {
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);
  static final int DEFAULT_MAX_JWKS_BYTES = 256 * 1024;
  static final int DEFAULT_MAX_KEYS = 100;

  /** The user's client, or null for the library's own. */
  final HttpClient httpClient;
  final Duration connectTimeout;
  final Duration readTimeout;
  final int maxJwksBytes;
  final int maxKeys;
  final Duration minTtl;
  final Duration maxTtl;
  final Duration defaultTtl;
  final Duration staleTolerance;
  final Duration refetchInterval;
  final Duration negativeCacheTtl;
  /** How long a request with an unknown {@code kid} waits for the fetch it joins or starts. */
  final Duration missWait;

  KeyFetchSettings(HttpClient httpClient, Duration connectTimeout, Duration readTimeout, int maxJwksBytes, int maxKeys,
      Duration minTtl, Duration maxTtl, Duration defaultTtl, Duration staleTolerance, Duration refetchInterval,
      Duration negativeCacheTtl) {
    this(httpClient, connectTimeout, readTimeout, maxJwksBytes, maxKeys, minTtl, maxTtl, defaultTtl, staleTolerance,
        refetchInterval, negativeCacheTtl, RemoteKeySource.MISS_WAIT);
  }

  private KeyFetchSettings(HttpClient httpClient, Duration connectTimeout, Duration readTimeout, int maxJwksBytes, int maxKeys,
      Duration minTtl, Duration maxTtl, Duration defaultTtl, Duration staleTolerance, Duration refetchInterval,
      Duration negativeCacheTtl, Duration missWait) {
    this.httpClient = httpClient;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
    this.maxJwksBytes = maxJwksBytes;
    this.maxKeys = maxKeys;
    this.minTtl = minTtl;
    this.maxTtl = maxTtl;
    this.defaultTtl = defaultTtl;
    this.staleTolerance = staleTolerance;
    this.refetchInterval = refetchInterval;
    this.negativeCacheTtl = negativeCacheTtl;
    this.missWait = missWait;
  }

  /**
   * A copy in which an unknown {@code kid} waits {@code missWait} for the key fetch. Tests only:
   * they wait for counted events, never for a wall-clock deadline, so they lift the one-second
   * wait out of their way.
   */
  KeyFetchSettings withMissWait(Duration missWait) {
    return new KeyFetchSettings(httpClient, connectTimeout, readTimeout, maxJwksBytes, maxKeys, minTtl, maxTtl, defaultTtl,
        staleTolerance, refetchInterval, negativeCacheTtl, missWait);
  }

  /** The cache lifetime for a response with this {@code max-age} (or none), clamped to the bounds. */
  Duration ttl(java.util.OptionalLong maxAgeSeconds) {
    Duration ttl = maxAgeSeconds.isPresent() ? Duration.ofSeconds(maxAgeSeconds.getAsLong()) : defaultTtl;
    if (ttl.compareTo(minTtl) < 0) {
      return minTtl;
    }
    return ttl.compareTo(maxTtl) > 0 ? maxTtl : ttl;
  }
}
