package dev.tokenguard.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that stands still until the test moves it, to share between a {@link FakeIssuer} and the
 * verifier under test, so that expiry, clock skew, key-cache lifetimes and refetch intervals are
 * tested by moving time instead of waiting for it.
 *
 * <pre>{@code
 * TestClock clock = TestClock.startingNow();
 * try (FakeIssuer issuer = FakeIssuer.builder().clock(clock).start()) {
 *   AccessTokenVerifier verifier = issuer.verifierBuilder().build(); // uses the same clock
 *   String token = issuer.accessToken().expiresIn(Duration.ofMinutes(5)).sign();
 *   verifier.verify(token);                    // valid
 *   clock.advance(Duration.ofMinutes(7));      // past exp and the default 60 s clock skew
 *   verifier.verify(token);                    // throws: EXPIRED
 * }
 * }</pre>
 *
 * <p>Time is held in whole milliseconds since the epoch, in UTC ({@link #getZone()}); instants and
 * durations given to it are truncated to whole milliseconds. Thread-safe: any thread may read or
 * move it, and every reader sees a move as soon as {@link #advance(Duration)} or {@link
 * #set(Instant)} returns. It never moves by itself.
 */
public final class TestClock extends Clock {
  private final AtomicLong millis;
  private final ZoneId zone;

  private TestClock(AtomicLong millis, ZoneId zone) {
    this.millis = millis;
    this.zone = zone;
  }

  /**
   * A clock standing at {@code start}.
   *
   * @param start the instant the clock stands at
   * @return a new clock at {@code start}
   * @throws NullPointerException if {@code start} is null
   * @throws ArithmeticException if {@code start} cannot be expressed in epoch milliseconds
   */
  public static TestClock at(Instant start) {
    return new TestClock(new AtomicLong(Objects.requireNonNull(start, "start").toEpochMilli()), ZoneOffset.UTC);
  }

  /**
   * A clock standing at the current system time, truncated to whole seconds (as JWT dates are, RFC
   * 7519 section 2 "NumericDate"), so a token minted now and checked now compare exactly.
   *
   * @return a new clock at the current second
   */
  public static TestClock startingNow() {
    return at(Instant.ofEpochSecond(Instant.now().getEpochSecond()));
  }

  /**
   * Moves the clock by {@code duration} (a negative duration moves it back, as when a host's clock
   * is corrected) and returns the new time.
   *
   * @param duration how far to move, forward or back
   * @return the new time
   * @throws NullPointerException if {@code duration} is null
   * @throws ArithmeticException if the new time cannot be expressed in epoch milliseconds
   */
  public Instant advance(Duration duration) {
    long delta = Objects.requireNonNull(duration, "duration").toMillis();
    return Instant.ofEpochMilli(millis.accumulateAndGet(delta, Math::addExact));
  }

  /**
   * Sets the clock to {@code instant}, earlier or later than now.
   *
   * @param instant the new time
   * @throws NullPointerException if {@code instant} is null
   * @throws ArithmeticException if {@code instant} cannot be expressed in epoch milliseconds
   */
  public void set(Instant instant) {
    millis.set(Objects.requireNonNull(instant, "instant").toEpochMilli());
  }

  /** The current time in milliseconds since the epoch. */
  @Override
  public long millis() {
    return millis.get();
  }

  /** The current time. */
  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  /** UTC, unless this is a view made by {@link #withZone(ZoneId)}. */
  @Override
  public ZoneId getZone() {
    return zone;
  }

  /**
   * A view of this clock in {@code zone}: it shares this clock's time, so moving either moves both.
   *
   * @throws NullPointerException if {@code zone} is null
   */
  @Override
  public TestClock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    return zone.equals(this.zone) ? this : new TestClock(millis, zone);
  }

  @Override
  public String toString() {
    return "TestClock[" + instant() + ", " + zone + "]";
  }
}
