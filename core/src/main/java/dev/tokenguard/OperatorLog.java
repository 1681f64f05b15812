package dev.tokenguard;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * Warnings an operator must see (a misconfiguration, an issuer that cannot be reached). They go
 * through SLF4J; when no SLF4J provider is on the class path (a plain servlet container, where
 * SLF4J silently discards everything), they go through the JDK's {@link System.Logger} instead,
 * which reaches the container's own log. Nothing else is logged that way.
 */
final class OperatorLog {
  private static final boolean SLF4J_DISCARDS = LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory;

  private OperatorLog() {}

  /** Logs {@code message} (already free of secrets and escaped) at WARN on {@code log}, or on the JDK's logger of that name. */
  static void warn(Logger log, String message) {
    if (SLF4J_DISCARDS) {
      System.getLogger(log.getName()).log(System.Logger.Level.WARNING, message);
    } else {
      log.warn(message);
    }
  }
}
