package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.testing.FakeIssuer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The builder fails fast, in words (every rule is checked by ProtectedResource.Builder in the http module). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuilderTest {
  private final FakeIssuer issuer = FakeIssuer.start();
  private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();

  @AfterAll
  void stop() {
    issuer.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"read patients", "read\"x", "a\\b", "", "é"})
  void scopeThatCannotBeWrittenIntoAChallengeIsRefused(String scope) {
    assertThatThrownBy(() -> BearerTokenFilter.builder(verifier).requireScopes("/a", scope))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ruleWithoutScopesIsRefused() {
    assertThatThrownBy(() -> BearerTokenFilter.builder(verifier).requireAnyScope("/a")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void realmWithControlCharactersIsRefusedAndCannotBeSetTwice() {
    assertThatThrownBy(() -> BearerTokenFilter.builder(verifier).realm("a\r\nb")).isInstanceOf(IllegalArgumentException.class);
    BearerTokenFilter.Builder b = BearerTokenFilter.builder(verifier).realm("one");
    assertThatThrownBy(() -> b.realm("two")).isInstanceOf(IllegalStateException.class).hasMessageContaining("one");
  }

  @Test
  void retryAfterOutsideOneSecondToOneHourIsRefused() {
    assertThatThrownBy(() -> BearerTokenFilter.builder(verifier).retryAfter(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BearerTokenFilter.builder(verifier).retryAfter(Duration.ofHours(2))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPathCannotBeBothPublicAndProtected() {
    assertThatThrownBy(() -> BearerTokenFilter.builder(verifier).permit("/a").requireScopes("/a", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requireTakesAnyRequirementAndRefusesASecondRuleForThePath() {
    assertThatThrownBy(() -> BearerTokenFilter.builder(verifier).require("/a", null)).isInstanceOf(NullPointerException.class);
    BearerTokenFilter.Builder b = BearerTokenFilter.builder(verifier).require("/a", Requirement.none());
    assertThatThrownBy(() -> b.requireScopes("/a/*", "x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a rule");
    assertThat(b.build()).isNotNull();
  }
}
