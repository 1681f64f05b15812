package dev.tokenguard.dpop;

import java.time.Instant;

/**
 * Remembers which DPoP proofs were already used, so each is accepted once (RFC 9449 section 11.1).
 * The verifier calls {@link #firstUse} for a proof only after every other check of the request
 * has passed, so forged and wrong proofs cost no write.
 *
 * <p>The contract every implementation must keep:
 *
 * <ul>
 *   <li><b>Atomic.</b> Of any number of concurrent calls with the same key, on any number of API
 *       instances sharing the store, exactly one returns true until the key's deadline has passed
 *       (Redis: {@code SET key value NX PX ms}).
 *   <li><b>Remembers until the deadline.</b> A key is reported as used until {@code until}; it may
 *       be forgotten after it. Forgetting earlier would admit a replay; an implementation that
 *       cannot hold a key (full, evicting) must throw instead.
 *   <li><b>Bounded wait.</b> A call returns or throws within a bounded time that the
 *       implementation documents (for a remote store, its connect and command timeouts); it never
 *       blocks indefinitely.
 *   <li><b>Fails closed.</b> When it cannot answer (unreachable, timed out, full) it throws {@link
 *       ReplayStoreUnavailableException}, never returns true. The verifier then refuses the request
 *       with {@code REPLAY_CHECK_UNAVAILABLE} (HTTP 503, retryable); any other runtime exception
 *       is treated the same way.
 *   <li><b>Thread-safe.</b> One instance serves all requests of a verifier, or of several.
 * </ul>
 *
 * <p>Keys are at most 256 characters of printable ASCII without spaces; the verifier's are 43
 * base64url characters (a SHA-256 hash, so the store never holds client data).
 */
@FunctionalInterface
public interface ReplayStore {
  /**
   * Records {@code key} as used until {@code until}, if it is not recorded already, in one atomic
   * step.
   *
   * @param key the proof's identity (see the interface description for its shape)
   * @param until when the key may be forgotten: after it, the proof is too old to be accepted
   *     anyway; always in the future when the verifier calls
   * @return true when the key was not recorded (first use, now recorded), false when it was (a
   *     replay)
   * @throws ReplayStoreUnavailableException when the store cannot answer within its bounded wait
   */
  boolean firstUse(String key, Instant until);

  /**
   * Whether {@code key} is known to be recorded already, answered at once: a hint the verifier
   * asks before it checks a proof's signature, so that a replayed proof is refused without paying
   * for that check. It must not change what the store holds, must not throw, and must answer
   * false whenever it is not sure, including whenever an answer would need a network round trip
   * (a forged proof must not cost a remote call). {@link #firstUse} still decides every proof the
   * hint lets through. The default answers false: no hint.
   *
   * @param key the proof's identity (see the interface description for its shape)
   * @return true only when {@link #firstUse} would now return false for {@code key}
   */
  default boolean knownUsed(String key) {
    return false;
  }
}
