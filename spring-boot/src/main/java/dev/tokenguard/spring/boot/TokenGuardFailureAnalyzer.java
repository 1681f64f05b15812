package dev.tokenguard.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link TokenGuardConfigurationException} as Spring Boot's "APPLICATION FAILED TO
 * START" description (the message, which names the property) and action, instead of a stack of
 * bean-creation errors. Registered in {@code META-INF/spring.factories}.
 */
final class TokenGuardFailureAnalyzer extends AbstractFailureAnalyzer<TokenGuardConfigurationException> {
  static final String ACTION = "Correct the tokenguard.* property named above (see TokenGuardProperties), "
      + "or set tokenguard.enabled=false to run the application without TokenGuard.";

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, TokenGuardConfigurationException cause) {
    return new FailureAnalysis("TokenGuard cannot protect this application: " + cause.getMessage(), ACTION, cause);
  }
}
