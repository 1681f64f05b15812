package dev.tokenguard.dpop;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@link ReplayStores#inMemory(int, Clock)}: a Caffeine map from key to deadline, each entry
 * expiring at its own deadline on the store's clock. There is no size-based eviction (it would
 * forget keys early): the capacity is checked before each insert and a full store fails closed.
 * Maintenance runs on the calling thread. Thread-safe.
 */
final class InMemoryReplayStore implements ReplayStore {
  /** Each entry lives until its deadline (epoch milliseconds) on the store's clock. */
  private static final class UntilDeadline implements Expiry<String, Long> {
    @Override
    public long expireAfterCreate(String key, Long untilMillis, long currentTime) {
      long left = TimeUnit.MILLISECONDS.toNanos(untilMillis) - currentTime;
      return Math.max(0, left);
    }

    @Override
    public long expireAfterUpdate(String key, Long untilMillis, long currentTime, long currentDuration) {
      return currentDuration;
    }

    @Override
    public long expireAfterRead(String key, Long untilMillis, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  private final Cache<String, Long> seen;
  private final int maxEntries;

  InMemoryReplayStore(int maxEntries, Clock clock) {
    this.maxEntries = maxEntries;
    this.seen = Caffeine.newBuilder()
        // Expiry on the calling thread: no pool thread behind the application's back.
        .executor(Runnable::run)
        .expireAfter(new UntilDeadline())
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .build();
  }

  @Override
  public boolean firstUse(String key, Instant until) {
    Objects.requireNonNull(key, "key");
    long untilMillis = until.toEpochMilli();
    if (seen.getIfPresent(key) != null) {
      return false; // a replay is answered even when the store is full
    }
    if (seen.estimatedSize() >= maxEntries) {
      seen.cleanUp(); // drops the keys whose deadline has passed
      if (seen.estimatedSize() >= maxEntries) {
        throw new ReplayStoreUnavailableException("the in-memory DPoP replay store holds its maximum of " + maxEntries
            + " proofs, all within their proof window; size it above the peak proofs per window");
      }
    }
    boolean[] first = new boolean[1];
    seen.asMap().computeIfAbsent(key, k -> {
      first[0] = true;
      return untilMillis;
    });
    return first[0];
  }

  /** Answered from memory: a key is known until its deadline, exactly as {@link #firstUse} sees it. */
  @Override
  public boolean knownUsed(String key) {
    return key != null && seen.getIfPresent(key) != null;
  }

  /** Keys held, after dropping expired ones (for tests: memory is not observable otherwise). */
  long size() {
    seen.cleanUp();
    return seen.estimatedSize();
  }
}
