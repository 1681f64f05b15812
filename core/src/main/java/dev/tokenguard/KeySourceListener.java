package dev.tokenguard;

import java.net.URI;
import java.time.Duration;

/**
 * Receives key-source events, for metrics and alerts. Every method has an empty default; override
 * what you need. Methods are called on the thread that caused the event (a request thread or the
 * key source's background thread), so keep them fast and never throw: an exception thrown here is
 * logged and ignored. Implementations must be thread-safe.
 */
public interface KeySourceListener {
  /** An HTTP request for a discovery document or the JWKS is starting (retries included). */
  default void fetchStarted(URI uri) {}

  /** A JWKS was fetched and holds {@code usableKeys} keys that passed the key policy. */
  default void fetchSucceeded(URI uri, int usableKeys) {}

  /**
   * An HTTP request failed (connection, timeout, status, size), or the document it returned cannot
   * be used (malformed, no usable key, too many keys, discovery naming another issuer).
   * {@code reason} is safe to log: it holds no response body and no key material.
   */
  default void fetchFailed(URI uri, String reason) {}

  /**
   * A verification used keys older than their cache lifetime because refreshing them failed;
   * called once per such verification. {@code age} is the time since the keys were fetched.
   */
  default void staleKeysServed(Duration age) {}

  /** A token's unknown {@code kid} did not trigger a refetch because of the rate limit; the token is refused as an unknown key. */
  default void refetchSuppressed(String reason) {}
}
