package dev.tokenguard;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Something a verifier's key source did for one trusted issuer: an HTTP request for a discovery
 * document or the JWKS started, succeeded or failed, stale keys were served, or an unknown
 * {@code kid} did not cause a refetch. Delivered to a {@link KeySourceListener}; for metrics and
 * alerts. Holds URIs, counts and reasons, never key material or response bodies. Immutable and
 * thread-safe.
 */
public final class KeySourceEvent {
  /** What happened. Immutable and thread-safe. */
  public enum Type {
    /** An HTTP request for a discovery document or the JWKS is starting (retries included); {@link #uri()} names it. */
    FETCH_STARTED,
    /** A JWKS was fetched; {@link #usableKeys()} keys passed the key policy. */
    FETCH_SUCCEEDED,
    /**
     * An HTTP request failed (connection, timeout, status, size), or the document it returned
     * cannot be used (malformed, no usable key, too many keys, discovery naming another issuer);
     * {@link #reason()} says which.
     */
    FETCH_FAILED,
    /**
     * A verification used keys past their cache lifetime because the last refresh failed (not
     * while a routine refresh is merely under way); {@link #keyAge()} is the time since they were
     * fetched. Once per such verification.
     */
    STALE_KEYS_SERVED,
    /** A token's unknown {@code kid} did not cause a refetch because of the rate limit; the token is refused as an unknown key. */
    REFETCH_SUPPRESSED
  }

  private final Type type;
  private final String issuer;
  private final URI uri;
  private final int usableKeys;
  private final String reason;
  private final Duration keyAge;

  private KeySourceEvent(Type type, String issuer, URI uri, int usableKeys, String reason, Duration keyAge) {
    this.type = type;
    this.issuer = issuer;
    this.uri = uri;
    this.usableKeys = usableKeys;
    this.reason = reason;
    this.keyAge = keyAge;
  }

  static KeySourceEvent fetchStarted(String issuer, URI uri) {
    return new KeySourceEvent(Type.FETCH_STARTED, issuer, uri, -1, null, null);
  }

  static KeySourceEvent fetchSucceeded(String issuer, URI uri, int usableKeys) {
    return new KeySourceEvent(Type.FETCH_SUCCEEDED, issuer, uri, usableKeys, null, null);
  }

  static KeySourceEvent fetchFailed(String issuer, URI uri, String reason) {
    return new KeySourceEvent(Type.FETCH_FAILED, issuer, uri, -1, Objects.requireNonNull(reason), null);
  }

  static KeySourceEvent staleKeysServed(String issuer, Duration keyAge) {
    return new KeySourceEvent(Type.STALE_KEYS_SERVED, issuer, null, -1, null, keyAge);
  }

  static KeySourceEvent refetchSuppressed(String issuer, String reason) {
    return new KeySourceEvent(Type.REFETCH_SUPPRESSED, issuer, null, -1, reason, null);
  }

  /**
   * What happened.
   *
   * @return the event's type
   */
  public Type type() {
    return type;
  }

  /**
   * The trusted issuer this event is about, exactly as configured (the tokens' {@code iss}).
   *
   * @return the issuer, as configured
   */
  public String issuer() {
    return issuer;
  }

  /**
   * The discovery or JWKS URI, for the FETCH_* types; empty otherwise.
   *
   * @return the URI fetched; empty for the other types
   */
  public Optional<URI> uri() {
    return Optional.ofNullable(uri);
  }

  /**
   * For {@link Type#FETCH_SUCCEEDED}: how many keys of the JWKS passed the key policy; empty otherwise.
   *
   * @return the number of usable keys; empty for the other types
   */
  public OptionalInt usableKeys() {
    return usableKeys < 0 ? OptionalInt.empty() : OptionalInt.of(usableKeys);
  }

  /**
   * For {@link Type#FETCH_FAILED} and {@link Type#REFETCH_SUPPRESSED}: why, safe to log (no
   * response body, no key material); empty otherwise.
   *
   * @return why, safe to log; empty for the other types
   */
  public Optional<String> reason() {
    return Optional.ofNullable(reason);
  }

  /**
   * For {@link Type#STALE_KEYS_SERVED}: the time since the served keys were fetched; empty otherwise.
   *
   * @return how old the served keys are; empty for the other types
   */
  public Optional<Duration> keyAge() {
    return Optional.ofNullable(keyAge);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("KeySourceEvent{").append(type).append(", issuer=").append(issuer);
    if (uri != null) {
      sb.append(", uri=").append(uri);
    }
    if (usableKeys >= 0) {
      sb.append(", usableKeys=").append(usableKeys);
    }
    if (reason != null) {
      sb.append(", reason=").append(reason);
    }
    if (keyAge != null) {
      sb.append(", keyAge=").append(keyAge);
    }
    return sb.append('}').toString();
  }
}
