package dev.tokenguard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a verifier's refusals are logged: every refusal at DEBUG with its reason and detail, keyed
 * by a short fingerprint of the token (never the token); an unexpected exception (a bug in
 * TokenGuard or a library below it, turned into a MALFORMED refusal so nothing fails open) at WARN
 * with its stack trace, at most once a minute; a DPoP replay store that cannot answer at WARN, at
 * most once a minute. Thread-safe.
 */
final class RefusalLog {
  private static final Logger LOG = LoggerFactory.getLogger(AccessTokenVerifier.class);
  private static final long UNEXPECTED_WARN_INTERVAL_MILLIS = 60_000;

  private final Clock clock;
  private final AtomicLong lastUnexpectedWarn = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong lastReplayStoreWarn = new AtomicLong(Long.MIN_VALUE);

  RefusalLog(Clock clock) {
    this.clock = clock;
  }

  void refused(String token, TokenVerificationException e) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("Rejected token {}: {}", fingerprint(token), e.getMessage());
    }
  }

  /** Logs an unexpected failure and returns the MALFORMED refusal that stands for it. */
  TokenVerificationException unexpected(String token, Throwable failure) {
    TokenVerificationException refusal = new TokenVerificationException(TokenVerificationException.Reason.MALFORMED,
        "unexpected " + failure.getClass().getSimpleName() + " while verifying");
    long now = clock.millis();
    long last = lastUnexpectedWarn.get();
    if ((last == Long.MIN_VALUE || now - last >= UNEXPECTED_WARN_INTERVAL_MILLIS) && lastUnexpectedWarn.compareAndSet(last, now)) {
      LOG.warn("Refused token {} as malformed after an unexpected {}; please report it (further ones within a minute"
          + " are logged at DEBUG)", fingerprint(token), failure.getClass().getName(), framesOnly(failure));
    } else {
      LOG.debug("Refused token {} as malformed after an unexpected {}", fingerprint(token), failure.getClass().getName());
    }
    return refusal;
  }

  /**
   * Logs that the DPoP replay store could not answer (requests are refused with 503 meanwhile) at
   * WARN, at most once a minute; further ones at DEBUG. {@code why} names no key.
   */
  void replayStoreFailed(String why) {
    long now = clock.millis();
    long last = lastReplayStoreWarn.get();
    if ((last == Long.MIN_VALUE || now - last >= UNEXPECTED_WARN_INTERVAL_MILLIS) && lastReplayStoreWarn.compareAndSet(last, now)) {
      OperatorLog.warn(LOG, "The DPoP replay store cannot answer, so DPoP requests are refused with 503 until it can"
          + " (further failures within a minute are logged at DEBUG): " + why);
    } else {
      LOG.debug("The DPoP replay store cannot answer: {}", why);
    }
  }

  /**
   * The failure's stack frames without its message (which a parser may have filled with parts of
   * the token): what a bug report needs, nothing a log must not hold.
   */
  private static Throwable framesOnly(Throwable failure) {
    Throwable frames = new Throwable(failure.getClass().getName() + " (message withheld: it may quote the token)");
    frames.setStackTrace(failure.getStackTrace());
    return frames;
  }

  /** The first 8 hex digits of SHA-256(token): enough to correlate log lines, useless to replay. */
  static String fingerprint(String token) {
    if (token == null) {
      return "none";
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return String.format("%02x%02x%02x%02x", hash[0], hash[1], hash[2], hash[3]);
    } catch (NoSuchAlgorithmException e) {
      return "unavailable";
    }
  }
}
