package dev.tokenguard.http;

import static dev.tokenguard.http.Answers.body;
import static dev.tokenguard.http.Answers.challenge;
import static dev.tokenguard.http.Answers.refused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TokenBuilder;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Step-up answers (RFC 9470 section 3): a valid token whose user authentication does not meet the
 * path's acr or maximum-age requirement gets 401 {@code insufficient_user_authentication} naming
 * {@code acr_values} and {@code max_age}, built in the one refusal mapping from core's exception.
 * Each test attacks one rule; the control shows the same path admits a token that meets it. The
 * verifier's clock is a {@link TestClock}; its clock skew (the default 60 s) does not widen a
 * maximum age.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StepUpAnswerTest {
  static final String MFA = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
  static final String GOLD = "urn:example:loa:gold";
  private static final String STEP_UP = "Bearer realm=\"health-api\", error=\"insufficient_user_authentication\", ";
  private static final String OTHER_LEVEL = "error_description=\"A different authentication level is required.\"";
  private static final String MORE_RECENT = "error_description=\"More recent authentication is required.\"";

  private final TestClock clock = TestClock.at(Instant.parse("2026-11-02T09:00:00Z"));
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();
  private final ProtectedResource resource = ProtectedResource.builder(verifier)
      .realm("health-api")
      .requireScopes("/api/patients", "read:patients")
      .require("/api/records", Requirement.allScopes("read:patients").withAcrValues(MFA, GOLD).withMaxAge(Duration.ofSeconds(300)))
      .require("/api/transfers", Requirement.none().withMaxAge(Duration.ofSeconds(60)))
      .require("/api/vault", Requirement.none().withAcrValues(GOLD))
      .build();

  @AfterAll
  void stop() {
    verifier.close();
    issuer.close();
  }

  /** A nurse who logged in with MFA {@code ago} before now, holding read:patients. */
  private TokenBuilder loggedIn(Duration ago) {
    return issuer.accessToken().subject("auth0|nurse").scopes("read:patients").acr(MFA).amr("pwd", "otp")
        .authTime(clock.instant().minus(ago));
  }

  private Decision get(String path, String token) {
    try {
      return resource.decide(InMemoryRequest.get(path).bearer(token));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRecentMultiFactorLoginOpensTheRecord() {
    Decision d = get("/api/records/p-001", loggedIn(Duration.ofSeconds(30)).sign());
    assertThat(d.isAllowed()).as("%s", d).isTrue();
    assertThat(d.accessToken().orElseThrow().acr()).contains(MFA);
  }

  @Test
  void aWrongAcrGets401NamingTheAcrValuesInOrderAndTheMaxAge() {
    Answer answer = refused(get("/api/records", loggedIn(Duration.ofSeconds(30)).acr("urn:example:loa:bronze").sign()), 401);
    assertThat(challenge(answer)).isEqualTo(STEP_UP + OTHER_LEVEL + ", acr_values=\"" + MFA + " " + GOLD + "\", max_age=300");
    assertThat(body(answer)).isEqualTo(
        "{\"error\":\"insufficient_user_authentication\",\"error_description\":\"A different authentication level is required.\"}");
    assertThat(answer.headers().get("Cache-Control")).containsExactly("no-store");
  }

  @Test
  void aTokenWithoutAcrGetsTheSameChallenge() {
    Answer answer = refused(get("/api/records", loggedIn(Duration.ofSeconds(30)).withoutClaim("acr").sign()), 401);
    assertThat(challenge(answer)).isEqualTo(STEP_UP + OTHER_LEVEL + ", acr_values=\"" + MFA + " " + GOLD + "\", max_age=300");
  }

  @Test
  void aStaleAuthTimeGets401AskingForAMoreRecentLogin() {
    // A 300 s maximum age is exact (the clock skew does not widen it): 301 s is one second too old.
    Answer answer = refused(get("/api/records", loggedIn(Duration.ofSeconds(301)).sign()), 401);
    assertThat(challenge(answer)).isEqualTo(STEP_UP + MORE_RECENT + ", acr_values=\"" + MFA + " " + GOLD + "\", max_age=300");
    assertThat(get("/api/records", loggedIn(Duration.ofSeconds(300)).sign()).isAllowed()).as("control: at the limit").isTrue();
  }

  @Test
  void aMissingAuthTimeFailsAMaxAgeRule() {
    Answer answer = refused(get("/api/transfers", loggedIn(Duration.ZERO).withoutClaim("auth_time").sign()), 401);
    assertThat(challenge(answer)).isEqualTo(STEP_UP + MORE_RECENT + ", max_age=60");
    assertThat(get("/api/transfers", loggedIn(Duration.ZERO).sign()).isAllowed()).as("control").isTrue();
  }

  @Test
  void anAuthTimeInTheFutureIsNoRecentLogin() {
    Answer answer = refused(get("/api/transfers", loggedIn(Duration.ofSeconds(-120)).sign()), 401);
    assertThat(challenge(answer)).isEqualTo(STEP_UP + MORE_RECENT + ", max_age=60");
  }

  @Test
  void aLoginThatAgesOutIsRefusedOnTheNextRequestWithTheSameToken() {
    String token = loggedIn(Duration.ofSeconds(50)).sign();
    assertThat(get("/api/transfers", token).isAllowed()).isTrue();
    clock.advance(Duration.ofSeconds(71));
    try {
      refused(get("/api/transfers", token), 401);
      assertThat(get("/api/patients", token).isAllowed()).as("the token itself is still valid").isTrue();
    } finally {
      clock.advance(Duration.ofSeconds(-71));
    }
  }

  @Test
  void anAcrOnlyRuleNamesNoMaxAge() {
    Answer answer = refused(get("/api/vault", loggedIn(Duration.ZERO).sign()), 401);
    assertThat(challenge(answer)).isEqualTo(STEP_UP + OTHER_LEVEL + ", acr_values=\"" + GOLD + "\"");
  }

  /** RFC 9470 section 3: the step-up challenge may carry scope when the token lacks scopes too, so one new token does. */
  @Test
  void lackingScopesTooAreNamedInTheSameChallengeAndBody() {
    Answer answer = refused(get("/api/records", loggedIn(Duration.ofSeconds(30)).acr("urn:other").scopes("read:admin").sign()), 401);
    assertThat(challenge(answer))
        .isEqualTo(STEP_UP + OTHER_LEVEL + ", scope=\"read:patients\", acr_values=\"" + MFA + " " + GOLD + "\", max_age=300");
    assertThat(body(answer)).endsWith(",\"scope\":\"read:patients\"}");
  }

  @Test
  void aStrongRecentLoginWithoutTheScopeGets403NamingOnlyTheScope() {
    Answer answer = refused(get("/api/records", loggedIn(Duration.ofSeconds(30)).scopes("read:admin").sign()), 403);
    assertThat(challenge(answer)).isEqualTo("Bearer realm=\"health-api\", error=\"insufficient_scope\", "
        + "error_description=\"The access token lacks the scope this request requires.\", scope=\"read:patients\"");
  }

  @Test
  void anInvalidTokenIsRefusedAsInvalidBeforeItsAuthenticationIsLookedAt() {
    Answer answer = refused(get("/api/records", loggedIn(Duration.ofSeconds(30)).acr("urn:other").expired().sign()), 401);
    assertThat(challenge(answer)).contains("error=\"invalid_token\"").doesNotContain("acr_values", "max_age");
  }
}
