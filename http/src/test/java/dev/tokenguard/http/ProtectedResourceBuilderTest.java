package dev.tokenguard.http;

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

/** The builder fails fast, in words. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtectedResourceBuilderTest {
  private final FakeIssuer issuer = FakeIssuer.start();
  private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();

  @AfterAll
  void stop() {
    verifier.close();
    issuer.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"read patients", "read\"x", "a\\b", "", "é"})
  void scopeThatCannotBeWrittenIntoAChallengeIsRefused(String scope) {
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).requireScopes("/a", scope))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).requireAnyScope("/a", "ok", scope))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ruleWithoutScopesIsRefused() {
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).requireAnyScope("/a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).requireScopes("/a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).permit()).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nullsAreRefusedAtOnce() {
    assertThatThrownBy(() -> ProtectedResource.builder(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("verifier");
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).require("/a", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).permit((String) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void realmWithControlCharactersIsRefusedAndCannotBeSetTwice() {
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).realm("a\r\nb")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).realm("")).isInstanceOf(IllegalArgumentException.class);
    ProtectedResource.Builder b = ProtectedResource.builder(verifier).realm("one");
    assertThatThrownBy(() -> b.realm("two")).isInstanceOf(IllegalStateException.class).hasMessageContaining("one");
  }

  @Test
  void retryAfterOutsideOneSecondToOneHourIsRefusedAndCannotBeSetTwice() {
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).retryAfter(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).retryAfter(Duration.ofHours(2))).isInstanceOf(IllegalArgumentException.class);
    ProtectedResource.Builder b = ProtectedResource.builder(verifier).retryAfter(Duration.ofSeconds(5));
    assertThatThrownBy(() -> b.retryAfter(Duration.ofSeconds(6))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aPathCannotBeBothPublicAndProtected() {
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).permit("/a").requireScopes("/a", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProtectedResource.builder(verifier).requireScopes("/a/*", "x").permit("/a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defaultsAreRealmApiRetryAfterThirtySecondsAndEveryOptInOff() {
    ProtectedResource r = ProtectedResource.builder(verifier).build();
    assertThat(r.realm).isEqualTo("api");
    assertThat(r.extractor.queryAllowed).isFalse();
    assertThat(r.extractor.formAllowed).isFalse();
    assertThat(r.allowPreflight).isFalse();
    assertThat(r.retryAfterSeconds).isEqualTo(30);
  }

  @Test
  void requireTakesAnyRequirement() {
    ProtectedResource r = ProtectedResource.builder(verifier).permit("/open/*").require("/open/closed", Requirement.none()).build();
    assertThat(r.rules.match("/open/closed/x").isPublic).isFalse();
    assertThat(r.rules.match("/open/x").isPublic).isTrue();
  }
}
