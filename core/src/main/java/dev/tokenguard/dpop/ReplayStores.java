package dev.tokenguard.dpop;

import java.time.Clock;
import java.util.Objects;

/**
 * The replay stores that ship with the core. For several API instances behind a load balancer use
 * a shared store (the {@code tokenguard-redis} artifact's {@code RedisReplayStore}): with one
 * in-memory store per instance, a proof replayed to another instance is not recognised.
 */
public final class ReplayStores {
  /** The default capacity of {@link #inMemory()}: 100,000 proofs (about 1,600 a second over a 60 s window). */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;
  /** The largest capacity {@link #inMemory(int, Clock)} accepts. */
  public static final int MAX_ENTRIES = 10_000_000;

  private ReplayStores() {}

  /**
   * {@link #inMemory(int, Clock)} with {@link #DEFAULT_MAX_ENTRIES} and the system UTC clock.
   *
   * @return a new in-memory store
   */
  public static ReplayStore inMemory() {
    return inMemory(DEFAULT_MAX_ENTRIES, Clock.systemUTC());
  }

  /**
   * A store in this process's memory (a Caffeine map, maintained on the calling threads, no thread
   * of its own). Each key leaves when its deadline passes on {@code clock}. It never evicts a key
   * before its deadline (that would admit a replay): holding {@code maxEntries} keys that are all
   * still within their deadline, it throws {@link ReplayStoreUnavailableException} (the request is
   * refused with 503) until some expire; size it above your peak proofs per second times the proof
   * window. Never waits: each call is a few map operations. Thread-safe.
   *
   * @param maxEntries the most keys held at once, 1 to {@link #MAX_ENTRIES} (concurrent calls may
   *     exceed it by at most one key each)
   * @param clock the clock deadlines are compared with (the verifier's, so tests can move it)
   * @return a new in-memory store
   * @throws IllegalArgumentException when {@code maxEntries} is out of range
   * @throws NullPointerException when {@code clock} is null
   */
  public static ReplayStore inMemory(int maxEntries, Clock clock) {
    if (maxEntries < 1 || maxEntries > MAX_ENTRIES) {
      throw new IllegalArgumentException("maxEntries must be between 1 and " + MAX_ENTRIES + ", was " + maxEntries);
    }
    return new InMemoryReplayStore(maxEntries, Objects.requireNonNull(clock, "clock"));
  }
}
