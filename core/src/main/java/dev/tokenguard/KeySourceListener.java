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
  /** An HTTP fetch of a discovery document or JWKS is starting. */
  default void fetchStarted(URI uri) {}

  /** A JWKS was fetched and holds {@code usableKeys} keys that passed the key policy. */
  default void fetchSucceeded(URI uri, int usableKeys) {}

  /** A fetch failed; {@code reason} is safe to log. */
  default void fetchFailed(URI uri, String reason) {}

  /** Keys older than their cache lifetime were served because refreshing failed. */
  default void staleKeysServed(Duration age) {}

  /** A token's unknown {@code kid} did not trigger a refetch because of the rate limit. */
  default void refetchSuppressed(String reason) {}
}
