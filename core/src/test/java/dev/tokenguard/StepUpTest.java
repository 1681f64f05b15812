package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TokenBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Step-up authentication (RFC 9470): the typed {@code acr}, {@code amr} and {@code auth_time} of a
 * token, and requirements of an authentication context class and a maximum authentication age,
 * each attacked with a token that fails it.
 */
class StepUpTest {
  static final String MFA = AuthenticationClaimsTest.MFA;
  static final String PASSWORD = "urn:example:password";
  private static final Duration FIVE_MINUTES = Duration.ofSeconds(300);

  private final TestClock clock = TestClock.at(Instant.parse("2026-11-30T10:00:00Z"));
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();
  /** What /api/records of the example app requires. */
  private final Requirement records = Requirement.allScopes("read:patients").withAcrValues(MFA).withMaxAge(FIVE_MINUTES);

  @AfterEach
  void stop() {
    issuer.close();
  }

  private TokenBuilder loggedIn(Duration ago) {
    return issuer.accessToken().scopes("read:patients").acr(MFA).amr("pwd", "otp").authTime(clock.instant().minus(ago));
  }

  private AccessToken verify(AccessTokenVerifier verifier, String token, Requirement requirement) {
    return verifier.verify(TokenRequest.bearer(token).requiring(requirement));
  }

  private TokenVerificationException refusal(AccessTokenVerifier verifier, String token, Requirement requirement) {
    try {
      verify(verifier, token, requirement);
    } catch (TokenVerificationException e) {
      return e;
    }
    throw new AssertionError("the token was accepted");
  }

  @Test
  void aTokenMeetingEveryRuleIsAccepted() {
    AccessToken token = verify(verifier, loggedIn(Duration.ofSeconds(120)).sign(), records);

    assertThat(token.acr()).contains(MFA);
    assertThat(records.isMetBy(token)).isTrue();
    assertThat(verify(verifier, loggedIn(Duration.ofSeconds(1)).acr(PASSWORD).sign(),
        Requirement.none().withAcrValues(MFA, PASSWORD)).acr()).contains(PASSWORD);
  }

  @Test
  void aWrongAcrIsRefusedAsInsufficientUserAuthenticationNamingEveryStepUpRule() {
    TokenVerificationException e = refusal(verifier, loggedIn(Duration.ofSeconds(1)).acr(PASSWORD).sign(), records);

    assertThat(e.reason()).isEqualTo(Reason.INSUFFICIENT_USER_AUTHENTICATION);
    assertThat(e.httpStatus()).isEqualTo(401);
    assertThat(e.errorCode()).isEqualTo("insufficient_user_authentication");
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.safeDescription()).isEqualTo("A different authentication level is required.");
    Requirement named = e.unmetRequirement().orElseThrow();
    assertThat(named.acrValues()).containsExactly(MFA);
    assertThat(named.maxAge()).contains(FIVE_MINUTES);
    assertThat(e.requiredScopes()).as("the token has the scopes").isEmpty();
    assertThat(e.getMessage()).contains(PASSWORD).contains(MFA);
  }

  @Test
  void aMissingAcrIsRefused() {
    TokenVerificationException e = refusal(verifier, loggedIn(Duration.ofSeconds(1)).withoutClaim("acr").sign(), records);

    assertThat(e.reason()).isEqualTo(Reason.INSUFFICIENT_USER_AUTHENTICATION);
    assertThat(e.safeDescription()).isEqualTo("A different authentication level is required.");
    assertThat(e.getMessage()).contains("no acr");
    // A machine-to-machine token has no user authentication at all.
    assertThat(refusal(verifier, issuer.machineToMachineToken().sign(), Requirement.none().withAcrValues(MFA)).reason())
        .isEqualTo(Reason.INSUFFICIENT_USER_AUTHENTICATION);
  }

  @Test
  void aStaleAuthTimeIsRefusedAsNeedingAMoreRecentAuthentication() {
    TokenVerificationException e = refusal(verifier, loggedIn(Duration.ofMinutes(30)).sign(), records);

    assertThat(e.reason()).isEqualTo(Reason.INSUFFICIENT_USER_AUTHENTICATION);
    assertThat(e.safeDescription()).isEqualTo("More recent authentication is required.");
    assertThat(e.unmetRequirement().orElseThrow().maxAge()).contains(FIVE_MINUTES);
    assertThat(e.unmetRequirement().orElseThrow().acrValues()).containsExactly(MFA);
    assertThat(e.getMessage()).contains("1800 s old");
  }

  @Test
  void aMissingAuthTimeFailsAMaxAgeRule() {
    TokenVerificationException e =
        refusal(verifier, loggedIn(Duration.ZERO).withoutClaim("auth_time").sign(), Requirement.none().withMaxAge(FIVE_MINUTES));

    assertThat(e.reason()).isEqualTo(Reason.INSUFFICIENT_USER_AUTHENTICATION);
    assertThat(e.getMessage()).contains("no auth_time");
    assertThat(e.unmetRequirement().orElseThrow().acrValues()).isEmpty();
  }

  @Test
  void anAuthTimeInTheFutureBeyondTheSkewFailsAMaxAgeRule() {
    Requirement fresh = Requirement.none().withMaxAge(FIVE_MINUTES);
    assertThat(verify(verifier, loggedIn(Duration.ofSeconds(-60)).sign(), fresh).authTime()).isPresent();
    assertThat(refusal(verifier, loggedIn(Duration.ofSeconds(-61)).sign(), fresh).getMessage()).contains("in the future");
  }

  @Test
  void theMaxAgeIsInclusiveAndExactWhateverTheClockSkew() {
    Requirement fresh = Requirement.none().withMaxAge(FIVE_MINUTES);
    AccessTokenVerifier noSkew = issuer.verifierBuilder().clockSkew(Duration.ZERO).build();

    assertThat(verify(noSkew, loggedIn(Duration.ofSeconds(300)).sign(), fresh).authTime()).isPresent();
    assertThat(refusal(noSkew, loggedIn(Duration.ofSeconds(301)).sign(), fresh).reason())
        .isEqualTo(Reason.INSUFFICIENT_USER_AUTHENTICATION);

    // The default 60 s of skew does not widen it: the challenge said max_age=300.
    assertThat(verify(verifier, loggedIn(Duration.ofSeconds(300)).sign(), fresh).authTime()).isPresent();
    assertThat(refusal(verifier, loggedIn(Duration.ofSeconds(301)).sign(), fresh).reason())
        .isEqualTo(Reason.INSUFFICIENT_USER_AUTHENTICATION);

    // A max age of zero: the authentication must be this second, within the skew.
    AccessToken now = verify(noSkew, loggedIn(Duration.ZERO).sign(), Requirement.none().withMaxAge(Duration.ZERO));
    assertThat(now.authTime()).contains(clock.instant());
  }

  @Test
  void theAgeIsCheckedOnEveryRequestAlsoForACachedToken() {
    String token = loggedIn(Duration.ofSeconds(200)).sign();
    assertThat(verify(verifier, token, records).subject()).isNotEmpty();
    AccessToken cached = verifier.verify(token);

    clock.advance(Duration.ofSeconds(100)); // 300 s: still within the max age
    assertThat(verify(verifier, token, records)).isSameAs(cached);
    assertThat(records.isMetBy(cached)).isTrue();

    clock.advance(Duration.ofSeconds(1)); // 301 s
    assertThat(refusal(verifier, token, records).reason()).isEqualTo(Reason.INSUFFICIENT_USER_AUTHENTICATION);
    assertThat(records.isMetBy(cached)).isFalse();
    assertThat(verifier.verify(token, "read:patients")).as("the token itself is still valid").isSameAs(cached);
  }

  @Test
  void stepUpIsCheckedBeforeScopesAndTheChallengeNamesTheLackingScopesToo() {
    String wrongAcrNoScope = issuer.accessToken().scopes("read:other").acr(PASSWORD).authTime(clock.instant()).sign();
    TokenVerificationException both = refusal(verifier, wrongAcrNoScope, records);
    assertThat(both.reason()).isEqualTo(Reason.INSUFFICIENT_USER_AUTHENTICATION);
    assertThat(both.requiredScopes()).containsExactly("read:patients");
    assertThat(both.unmetRequirement().orElseThrow().acrValues()).containsExactly(MFA);

    Requirement anyScope = Requirement.anyScope("read:patients", "read:admin").withAcrValues(MFA);
    TokenVerificationException any = refusal(verifier, wrongAcrNoScope, anyScope);
    assertThat(any.requiredScopes()).containsExactly("read:patients", "read:admin");
    assertThat(any.unmetRequirement().orElseThrow().anyScopeSuffices()).isTrue();

    String stepUpMetNoScope = issuer.accessToken().scopes("read:other").acr(MFA).authTime(clock.instant()).sign();
    TokenVerificationException scope = refusal(verifier, stepUpMetNoScope, records);
    assertThat(scope.reason()).isEqualTo(Reason.INSUFFICIENT_SCOPE);
    assertThat(scope.httpStatus()).isEqualTo(403);
    assertThat(scope.unmetRequirement()).contains(Requirement.allScopes("read:patients"));
  }

  @Test
  void aRequirementIsAnImmutableValue() {
    Requirement scopes = Requirement.allScopes("read:patients");
    Requirement stepUp = scopes.withAcrValues(MFA, PASSWORD).withMaxAge(FIVE_MINUTES);

    assertThat(scopes.acrValues()).isEmpty();
    assertThat(scopes.maxAge()).isEmpty();
    assertThat(stepUp.scopes()).containsExactly("read:patients");
    assertThat(stepUp.acrValues()).containsExactly(MFA, PASSWORD);
    assertThat(stepUp.maxAge()).isEqualTo(Optional.of(FIVE_MINUTES));
    assertThat(stepUp).isEqualTo(Requirement.allScopes("read:patients").withMaxAge(FIVE_MINUTES).withAcrValues(MFA, PASSWORD))
        .hasSameHashCodeAs(Requirement.allScopes("read:patients").withMaxAge(FIVE_MINUTES).withAcrValues(MFA, PASSWORD))
        .isNotEqualTo(scopes).isNotEqualTo(stepUp.withAcrValues(MFA));
    assertThat(stepUp).hasToString("all of [read:patients], acr one of [" + MFA + ", " + PASSWORD + "], max age 300 s");
    assertThat(Requirement.none().withMaxAge(FIVE_MINUTES).isNone()).isFalse();
    assertThat(Requirement.none().withAcrValues(MFA).isNone()).isFalse();
    assertThat(Requirement.none().isNone()).isTrue();
  }

  @Test
  void acrValuesAndMaxAgeAreCheckedAtOnce() {
    Requirement none = Requirement.none();
    assertThatThrownBy(none::withAcrValues).isInstanceOf(IllegalArgumentException.class);
    for (String bad : List.of("", "multi factor", "a\"b", "a\\b", "caf\u00e9")) {
      assertThatThrownBy(() -> none.withAcrValues(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> none.withAcrValues((String) null)).isInstanceOf(NullPointerException.class);
    for (Duration bad : List.of(Duration.ofSeconds(-1), Duration.ofMillis(1500), Duration.ofSeconds(Integer.MAX_VALUE + 1L))) {
      assertThatThrownBy(() -> none.withMaxAge(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> none.withMaxAge(null)).isInstanceOf(NullPointerException.class);
    assertThat(none.withMaxAge(Duration.ofSeconds(Integer.MAX_VALUE)).maxAge()).contains(Duration.ofSeconds(Integer.MAX_VALUE));
  }
}
