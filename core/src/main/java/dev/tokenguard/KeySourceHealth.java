package dev.tokenguard;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A point-in-time view of the key source of one trusted issuer, for health endpoints and
 * dashboards ({@link AccessTokenVerifier#keySourceHealth()} gives one per issuer). Immutable and
 * thread-safe. Holds key ids, never key material.
 */
public final class KeySourceHealth {
  /** The state of the cached key set. Immutable and thread-safe. */
  public enum Status {
    /** No key set was fetched yet (the first verification or {@code warmUp()} will fetch it). */
    NOT_LOADED,
    /** Keys are cached and within their cache lifetime. */
    FRESH,
    /**
     * The keys are past their cache lifetime or the last refresh failed; the last good keys are
     * still served within the stale tolerance while refreshes are retried.
     */
    STALE,
    /** No usable key set: verifications answer {@code KEYS_UNAVAILABLE}. */
    UNAVAILABLE
  }

  private final String issuer;
  private final URI jwksUri;
  private final Status status;
  private final Instant lastSuccess;
  private final Instant lastFailure;
  private final String lastFailureReason;
  private final Set<String> keyIds;
  private final long fetchCount;

  KeySourceHealth(
      String issuer,
      URI jwksUri,
      Status status,
      Instant lastSuccess,
      Instant lastFailure,
      String lastFailureReason,
      Set<String> keyIds,
      long fetchCount) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.jwksUri = jwksUri;
    this.status = status;
    this.lastSuccess = lastSuccess;
    this.lastFailure = lastFailure;
    this.lastFailureReason = lastFailureReason;
    this.keyIds = Set.copyOf(keyIds);
    this.fetchCount = fetchCount;
  }

  /**
   * The trusted issuer, exactly as configured (the tokens' {@code iss}).
   *
   * @return the issuer, as configured
   */
  public String issuer() {
    return issuer;
  }

  /**
   * Where the keys come from: the configured JWKS URI, or the one discovery found; empty before
   * discovery ran and for a JWKS given as a document.
   *
   * @return the JWKS URI in use; empty before discovery ran and for a JWKS given as a document
   */
  public Optional<URI> jwksUri() {
    return Optional.ofNullable(jwksUri);
  }

  /**
   * The state of the cached key set.
   *
   * @return the status of the cached key set
   */
  public Status status() {
    return status;
  }

  /**
   * When keys were last fetched successfully.
   *
   * @return when keys were last fetched successfully; empty before the first success
   */
  public Optional<Instant> lastSuccess() {
    return Optional.ofNullable(lastSuccess);
  }

  /**
   * When the last fetch failed, if any failed since the source was built.
   *
   * @return when the last fetch failed; empty when none failed
   */
  public Optional<Instant> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  /**
   * Why the last fetch failed (safe to show an operator: no key material, no response body).
   *
   * @return why the last fetch failed, safe to show; empty when none failed
   */
  public Optional<String> lastFailureReason() {
    return Optional.ofNullable(lastFailureReason);
  }

  /**
   * The {@code kid}s of the usable keys currently cached.
   *
   * @return the cached key ids; empty when no key is cached
   */
  public Set<String> keyIds() {
    return keyIds;
  }

  /**
   * How many HTTP requests (discovery and JWKS, retries included) were made.
   *
   * @return the number of HTTP requests made so far
   */
  public long fetchCount() {
    return fetchCount;
  }

  @Override
  public String toString() {
    return "KeySourceHealth{" + issuer + ": " + status + ", keys=" + keyIds + ", fetches=" + fetchCount
        + (lastFailureReason == null ? "" : ", lastFailure=" + lastFailureReason) + "}";
  }
}
