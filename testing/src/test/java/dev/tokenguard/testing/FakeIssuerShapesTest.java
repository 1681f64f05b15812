package dev.tokenguard.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import org.junit.jupiter.api.Test;

/**
 * The fixture plays the issuer a user's API really trusts: it advertises any issuer string while
 * serving on loopback, mints each real issuer's token shape, and still gives a one-line verifier.
 */
class FakeIssuerShapesTest {
  @Test
  void advertisesTheIssuerStringATestNeedsAndStillGivesAOneLineVerifier() {
    String okta = "https://dev-123456.okta.com/oauth2/default";
    try (FakeIssuer issuer = FakeIssuer.builder().issuer(okta).audience("api://default").start();
        AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build()) {
      AccessToken token = verifier.verify(issuer.oktaAccessToken().scopes("read:patients").sign(), "read:patients");

      assertThat(issuer.issuer()).isEqualTo(okta);
      assertThat(token.issuer()).isEqualTo(okta);
      assertThat(token.claims().get("scp")).isEqualTo(java.util.List.of("read:patients"));
      assertThat(issuer.verifierBuilder().build().verify(issuer.oktaAccessToken().sign())).isNotNull();
    }
  }

  @Test
  void mintsEachRealIssuersShapeWithItsScopesWhereThatIssuerPutsThem() {
    try (FakeIssuer issuer = FakeIssuer.start()) {
      AccessTokenVerifier verifier = issuer.verifierBuilder().build();

      AccessToken okta = verifier.verify(issuer.oktaAccessToken().clientId("0oa-web").scopes("read:patients").sign(), "read:patients");
      assertThat(okta.clientId()).contains("0oa-web");
      assertThat(okta.claims().get("scp")).isInstanceOf(java.util.List.class);

      AccessToken entra = verifier.verify(issuer.entraIdAccessToken().scopes("read:patients", "write:notes").sign(), "write:notes");
      assertThat(entra.claims().get("scp")).isEqualTo("read:patients write:notes");
      assertThat(entra.clientId()).isPresent();

      AccessToken keycloak = verifier.verify(issuer.keycloakAccessToken().scopes("read:patients").sign(), "read:patients");
      assertThat(keycloak.scopes()).containsExactly("openid", "profile", "email", "read:patients");
      assertThat(keycloak.audience()).containsExactly(issuer.audience(), "account");
      assertThat(keycloak.claims().get("typ")).isEqualTo("Bearer");

      AccessToken sas = verifier.verify(issuer.springAuthorizationServerAccessToken().scopes("read:admin").sign(), "read:admin");
      assertThat(sas.claims().get("scope")).isEqualTo(java.util.List.of("read:admin"));
      assertThat(sas.clientId()).isEmpty();
      assertThat(sas.notBefore()).isPresent();
    }
  }

  @Test
  void eachShapeCanBeAClientCredentialsToken() {
    try (FakeIssuer issuer = FakeIssuer.start()) {
      AccessTokenVerifier verifier = issuer.verifierBuilder().build();
      assertThat(verifier.verify(issuer.oktaAccessToken().clientId("0oa-svc").subject("0oa-svc").sign()).isMachineToMachine()).isTrue();
      assertThat(verifier.verify(issuer.oktaAccessToken().sign()).isMachineToMachine()).isFalse();
      assertThat(verifier.verify(issuer.entraIdAccessToken().claim("idtyp", "app").withoutClaim("scp").sign()).isMachineToMachine()).isTrue();
      assertThat(verifier.verify(issuer.keycloakAccessToken().clientId("svc").claim("preferred_username", "service-account-svc").sign())
          .isMachineToMachine()).isTrue();
    }
  }

  @Test
  void mintsTheUsersAuthenticationForStepUpTestsAndStaysValidByDefault() {
    TestClock clock = TestClock.startingNow();
    try (FakeIssuer issuer = FakeIssuer.builder().clock(clock).start()) {
      AccessTokenVerifier verifier = issuer.verifierBuilder().build();
      String mfa = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

      AccessToken token = verifier.verify(issuer.accessToken().scopes("read:patients").acr(mfa).amr("pwd", "otp")
          .authTime(clock.instant().minusSeconds(120)).sign(), "read:patients");

      assertThat(token.acr()).contains(mfa);
      assertThat(token.amr()).containsExactly("pwd", "otp");
      assertThat(token.authTime()).contains(java.time.Instant.ofEpochSecond(clock.instant().getEpochSecond() - 120));
      assertThat(verifier.verify(issuer.keycloakAccessToken().authTime(clock.instant()).sign()).acr()).contains("1");
    }
  }
}
