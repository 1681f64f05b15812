package dev.tokenguard;

import static dev.tokenguard.KeySourceRotationTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The claims about the user's authentication (RFC 9068 section 2.2.1), which step-up decisions
 * rely on (RFC 9470 section 6.1): typed on the token, and a token with one of the wrong shape is
 * refused as malformed.
 */
class AuthenticationClaimsTest {
  static final String MFA = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

  private final TestClock clock = TestClock.at(Instant.parse("2026-11-30T10:00:00Z"));
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();

  @AfterEach
  void stop() {
    issuer.close();
  }

  @Test
  void theAuthenticationClaimsAreTyped() {
    AccessToken token = verifier.verify(
        issuer.accessToken().acr(MFA).amr("pwd", "otp").authTime(clock.instant().minusSeconds(42)).sign());

    assertThat(token.acr()).contains(MFA);
    assertThat(token.amr()).containsExactly("pwd", "otp");
    assertThat(token.authTime()).contains(clock.instant().minusSeconds(42));
    assertThatThrownBy(() -> token.amr().add("x")).isInstanceOf(UnsupportedOperationException.class);

    AccessToken plain = verifier.verify(issuer.accessToken().sign());
    assertThat(plain.acr()).isEmpty();
    assertThat(plain.amr()).isEmpty();
    assertThat(plain.authTime()).isEmpty();
  }

  @Test
  void aFractionalAuthTimeIsRoundedDownSoTheAuthenticationNeverLooksYounger() {
    double fractional = clock.instant().getEpochSecond() - 10.75;
    assertThat(verifier.verify(issuer.accessToken().claim("auth_time", fractional).sign()).authTime())
        .contains(clock.instant().minusSeconds(11));
  }

  @Test
  void anAuthTimeThatIsNotANumericDateIsMalformed() {
    long now = clock.instant().getEpochSecond();
    for (Object authTime : new Object[] {String.valueOf(now), null, true, List.of(now), -1, 1e300}) {
      assertRejected(() -> verifier.verify(issuer.accessToken().claim("auth_time", authTime).sign()), Reason.MALFORMED);
    }
  }

  @Test
  void anAcrOrAmrOfTheWrongShapeIsMalformed() {
    assertRejected(() -> verifier.verify(issuer.accessToken().claim("acr", 2).sign()), Reason.MALFORMED);
    assertRejected(() -> verifier.verify(issuer.accessToken().claim("acr", List.of(MFA)).sign()), Reason.MALFORMED);
    assertRejected(() -> verifier.verify(issuer.accessToken().claim("amr", "pwd").sign()), Reason.MALFORMED);
    assertRejected(() -> verifier.verify(issuer.accessToken().claim("amr", List.of("pwd", 1)).sign()), Reason.MALFORMED);
  }
}
