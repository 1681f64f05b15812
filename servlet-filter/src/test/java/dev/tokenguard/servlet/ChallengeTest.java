package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Header quoting and body escaping of the refusals. */
class ChallengeTest {
  @Test
  void realmWithQuoteAndBackslashIsEscapedAsQuotedString() {
    assertThat(Challenge.noCredentials().header("my \"api\" \\ v1")).isEqualTo("Bearer realm=\"my \\\"api\\\" \\\\ v1\"");
  }

  @Test
  void descriptionKeepsOnlyTheCharactersRfc6750Allows() {
    String header = Challenge.invalidToken("bad \"x\"\r\nSet-Cookie: a=b\\ é").header("r");
    assertThat(header).isEqualTo("Bearer realm=\"r\", error=\"invalid_token\", error_description=\"bad xSet-Cookie: a=b \"");
  }

  @Test
  void insufficientScopeListsTheScopesSpaceSeparated() {
    assertThat(Challenge.insufficientScope("d", List.of("read:a", "read:b")).header("r"))
        .isEqualTo("Bearer realm=\"r\", error=\"insufficient_scope\", error_description=\"d\", scope=\"read:a read:b\"");
  }

  @Test
  void unavailableChallengeBlamesNobody() {
    assertThat(Challenge.unavailable("down", 5).header("r")).isEqualTo("Bearer realm=\"r\"");
  }

  @Test
  void bodyIsJsonWithEscapedValues() {
    assertThat(Challenge.invalidRequest("a \"b\" \\ <c>\n").body())
        .isEqualTo("{\"error\":\"invalid_request\",\"error_description\":\"a \\\"b\\\" \\\\ \\u003cc\\u003e\\u000a\"}");
    assertThat(Challenge.noCredentials().body()).isEqualTo("{\"error_description\":\"This request requires an access token.\"}");
  }
}
