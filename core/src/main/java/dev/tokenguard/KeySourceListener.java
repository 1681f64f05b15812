package dev.tokenguard;

/**
 * Receives key-source events of every trusted issuer, for metrics and alerts:
 *
 * <pre>{@code
 * AccessTokenVerifier.builder()
 *     ...
 *     .keySourceListener(event -> metrics.counter("jwks." + event.type(), "issuer", event.issuer()).increment())
 *     .build();
 * }</pre>
 *
 * <p>Called on the thread that caused the event (a request thread or the key-fetch thread), so
 * keep it fast and never throw: an exception thrown here is logged and ignored. Implementations
 * must be thread-safe.
 */
@FunctionalInterface
public interface KeySourceListener {
  /**
   * One event; see {@link KeySourceEvent.Type} for the kinds and which fields each carries.
   *
   * @param event never null
   */
  void onEvent(KeySourceEvent event);
}
