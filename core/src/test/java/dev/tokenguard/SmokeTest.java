package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.testing.FakeIssuer;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void endToEnd() {
    try (FakeIssuer issuer = FakeIssuer.start()) {
      AccessTokenVerifier verifier = AccessTokenVerifier.builder().issuer(issuer.issuer()).audience(issuer.audience()).build();
      String token = issuer.accessToken().scopes("read:patients").sign();
      AccessToken t = verifier.verify(token, "read:patients");
      assertThat(t.scopes()).containsExactly("read:patients");
      assertThat(issuer.jwksRequestCount()).isEqualTo(1);
      assertThatThrownBy(() -> verifier.verify(issuer.idToken().sign()))
          .isInstanceOfSatisfying(TokenVerificationException.class, e -> assertThat(e.reason()).isEqualTo(TokenVerificationException.Reason.ID_TOKEN_PRESENTED));
      assertThatThrownBy(() -> verifier.verify(issuer.accessToken().claim("exp", null).sign()))
          .isInstanceOfSatisfying(TokenVerificationException.class, e -> assertThat(e.getMessage()).contains("exp"));
    }
  }
}
