package dev.tokenguard.dpop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.testing.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@link ReplayStore} contract, kept by the in-memory store. */
class InMemoryReplayStoreTest {
  private final TestClock clock = TestClock.at(Instant.parse("2026-01-01T00:00:00Z"));
  private final InMemoryReplayStore store = (InMemoryReplayStore) ReplayStores.inMemory(100, clock);

  private Instant in(Duration d) {
    return clock.instant().plus(d);
  }

  @Test
  void aKeyIsFirstUsedOnce() {
    assertThat(store.firstUse("k1", in(Duration.ofMinutes(1)))).isTrue();
    assertThat(store.firstUse("k1", in(Duration.ofMinutes(1)))).isFalse();
    assertThat(store.firstUse("k1", in(Duration.ofMinutes(5)))).isFalse();
    assertThat(store.firstUse("k2", in(Duration.ofMinutes(1)))).isTrue();
  }

  @Test
  void aKeyIsRememberedUntilItsDeadlineAndForgottenAfter() {
    store.firstUse("k1", in(Duration.ofSeconds(61)));
    clock.advance(Duration.ofSeconds(61).minusMillis(1));
    assertThat(store.firstUse("k1", in(Duration.ofSeconds(61)))).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(store.size()).isZero();
    assertThat(store.firstUse("k1", in(Duration.ofSeconds(61)))).isTrue();
  }

  @Test
  void theHintKnowsWhatFirstUseRecordedUntilItsDeadlineAndRecordsNothing() {
    assertThat(store.knownUsed("k1")).isFalse();
    assertThat(store.knownUsed("k1")).as("asking records nothing").isFalse();
    assertThat(store.size()).isZero();
    store.firstUse("k1", in(Duration.ofSeconds(61)));
    assertThat(store.knownUsed("k1")).isTrue();
    assertThat(store.knownUsed("k2")).isFalse();
    clock.advance(Duration.ofSeconds(61));
    assertThat(store.knownUsed("k1")).as("forgotten with its deadline, as firstUse forgets it").isFalse();
    assertThat(store.firstUse("k1", in(Duration.ofSeconds(61)))).isTrue();
  }

  // rfc9449-dpop-replay-store-must-evict-expired-entries: expired keys stop occupying memory.
  @Test
  void expiredKeysLeaveTheStore() {
    for (int i = 0; i < 50; i++) {
      store.firstUse("old-" + i, in(Duration.ofSeconds(60)));
    }
    store.firstUse("young", in(Duration.ofSeconds(120)));
    assertThat(store.size()).isEqualTo(51);
    clock.advance(Duration.ofSeconds(60));
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void aFullStoreFailsClosedInsteadOfForgetting() {
    ReplayStore small = ReplayStores.inMemory(2, clock);
    assertThat(small.firstUse("a", in(Duration.ofSeconds(60)))).isTrue();
    assertThat(small.firstUse("b", in(Duration.ofSeconds(30)))).isTrue();
    assertThatThrownBy(() -> small.firstUse("c", in(Duration.ofSeconds(60))))
        .isInstanceOf(ReplayStoreUnavailableException.class).hasMessageContaining("maximum of 2");
    // Nothing was evicted: both keys are still known.
    assertThat(small.firstUse("a", in(Duration.ofSeconds(60)))).isFalse();
    clock.advance(Duration.ofSeconds(30));
    assertThat(small.firstUse("c", in(Duration.ofSeconds(60)))).isTrue();
    assertThat(small.firstUse("a", in(Duration.ofSeconds(60)))).isFalse();
  }

  @Test
  void concurrentFirstUsesOfOneKeyHaveExactlyOneWinner() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = 0; round < 200; round++) {
        String key = "race-" + round;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          results.add(pool.submit(() -> {
            start.await();
            return store.firstUse(key, in(Duration.ofMinutes(1)));
          }));
        }
        start.countDown();
        int winners = 0;
        for (Future<Boolean> result : results) {
          winners += result.get(10, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(winners).as(key).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1)); // keep the store small
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theFactoryChecksItsArguments() {
    assertThatThrownBy(() -> ReplayStores.inMemory(0, clock)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReplayStores.inMemory(ReplayStores.MAX_ENTRIES + 1, clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReplayStores.inMemory(1, null)).isInstanceOf(NullPointerException.class);
    assertThat(ReplayStores.inMemory().firstUse("x", Clock.systemUTC().instant().plusSeconds(1))).isTrue();
  }
}
