package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A misconfigured verifier refuses every token with a vague 401; the operator must learn why where
 * they look, at WARN (issue: misconfiguration is invisible). Refusals of one configuration kind in
 * a row, with nothing accepted, make one rate-limited warning naming expected and actual values,
 * escaped.
 */
class MisconfigurationDiagnosisTest {
  private static final String WARNING = "WARN dev.tokenguard.AccessTokenVerifier - TokenGuard refused the last";
  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();

  @AfterEach
  void stop() {
    issuer.close();
  }

  private static void refuse(AccessTokenVerifier verifier, String token, String... scopes) {
    assertThatThrownBy(() -> verifier.verify(token, scopes)).isInstanceOf(TokenVerificationException.class);
  }

  private static String refuseTimes(int times, AccessTokenVerifier verifier, String token, String... scopes) {
    return LogCapture.captureStandardError(() -> {
      for (int i = 0; i < times; i++) {
        refuse(verifier, token, scopes);
      }
    });
  }

  @Test
  void aWrongAudienceIsDiagnosedOnceAfterTwentyRefusalsWithNoneAccepted() {
    AccessTokenVerifier verifier = issuer.verifierBuilder().audience("https://api.example.test/").build(); // a stray slash
    String token = issuer.accessToken().sign();

    assertThat(refuseTimes(MisconfigurationMonitor.THRESHOLD - 1, verifier, token)).doesNotContain(WARNING);
    String log = refuseTimes(30, verifier, token);

    assertThat(LogCapture.count(log, WARNING)).isOne();
    assertThat(log).contains("WRONG_AUDIENCE: expected aud containing [https://api.example.test/], got \"[https://api.example.test]\"",
        "check the audience");
  }

  @Test
  void theWarningRepeatsAtMostEveryTenMinutes() {
    AccessTokenVerifier verifier = issuer.verifierBuilder().audience("https://other.example.test").build();
    String token = issuer.accessToken().expiresIn(Duration.ofHours(2)).sign();
    assertThat(LogCapture.count(refuseTimes(40, verifier, token), WARNING)).isOne();

    clock.advance(Duration.ofMinutes(9));
    assertThat(refuseTimes(40, verifier, token)).doesNotContain(WARNING);
    clock.advance(Duration.ofMinutes(2));
    assertThat(LogCapture.count(refuseTimes(1, verifier, token), WARNING)).isOne();
  }

  @Test
  void aVerifierThatAcceptsTokensStaysQuietWhateverItRefuses() {
    AccessTokenVerifier verifier = issuer.verifierBuilder().build();
    String good = issuer.accessToken().sign();
    String stranger = issuer.accessToken().issuer("https://attacker.example/").sign();

    String log = LogCapture.captureStandardError(() -> {
      for (int i = 0; i < 100; i++) {
        if (i % 10 == 0) {
          verifier.verify(good);
        } else {
          refuse(verifier, stranger);
        }
      }
    });

    assertThat(log).doesNotContain(WARNING);
  }

  @Test
  void anIssuerThatDiffersByATrailingSlashIsNamedWithTheFix() {
    String withoutSlash = issuer.issuer().substring(0, issuer.issuer().length() - 1);
    AccessTokenVerifier verifier = AccessTokenVerifier.builder().issuer(withoutSlash).audience(issuer.audience())
        .jwksUri(issuer.jwksUri()).clock(clock).keyFetchExecutor(Runnable::run).build();

    String log = refuseTimes(MisconfigurationMonitor.THRESHOLD, verifier, issuer.accessToken().sign());

    assertThat(log).contains(WARNING, "WRONG_ISSUER", "they differ only by a trailing slash", "check the issuer");
  }

  @Test
  void attackerChosenValuesAreQuotedAndEscapedNeverEchoedRaw() {
    AccessTokenVerifier verifier = issuer.verifierBuilder().build();
    String token = issuer.accessToken().issuer("https://evil.example/\n2026-11-30 WARN forged line \"x\"").sign();

    String log = refuseTimes(MisconfigurationMonitor.THRESHOLD, verifier, token);

    assertThat(log).contains(WARNING, "\\u000a2026-11-30 WARN forged line \\u0022x\\u0022").doesNotContain("\n2026-11-30 WARN forged");
  }

  @Test
  void permissionsInAClaimThatIsNotReadAreNamedWhenScopesAreMissing() {
    AccessTokenVerifier verifier = issuer.verifierBuilder().build();
    String entraAppToken = issuer.accessToken().claim("roles", java.util.List.of("Reports.Read")).sign();

    String log = refuseTimes(MisconfigurationMonitor.THRESHOLD, verifier, entraAppToken, "Reports.Read");

    assertThat(log).contains(WARNING, "the token carries the claim roles, which is not read as a scope claim",
        "check the scope claims");
    AccessTokenVerifier fixed = issuer.verifierBuilder().scopeClaims("scope", "scp", "roles").build();
    assertThat(fixed.verify(entraAppToken, "Reports.Read").scopes()).containsExactly("Reports.Read");
  }

  @Test
  void anAuth0IssuerWithoutItsTrailingSlashIsFlaggedAtBuild() {
    String log = LogCapture.captureStandardError(() ->
        AccessTokenVerifier.builder().issuer("https://tenant.us.auth0.com").audience("https://api").build().close());

    assertThat(log).contains("WARN dev.tokenguard.AccessTokenVerifier - The issuer \"https://tenant.us.auth0.com\" is an Auth0"
        + " domain without the trailing slash", "configure \"https://tenant.us.auth0.com/\"");
    assertThat(LogCapture.captureStandardError(() ->
        AccessTokenVerifier.builder().issuer("https://tenant.us.auth0.com/").audience("https://api").build().close()))
        .doesNotContain("Auth0 domain without the trailing slash");
  }
}
