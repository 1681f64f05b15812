package dev.tokenguard.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Reads refused decisions in tests. */
final class Answers {
  private Answers() {}

  /** The answer of a decision that must be a refusal with {@code status}. */
  static Answer refused(Decision decision, int status) {
    assertThat(decision.isAllowed()).as("refused: %s", decision).isFalse();
    assertThat(decision.accessToken()).isEmpty();
    Answer answer = decision.answer().orElseThrow();
    assertThat(answer.status()).as("status of %s", answer).isEqualTo(status);
    return answer;
  }

  /** The one WWW-Authenticate value of {@code answer}, checked for RFC 6750 form. */
  static String challenge(Answer answer) {
    List<String> challenges = answer.headers().get("WWW-Authenticate");
    assertThat(challenges).as("one challenge").hasSize(1);
    Challenges.assertWellFormed(challenges.get(0));
    return challenges.get(0);
  }

  /** The auth-params of the one challenge. */
  static Map<String, String> params(Answer answer) {
    return Challenges.params(challenge(answer));
  }

  /**
   * The challenges of a resource that accepts Bearer and DPoP: exactly two, {@code Bearer} then
   * {@code DPoP}, each well-formed.
   */
  static List<String> bothChallenges(Answer answer) {
    List<String> challenges = answer.headers().get("WWW-Authenticate");
    assertThat(challenges).as("a Bearer and a DPoP challenge").hasSize(2);
    assertThat(challenges.get(0)).startsWith("Bearer ");
    assertThat(challenges.get(1)).startsWith("DPoP ");
    challenges.forEach(Challenges::assertWellFormed);
    return challenges;
  }

  /** The auth-params of the Bearer challenge of an answer with both challenges. */
  static Map<String, String> bearerParams(Answer answer) {
    return Challenges.params(bothChallenges(answer).get(0));
  }

  /** The auth-params of the DPoP challenge of an answer with both challenges. */
  static Map<String, String> dpopParams(Answer answer) {
    return Challenges.params(bothChallenges(answer).get(1));
  }

  static String body(Answer answer) {
    return new String(answer.body(), StandardCharsets.US_ASCII);
  }

  /** A refusal with {@code status} and {@code error} in challenge and body, and the fixed headers. */
  static Answer refusedWith(Decision decision, int status, String error) {
    Answer answer = refused(decision, status);
    assertThat(params(answer)).containsEntry("error", error).containsKey("error_description").containsKey("realm");
    assertThat(body(answer)).startsWith("{\"error\":\"" + error + "\",\"error_description\":\"");
    assertThat(answer.contentType()).isEqualTo("application/json");
    assertThat(answer.headers().get("Cache-Control")).containsExactly("no-store");
    assertThat(answer.headers().get("X-Content-Type-Options")).containsExactly("nosniff");
    return answer;
  }
}
