package dev.tokenguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.servlet.BearerTokenFilter;
import dev.tokenguard.testing.FakeIssuer;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

/**
 * What the auto-configuration creates, and how a wrong {@code tokenguard.*} setting stops the
 * application from starting with a message naming the property. Contexts without a web server:
 * fast, one per case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AutoConfigurationTest {
  private final FakeIssuer issuer = FakeIssuer.start();
  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TokenGuardAutoConfiguration.class));
  private final WebApplicationContextRunner configured = web.withPropertyValues(
      "tokenguard.issuer=" + issuer.issuer(), "tokenguard.audience=" + issuer.audience());

  @AfterAll
  void stop() {
    issuer.close();
  }

  @Test
  void issuerAndAudienceMakeAVerifierBeanAndTheFilterRegistration() {
    configured.run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(AccessTokenVerifier.class).hasBean("tokenGuardVerifier");
      FilterRegistrationBean<?> registration = context.getBean(FilterRegistrationBean.class);
      assertThat(registration.getFilter()).isInstanceOf(BearerTokenFilter.class);
      assertThat(registration.getFilterName()).isEqualTo("tokenGuardFilter");
      assertThat(registration.getUrlPatterns()).containsExactly("/*");
      assertThat(context.getBean(AccessTokenVerifier.class).verify(issuer.accessToken().subject("s").sign()).subject())
          .isEqualTo("s");
    });
  }

  @Test
  void outsideAServletApplicationOnlyTheVerifierIsMade() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokenGuardAutoConfiguration.class))
        .withPropertyValues("tokenguard.issuer=" + issuer.issuer(), "tokenguard.audience=" + issuer.audience())
        .run(context -> assertThat(context).hasSingleBean(AccessTokenVerifier.class)
            .doesNotHaveBean(FilterRegistrationBean.class));
  }

  @Test
  void enabledFalseCreatesNothingAndNeedsNothing() {
    web.withPropertyValues("tokenguard.enabled=false").run(context -> assertThat(context).hasNotFailed()
        .doesNotHaveBean(AccessTokenVerifier.class).doesNotHaveBean(FilterRegistrationBean.class)
        .doesNotHaveBean(TokenGuardProperties.class));
  }

  @Test
  void customizersAdjustTheVerifierAfterTheProperties() {
    configured.withBean("cardiologyOnly", TokenGuardVerifierCustomizer.class,
        () -> builder -> builder.addClaimRule("department is cardiology", token -> token.claim("department", String.class)
            .filter("cardiology"::equals).isPresent()))
        .run(context -> {
          AccessTokenVerifier verifier = context.getBean(AccessTokenVerifier.class);
          assertThat(verifier.verify(issuer.accessToken().claim("department", "cardiology").sign())).isNotNull();
          assertThatThrownBy(() -> verifier.verify(issuer.accessToken().claim("department", "oncology").sign()))
              .isInstanceOf(TokenVerificationException.class);
        });
  }

  @Test
  void theVerifierIsClosedWithTheContextWhichStopsItsKeyFetchThread() throws InterruptedException {
    Set<Thread> before = fetchThreads();
    Set<Thread> started = new HashSet<>();
    configured.withPropertyValues("tokenguard.jwks-uri=" + issuer.jwksUri()).run(context -> {
      AccessToken token = context.getBean(AccessTokenVerifier.class).verify(issuer.accessToken().sign());
      assertThat(token).isNotNull();
      started.addAll(fetchThreads());
      started.removeAll(before);
      assertThat(started).as("the verifier fetched its keys on its own thread").hasSize(1);
    }); // the runner closes the context
    for (Thread t : started) {
      t.join(10_000);
      assertThat(t.isAlive()).as("%s after the context closed", t).isFalse();
    }
  }

  // --- A wrong configuration stops the application, naming the property.

  @Test
  void nothingConfiguredFailsRatherThanLeaveTheApplicationUnprotected() {
    assertStartupFails(web, "tokenguard.issuer is required");
  }

  @Test
  void anAudienceWithoutAnIssuerFails() {
    assertStartupFails(web.withPropertyValues("tokenguard.audience=https://api.example"), "tokenguard.issuer is required");
  }

  @Test
  void anIssuerWithoutAnAudienceFails() {
    assertStartupFails(web.withPropertyValues("tokenguard.issuer=" + issuer.issuer()), "tokenguard.audience is required");
  }

  @Test
  void aMalformedJwksUriFails() {
    assertStartupFails(configured.withPropertyValues("tokenguard.jwks-uri=https://issuer example/jwks"), "tokenguard.jwks-uri");
    assertStartupFails(configured.withPropertyValues("tokenguard.jwks-uri=http://issuer.example/jwks"), "tokenguard.jwks-uri");
  }

  @Test
  void aMalformedScopeRuleFails() {
    assertStartupFails(configured.withPropertyValues("tokenguard.scope-rules=/api/patients"), "tokenguard.scope-rules");
    assertStartupFails(configured.withPropertyValues("tokenguard.scope-rules=/api/a=x|y z"), "tokenguard.scope-rules");
  }

  @Test
  void aMalformedPublicPathFails() {
    assertStartupFails(configured.withPropertyValues("tokenguard.public-paths=api/public"), "tokenguard.public-paths");
  }

  @Test
  void aRuleWithoutAPathOrWithBothKindsOfScopesOrABadScopeFails() {
    assertStartupFails(configured.withPropertyValues("tokenguard.rules[0].all-scopes=x"), "tokenguard.rules[0].path is required");
    assertStartupFails(configured.withPropertyValues("tokenguard.rules[0].path=/a", "tokenguard.rules[0].all-scopes=x",
        "tokenguard.rules[1].path=/b", "tokenguard.rules[1].all-scopes=x", "tokenguard.rules[1].any-scope=y"),
        "tokenguard.rules[1]: set all-scopes");
    assertStartupFails(configured.withPropertyValues("tokenguard.rules[0].path=/a", "tokenguard.rules[0].any-scope=read\"x"),
        "tokenguard.rules[0]: ");
  }

  @Test
  void aPathGivenTwoRulesByTheTwoGrammarsFails() {
    assertStartupFails(configured.withPropertyValues("tokenguard.scope-rules=/api/a=x",
        "tokenguard.rules[0].path=/api/a/*", "tokenguard.rules[0].all-scopes=y"), "tokenguard.rules[0]: the path pattern /api/a/* already has a rule");
    assertStartupFails(configured.withPropertyValues("tokenguard.public-paths=/api/a",
        "tokenguard.rules[0].path=/api/a", "tokenguard.rules[0].all-scopes=y"), "tokenguard.rules[0]: the path pattern /api/a cannot be protected");
  }

  @Test
  void anUnknownPropertyFailsSoATypoCannotDropARule() {
    web.withPropertyValues("tokenguard.issuer=" + issuer.issuer(), "tokenguard.audience=" + issuer.audience(),
        "tokenguard.scope-rule=/api/admin=read:admin").run(context -> {
          assertThat(context).hasFailed();
          assertThat(messages(context.getStartupFailure())).contains("tokenguard.scope-rule");
        });
  }

  @Test
  void theFailureAnalysisNamesThePropertyAndTheWayOut() {
    configured.withPropertyValues("tokenguard.retry-after-seconds=0").run(context -> {
      FailureAnalysis analysis = new TokenGuardFailureAnalyzer().analyze(context.getStartupFailure());
      assertThat(analysis).isNotNull();
      assertThat(analysis.getDescription()).startsWith("TokenGuard cannot protect this application: tokenguard.retry-after-seconds");
      assertThat(analysis.getAction()).contains("tokenguard.enabled=false");
    });
  }

  private static void assertStartupFails(WebApplicationContextRunner runner, String messageStart) {
    runner.run((AssertableWebApplicationContext context) -> {
      assertThat(context).hasFailed();
      TokenGuardConfigurationException cause = find(context.getStartupFailure());
      assertThat(cause).as("a TokenGuardConfigurationException in %s", context.getStartupFailure()).isNotNull();
      assertThat(cause.getMessage()).startsWith(messageStart);
    });
  }

  private static TokenGuardConfigurationException find(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TokenGuardConfigurationException) {
        return (TokenGuardConfigurationException) t;
      }
    }
    return null;
  }

  private static String messages(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  private static Set<Thread> fetchThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("tokenguard-jwks-fetch") && t.isAlive())
        .collect(Collectors.toCollection(HashSet::new));
  }
}
