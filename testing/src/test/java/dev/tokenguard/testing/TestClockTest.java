package dev.tokenguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TestClockTest {
  private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void standsStillUntilMoved() {
    TestClock clock = TestClock.at(START);

    assertThat(clock.instant()).isEqualTo(START);
    assertThat(clock.millis()).isEqualTo(START.toEpochMilli());
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void advancesForwardAndBackAndReturnsTheNewTime() {
    TestClock clock = TestClock.at(START);

    assertThat(clock.advance(Duration.ofMinutes(5))).isEqualTo(START.plusSeconds(300));
    assertThat(clock.advance(Duration.ofMinutes(-2))).isEqualTo(START.plusSeconds(180));
    assertThat(clock.instant()).isEqualTo(START.plusSeconds(180));
  }

  @Test
  void setsAnyInstant() {
    TestClock clock = TestClock.at(START);

    clock.set(START.minusSeconds(3600));
    assertThat(clock.instant()).isEqualTo(START.minusSeconds(3600));
  }

  @Test
  void keepsWholeMilliseconds() {
    TestClock clock = TestClock.at(START.plusNanos(1_999_999));
    assertThat(clock.instant()).isEqualTo(START.plusMillis(1));

    clock.advance(Duration.ofNanos(999_999));
    assertThat(clock.instant()).isEqualTo(START.plusMillis(1));
  }

  @Test
  void startingNowIsTruncatedToWholeSeconds() {
    Instant before = Instant.now().minusSeconds(1);
    TestClock clock = TestClock.startingNow();

    assertThat(clock.instant().getNano()).isZero();
    assertThat(clock.instant()).isAfter(before);
  }

  @Test
  void concurrentAdvancesAreNeverLost() throws Exception {
    TestClock clock = TestClock.at(START);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(threads.submit(() -> {
          for (int i = 0; i < 10_000; i++) {
            clock.advance(Duration.ofMillis(1));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }

    assertThat(clock.instant()).isEqualTo(START.plusMillis(40_000));
  }

  @Test
  void aViewInAnotherZoneSharesTheTime() {
    TestClock clock = TestClock.at(START);
    ZoneId paris = ZoneId.of("Europe/Paris");
    TestClock view = clock.withZone(paris);

    assertThat(view.getZone()).isEqualTo(paris);
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
    clock.advance(Duration.ofSeconds(1));
    assertThat(view.instant()).isEqualTo(START.plusSeconds(1));
    view.advance(Duration.ofSeconds(1));
    assertThat(clock.instant()).isEqualTo(START.plusSeconds(2));
  }

  @Test
  void refusesNulls() {
    TestClock clock = TestClock.at(START);

    assertThatThrownBy(() -> TestClock.at(null)).isInstanceOf(NullPointerException.class).hasMessage("start");
    assertThatThrownBy(() -> clock.advance(null)).isInstanceOf(NullPointerException.class).hasMessage("duration");
    assertThatThrownBy(() -> clock.set(null)).isInstanceOf(NullPointerException.class).hasMessage("instant");
    assertThatThrownBy(() -> clock.withZone(null)).isInstanceOf(NullPointerException.class).hasMessage("zone");
  }

  /** The class Javadoc's example, as written there. */
  @Test
  void sharedByTheIssuerAndTheVerifierItExpiresTokensWithoutWaiting() {
    TestClock clock = TestClock.startingNow();
    try (FakeIssuer issuer = FakeIssuer.builder().clock(clock).start()) {
      AccessTokenVerifier verifier = issuer.verifierBuilder().build();
      String token = issuer.accessToken().expiresIn(Duration.ofMinutes(5)).sign();
      assertThat(verifier.verify(token)).isNotNull();

      clock.advance(Duration.ofMinutes(7));

      assertThatThrownBy(() -> verifier.verify(token))
          .isInstanceOfSatisfying(TokenVerificationException.class,
              e -> assertThat(e.reason()).isEqualTo(TokenVerificationException.Reason.EXPIRED));
    }
  }
}
