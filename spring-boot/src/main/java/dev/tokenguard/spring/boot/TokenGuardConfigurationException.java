package dev.tokenguard.spring.boot;

/**
 * A {@code tokenguard.*} setting that stops the application from starting; the message names the
 * property and says what is wrong. {@link TokenGuardFailureAnalyzer} turns it into Spring Boot's
 * "APPLICATION FAILED TO START" report.
 */
final class TokenGuardConfigurationException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  TokenGuardConfigurationException(String message) {
    super(message);
  }

  TokenGuardConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
