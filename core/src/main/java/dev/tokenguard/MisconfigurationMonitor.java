package dev.tokenguard;

import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells an operator when a verifier is most likely misconfigured rather than under attack: when
 * refusals of one configuration kind (wrong issuer, wrong audience, a missing scope while the
 * token carries permissions in a claim that is not read) reach {@link #THRESHOLD} in a row with no
 * token accepted since, it logs one WARN naming the expected and the actual value and what to
 * change, at most once per {@link #REPEAT_MILLIS} per kind. Values from tokens are quoted and
 * escaped ({@link Detail}), never echoed raw. A verifier that accepts tokens stays quiet: one
 * accepted token resets the counts. Thread-safe; approximate under contention, which is enough for
 * a diagnosis.
 */
final class MisconfigurationMonitor {
  /** Refusals of one kind in a row, with none accepted, that make a diagnosis. */
  static final int THRESHOLD = 20;
  /** At most one warning per kind in this many milliseconds (10 minutes). */
  static final long REPEAT_MILLIS = 10 * 60_000;
  private static final Logger LOG = LoggerFactory.getLogger(AccessTokenVerifier.class);

  /** The kinds of refusal that usually mean the verifier, not the token, is wrong. */
  enum Kind {
    ISSUER("check the issuer: it must be exactly the tokens' iss (scheme, host, path and trailing slash)"),
    AUDIENCE("check the audience: it must be the API identifier your issuer puts in aud"),
    SCOPE_CLAIM("check the scope claims: the tokens carry permissions in a claim the verifier does not read");

    final String advice;

    Kind(String advice) {
      this.advice = advice;
    }
  }

  private final Clock clock;
  private final Map<Kind, AtomicLong> inARow = new EnumMap<>(Kind.class);
  private final Map<Kind, AtomicLong> lastWarned = new EnumMap<>(Kind.class);

  MisconfigurationMonitor(Clock clock) {
    this.clock = clock;
    for (Kind kind : Kind.values()) {
      inARow.put(kind, new AtomicLong());
      lastWarned.put(kind, new AtomicLong(Long.MIN_VALUE));
    }
  }

  /** A token was accepted: whatever was refused before was not a configuration mistake. */
  void accepted() {
    for (AtomicLong count : inARow.values()) {
      if (count.get() != 0) {
        count.set(0);
      }
    }
  }

  /**
   * A token was refused for a reason of {@code kind}; {@code detail} (already escaped) says what
   * was expected and what the token carried.
   */
  void refused(Kind kind, String detail) {
    long count = inARow.get(kind).incrementAndGet();
    if (count < THRESHOLD) {
      return;
    }
    long now = clock.millis();
    AtomicLong last = lastWarned.get(kind);
    long previous = last.get();
    if (previous != Long.MIN_VALUE && now - previous < REPEAT_MILLIS) {
      return;
    }
    if (last.compareAndSet(previous, now)) {
      OperatorLog.warn(LOG, "TokenGuard refused the last " + count + " tokens and accepted none; the latest: " + detail
          + ". This usually means a configuration mistake: " + kind.advice
          + " (see Troubleshooting in the README; this warning repeats at most every 10 minutes)");
    }
  }
}
