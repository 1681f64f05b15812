package dev.tokenguard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.Requirement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Path rules: a requirement covers its path and everything below, a public pattern is exact unless
 * it ends in /*, the most specific rule wins, an unmatched path needs a valid token.
 */
class AccessRulesTest {
  private static final Requirement API = Requirement.allScopes("api");
  private static final Requirement ADMIN = Requirement.allScopes("admin");

  private final AccessRules rules = new AccessRules.Builder()
      .require("/api/*", API)
      .permit("/api/public")
      .require("/api/admin/*", ADMIN)
      .permit("/api/admin/open/*")
      .build();

  @Test
  void exactPatternBeatsAPrefix() {
    assertThat(rules.match("/api/public").isPublic).isTrue();
    assertThat(rules.match("/api/public/x").pattern).isEqualTo("/api/*");
  }

  @Test
  void longestPrefixWinsWhateverTheOrderOfDeclaration() {
    assertThat(rules.match("/api/admin/users").pattern).isEqualTo("/api/admin/*");
    assertThat(rules.match("/api/admin/open/doc").pattern).isEqualTo("/api/admin/open/*");
    assertThat(rules.match("/api/admin").pattern).isEqualTo("/api/admin/*");
    assertThat(rules.match("/api/adminx").pattern).isEqualTo("/api/*");
    assertThat(rules.match("/api/admin/users").requirement).isEqualTo(ADMIN);
  }

  @Test
  void unmatchedPathNeedsAValidToken() {
    assertThat(rules.match("/other")).isSameAs(AccessRules.UNMATCHED);
    assertThat(rules.match("/")).isSameAs(AccessRules.UNMATCHED);
    assertThat(AccessRules.UNMATCHED.isPublic).isFalse();
    assertThat(AccessRules.UNMATCHED.requirement.isNone()).isTrue();
  }

  @Test
  void slashStarMatchesEverything() {
    AccessRules all = new AccessRules.Builder().permit("/*").build();
    assertThat(all.match("/").isPublic).isTrue();
    assertThat(all.match("/a/b").isPublic).isTrue();
  }

  /** Issue 10 item 9. */
  @Test
  void aRequirementWithoutStarCoversItsPathAndEverythingBelowButNotLookalikes() {
    AccessRules orders = new AccessRules.Builder().require("/api/orders", API).build();
    for (String path : new String[] {"/api/orders", "/api/orders/", "/api/orders/42", "/api/orders/42/lines"}) {
      assertThat(orders.match(path).pattern).as(path).isEqualTo("/api/orders");
    }
    assertThat(orders.match("/api/ordersX")).isSameAs(AccessRules.UNMATCHED);
    assertThat(orders.match("/api")).isSameAs(AccessRules.UNMATCHED);
  }

  @Test
  void aRequirementWithATrailingSlashCoversThePathWithoutIt() {
    AccessRules orders = new AccessRules.Builder().require("/api/orders/", API).build();
    assertThat(orders.match("/api/orders").pattern).isEqualTo("/api/orders/");
    assertThat(orders.match("/api/orders/1").pattern).isEqualTo("/api/orders/");
  }

  @Test
  void aRequirementOnTheRootCoversEverything() {
    AccessRules root = new AccessRules.Builder().require("/", API).permit("/health").build();
    assertThat(root.match("/").requirement).isEqualTo(API);
    assertThat(root.match("/a/b").requirement).isEqualTo(API);
    assertThat(root.match("/health").isPublic).isTrue();
    assertThat(root.match("/health/x").requirement).isEqualTo(API);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orders/*", "/api/orders/"})
  void theBareStarredAndSlashedFormsOfARequirementAreOneRule(String second) {
    AccessRules.Builder b = new AccessRules.Builder().require("/api/orders", API);
    assertThatThrownBy(() -> b.require(second, ADMIN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a rule");
  }

  @Test
  void aPublicPatternIsExactUnlessItEndsInSlashStar() {
    AccessRules open = new AccessRules.Builder().permit("/api/public").permit("/docs/*").build();
    assertThat(open.match("/api/public").isPublic).isTrue();
    assertThat(open.match("/api/public/")).isSameAs(AccessRules.UNMATCHED);
    assertThat(open.match("/api/public/x")).isSameAs(AccessRules.UNMATCHED);
    assertThat(open.match("/docs").isPublic).isTrue();
    assertThat(open.match("/docs/a/b").isPublic).isTrue();
    assertThat(open.match("/docsx")).isSameAs(AccessRules.UNMATCHED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/orders", "/api/orders/"})
  void aPublicExactPatternCannotOpenThePathARequirementNames(String open) {
    assertThatThrownBy(() -> new AccessRules.Builder().require("/api/orders/*", API).permit(open))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be public");
    assertThatThrownBy(() -> new AccessRules.Builder().permit(open).require("/api/orders", API))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be protected");
  }

  @Test
  void aPublicPrefixAndARequirementOnTheSamePathAreRefused() {
    assertThatThrownBy(() -> new AccessRules.Builder().permit("/a/*").require("/a", API))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a rule");
  }

  @Test
  void aPublicExactPatternMayOpenAPathBelowARequirement() {
    AccessRules r = new AccessRules.Builder().require("/api", API).permit("/api/health").build();
    assertThat(r.match("/api/health").isPublic).isTrue();
    assertThat(r.match("/api/health/details").requirement).isEqualTo(API);
    assertThat(r.match("/api").requirement).isEqualTo(API);
  }

  @Test
  void aLongerRequirementClosesPartOfAPublicPrefix() {
    AccessRules r = new AccessRules.Builder().permit("/static/*").require("/static/private", Requirement.none()).build();
    assertThat(r.match("/static/logo.png").isPublic).isTrue();
    assertThat(r.match("/static/private").isPublic).isFalse();
    assertThat(r.match("/static/private/x").isPublic).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"api", "/api/*/x", "/api*", "/a b", "/a?b", "/a;b", "/a//b", "", "/ä", "/a#b", "/a\tb"})
  void malformedPatternIsRefused(String pattern) {
    assertThatThrownBy(() -> new AccessRules.Builder().permit(pattern)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AccessRules.Builder().require(pattern, API)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void samePatternTwiceIsRefused() {
    AccessRules.Builder b = new AccessRules.Builder().permit("/a");
    assertThatThrownBy(() -> b.permit("/a")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a rule");
    AccessRules.Builder c = new AccessRules.Builder().require("/a", API);
    assertThatThrownBy(() -> c.require("/a", ADMIN)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a rule");
  }
}
