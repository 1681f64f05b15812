package dev.tokenguard;

/** Where a verifier gets one trusted issuer's keys. Implementations are thread-safe. */
interface KeySource {
  /**
   * The current usable keys; may wait on the network only when no key set was ever loaded, when
   * the last one's lifetime ended without a refresh having been tried (an idle API), or when it
   * outlived the stale tolerance.
   *
   * @throws TokenVerificationException with {@code KEYS_UNAVAILABLE} when no key set can be had
   */
  KeySet keys();

  /**
   * Called when a token's {@code kid} is not in {@code seen} and every check that needs no key has
   * passed. May refetch (coalesced with concurrent callers, rate-limited); returns the freshest set.
   */
  KeySet keysAfterMiss(String kid, KeySet seen);

  /** Loads the keys now, failing fast with {@code KEYS_UNAVAILABLE}. */
  default void warmUp() {
    keys();
  }

  /** Drops cached keys so the next verification fetches them again. */
  default void invalidate() {}

  KeySourceHealth health();

  /** Stops what the source runs in the background; a closed source still answers. */
  default void close() {}

  /** A key source fixed at build time: a JWKS given as a document, never fetched. */
  static KeySource fixed(String issuer, KeySet keys) {
    KeySourceHealth health =
        new KeySourceHealth(issuer, null, KeySourceHealth.Status.FRESH, keys.fetchedAt(), null, null, keys.keyIds(), 0);
    return new KeySource() {
      @Override
      public KeySet keys() {
        return keys;
      }

      @Override
      public KeySet keysAfterMiss(String kid, KeySet seen) {
        return keys;
      }

      @Override
      public KeySourceHealth health() {
        return health;
      }
    };
  }
}
