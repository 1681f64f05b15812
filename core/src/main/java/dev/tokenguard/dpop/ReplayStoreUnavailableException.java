package dev.tokenguard.dpop;

/**
 * Thrown by a {@link ReplayStore} that cannot say whether a proof was used before: unreachable,
 * timed out, or full. The verifier refuses the request with {@code REPLAY_CHECK_UNAVAILABLE} (HTTP
 * 503, retryable) instead of accepting a proof that may be a replay. Its message must not contain
 * keys or credentials. Created without a stack trace unless a cause is given (outages can be
 * frequent). Immutable and thread-safe.
 */
public final class ReplayStoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An outage described by {@code message}.
   *
   * @param message what failed, for logs (no key, no password)
   */
  public ReplayStoreUnavailableException(String message) {
    super(message, null, false, false);
  }

  /**
   * An outage described by {@code message}, caused by {@code cause} (kept for logs).
   *
   * @param message what failed, for logs (no key, no password)
   * @param cause the client library's exception
   */
  public ReplayStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
