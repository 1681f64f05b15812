package dev.tokenguard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The challenge model (scheme + ordered auth-params), its RFC 9110 quoting, and the JSON body. */
class ChallengeTest {
  private static Challenge.Builder bearer(String realm) {
    return Challenge.of("Bearer", realm);
  }

  @Test
  void realmWithQuoteAndBackslashIsEscapedAsQuotedString() {
    assertThat(bearer("my \"api\" \\ v1").build().render()).isEqualTo("Bearer realm=\"my \\\"api\\\" \\\\ v1\"");
    assertThat(new Refusals("my \"api\" \\ v1", 30).noCredentials("test").headers().get("WWW-Authenticate"))
        .containsExactly("Bearer realm=\"my \\\"api\\\" \\\\ v1\"");
  }

  @Test
  void descriptionKeepsOnlyTheCharactersRfc6750Allows() {
    String header = bearer("r").error("invalid_token", "bad \"x\"\r\nSet-Cookie: a=b\\ é").build().render();
    assertThat(header).isEqualTo("Bearer realm=\"r\", error=\"invalid_token\", error_description=\"bad xSet-Cookie: a=b \"");
  }

  @Test
  void insufficientScopeListsTheScopesSpaceSeparated() {
    assertThat(bearer("r").error("insufficient_scope", "d").scope(List.of("read:a", "read:b")).build().render())
        .isEqualTo("Bearer realm=\"r\", error=\"insufficient_scope\", error_description=\"d\", scope=\"read:a read:b\"");
  }

  @Test
  void scopeTokensAreFilteredAndAnEmptyScopeIsLeftOut() {
    assertThat(bearer("r").scope(List.of("a\"b", "c d", "\u00e9")).build().render()).isEqualTo("Bearer realm=\"r\", scope=\"ab cd\"");
    assertThat(bearer("r").scope(List.of("\u00e9")).build().render()).isEqualTo("Bearer realm=\"r\"");
  }

  @Test
  void controlCharactersInARealmAreDropped() {
    assertThat(bearer("a\r\nb\u0000c\u00e9").build().render()).isEqualTo("Bearer realm=\"abc\"");
  }

  @Test
  void anAuthParamAppearsOnce() {
    assertThatThrownBy(() -> bearer("r").param("realm", "again")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void otherSchemesAndParamsRenderInOrder() {
    Challenge dpop = Challenge.of("DPoP", "x").param("algs", "ES256 PS256").error("invalid_dpop_proof", "The proof is invalid.").build();
    assertThat(dpop.render()).isEqualTo("DPoP realm=\"x\", algs=\"ES256 PS256\", error=\"invalid_dpop_proof\", error_description=\"The proof is invalid.\"");
    assertThat(dpop.scheme()).isEqualTo("DPoP");
    assertThat(dpop.param("algs")).isEqualTo("ES256 PS256");
    assertThat(dpop.param("scope")).isNull();
  }

  /** RFC 9110 11.6.1 and RFC 9449 7.1: several challenges in one answer, one header value each, in order. */
  @Test
  void severalChallengesInOneAnswerKeepTheirOrder() {
    Answer answer = new Answer.Builder(401)
        .header("WWW-Authenticate", bearer("x").build().render())
        .header("Cache-Control", "no-store")
        .header("WWW-Authenticate", Challenge.of("DPoP", "x").param("algs", "ES256 PS256").build().render())
        .header("DPoP-Nonce", "n-1")
        .build();
    assertThat(answer.headers()).containsExactly(
        Map.entry("WWW-Authenticate", List.of("Bearer realm=\"x\"", "DPoP realm=\"x\", algs=\"ES256 PS256\"")),
        Map.entry("Cache-Control", List.of("no-store")),
        Map.entry("DPoP-Nonce", List.of("n-1")));
    assertThatThrownBy(() -> answer.headers().put("X", List.of())).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> answer.headers().get("WWW-Authenticate").add("y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void maxAgeIsABareTokenAndAcrValuesAQuotedListInOrder() {
    assertThat(bearer("r").error("insufficient_user_authentication", "d").acrValues(List.of("urn:b", "urn:a")).maxAge(300).build().render())
        .isEqualTo("Bearer realm=\"r\", error=\"insufficient_user_authentication\", error_description=\"d\", "
            + "acr_values=\"urn:b urn:a\", max_age=300");
    assertThat(bearer("r").acrValues(List.of("a\"b", "\u00e9")).build().render()).isEqualTo("Bearer realm=\"r\", acr_values=\"ab\"");
    assertThat(bearer("r").acrValues(List.of()).build().render()).isEqualTo("Bearer realm=\"r\"");
    assertThatThrownBy(() -> bearer("r").maxAge(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The refusal mapping with a second scheme, as issue 12 will configure it: one challenge per
   * scheme in order, the error only on the challenge of the scheme whose credentials were refused,
   * {@code resource_metadata} on every challenge, extra header fields after the challenges.
   */
  @Test
  void aSecondSchemeAddsAChallengeWithoutASecondMapping() {
    Refusals.Scheme dpop = new Refusals.Scheme("DPoP", List.of(Map.entry("algs", "ES256 PS256")));
    Refusals refusals = new Refusals("r", 30, "https://api.example/.well-known/oauth-protected-resource",
        List.of(Refusals.Scheme.BEARER, dpop));

    Answer none = refusals.noCredentials("test");
    assertThat(none.headers().get("WWW-Authenticate")).containsExactly(
        "Bearer realm=\"r\", resource_metadata=\"https://api.example/.well-known/oauth-protected-resource\"",
        "DPoP realm=\"r\", algs=\"ES256 PS256\", resource_metadata=\"https://api.example/.well-known/oauth-protected-resource\"");

    Answer proof = refusals.answer(new Refusals.Refusal("bad proof", 401, "invalid_dpop_proof", "The DPoP proof is invalid.",
        List.of(), List.of(), -1, false, "DPoP", List.of(Map.entry("DPoP-Nonce", "n-1"))));
    assertThat(proof.headers().get("WWW-Authenticate")).containsExactly(
        "Bearer realm=\"r\", resource_metadata=\"https://api.example/.well-known/oauth-protected-resource\"",
        "DPoP realm=\"r\", algs=\"ES256 PS256\", error=\"invalid_dpop_proof\", error_description=\"The DPoP proof is invalid.\", "
            + "resource_metadata=\"https://api.example/.well-known/oauth-protected-resource\"");
    assertThat(proof.headers().keySet()).containsExactly("WWW-Authenticate", "DPoP-Nonce", "Cache-Control", "X-Content-Type-Options");
  }

  @Test
  void aRetryableRefusalBlamesNoScheme() {
    Answer answer = new Refusals("r", 17).answer(new Refusals.Refusal("keys", 503, "temporarily_unavailable", "d",
        List.of(), List.of(), -1, true, Challenge.BEARER, List.of()));
    assertThat(answer.headers().get("WWW-Authenticate")).containsExactly("Bearer realm=\"r\"");
    assertThat(answer.headers().get("Retry-After")).containsExactly("17");
  }

  @Test
  void bodyIsJsonWithEscapedValues() {
    assertThat(Refusals.body("invalid_request", "a \"b\" \\ <c>\n", List.of()))
        .isEqualTo("{\"error\":\"invalid_request\",\"error_description\":\"a \\\"b\\\" \\\\ \\u003cc\\u003e\\u000a\"}");
    Answer noCredentials = new Refusals("r", 30).noCredentials("test");
    assertThat(new String(noCredentials.body(), StandardCharsets.US_ASCII))
        .isEqualTo("{\"error_description\":\"This request requires an access token.\"}");
  }

  @Test
  void answerBodyIsACopy() {
    Answer answer = new Refusals("r", 30).invalidRequest("d");
    answer.body()[0] = 'X';
    assertThat(answer.body()[0]).isEqualTo((byte) '{');
  }
}
