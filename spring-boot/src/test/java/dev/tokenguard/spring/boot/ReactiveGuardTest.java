package dev.tokenguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

/**
 * A WebFlux application with {@code tokenguard.*} set would believe itself protected while no
 * servlet filter ever runs: it does not start, and says why.
 */
class ReactiveGuardTest {
  @Test
  void aReactiveApplicationDoesNotStartUnprotected() {
    new ReactiveWebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TokenGuardAutoConfiguration.class))
        .withPropertyValues("tokenguard.issuer=https://tenant.us.auth0.com/", "tokenguard.audience=https://example.com/api")
        .run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause().isInstanceOf(TokenGuardConfigurationException.class)
              .hasMessageContaining("reactive (WebFlux) application");
        });
  }

  @Test
  void switchedOffItStarts() {
    new ReactiveWebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TokenGuardAutoConfiguration.class))
        .withPropertyValues("tokenguard.enabled=false")
        .run(context -> assertThat(context).hasNotFailed());
  }
}
