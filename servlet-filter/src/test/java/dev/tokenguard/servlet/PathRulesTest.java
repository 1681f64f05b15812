package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.servlet.PathRules.Access;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Servlet-mapping style matching: exact beats prefix, longest prefix wins, unmatched needs a token. */
class PathRulesTest {
  private final PathRules rules = new PathRules.Builder()
      .add("/api/*", Access.ALL_SCOPES, List.of("api"))
      .add("/api/public", Access.PUBLIC, List.of())
      .add("/api/admin/*", Access.ALL_SCOPES, List.of("admin"))
      .add("/api/admin/open/*", Access.PUBLIC, List.of())
      .build();

  @Test
  void exactPatternBeatsAPrefix() {
    assertThat(rules.match("/api/public").access).isEqualTo(Access.PUBLIC);
    assertThat(rules.match("/api/public/x").pattern).isEqualTo("/api/*");
  }

  @Test
  void longestPrefixWinsWhateverTheOrderOfDeclaration() {
    assertThat(rules.match("/api/admin/users").pattern).isEqualTo("/api/admin/*");
    assertThat(rules.match("/api/admin/open/doc").pattern).isEqualTo("/api/admin/open/*");
    assertThat(rules.match("/api/admin").pattern).isEqualTo("/api/admin/*");
    assertThat(rules.match("/api/adminx").pattern).isEqualTo("/api/*");
  }

  @Test
  void unmatchedPathNeedsAValidToken() {
    assertThat(rules.match("/other").access).isEqualTo(Access.TOKEN);
    assertThat(rules.match("/").access).isEqualTo(Access.TOKEN);
  }

  @Test
  void slashStarMatchesEverything() {
    PathRules all = new PathRules.Builder().add("/*", Access.PUBLIC, List.of()).build();
    assertThat(all.match("/").access).isEqualTo(Access.PUBLIC);
    assertThat(all.match("/a/b").access).isEqualTo(Access.PUBLIC);
  }

  @ParameterizedTest
  @ValueSource(strings = {"api", "/api/*/x", "/api*", "/a b", "/a?b", "/a;b", "/a//b", "", "/ä"})
  void malformedPatternIsRefused(String pattern) {
    assertThatThrownBy(() -> new PathRules.Builder().add(pattern, Access.PUBLIC, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void samePatternTwiceIsRefused() {
    PathRules.Builder b = new PathRules.Builder().add("/a", Access.PUBLIC, List.of());
    assertThatThrownBy(() -> b.add("/a", Access.ALL_SCOPES, List.of("x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a rule");
  }
}
