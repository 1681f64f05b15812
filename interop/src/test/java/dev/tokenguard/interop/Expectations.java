package dev.tokenguard.interop;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;

/**
 * What must hold for a real issuer's tokens, whichever issuer: an access token passes the verifier
 * and the filter with 200 or 403 by scope; an ID token is refused as {@code ID_TOKEN_PRESENTED}
 * and answered 401 {@code invalid_token}. Soft assertions: one run reports every deviation.
 */
final class Expectations {
  private final AccessTokenVerifier verifier;
  private final ProtectedApi api;
  private final String issuer;
  private final String audience;

  Expectations(AccessTokenVerifier verifier, ProtectedApi api, String issuer, String audience) {
    this.verifier = verifier;
    this.api = api;
    this.issuer = issuer;
    this.audience = audience;
  }

  /**
   * {@code token} verifies with exactly the {@code granted} scopes among the API's
   * ({@code read:patients}, {@code read:admin}), names {@code subject}, and the API answers
   * {@code /api/me} 200, {@code /api/patients} and {@code /api/admin} 200 or 403 by scope, and,
   * unless {@code machineToMachine} is null, is or is not machine-to-machine.
   */
  void accessTokenAccepted(SoftAssertions softly, String flow, String token, String subject, Set<String> granted, Boolean machineToMachine) {
    AccessToken verified;
    try {
      verified = verifier.verify(token);
    } catch (TokenVerificationException e) {
      softly.fail(flow + ": access token refused: " + e.getMessage());
      verified = null;
    }
    if (verified != null) {
      softly.assertThat(verified.issuer()).as(flow + ": issuer").isEqualTo(issuer);
      softly.assertThat(verified.subject()).as(flow + ": subject").isEqualTo(subject);
      softly.assertThat(verified.audience()).as(flow + ": audience").contains(audience);
      for (String scope : Set.of("read:patients", "read:admin")) {
        softly.assertThat(verified.hasScope(scope)).as(flow + ": has scope " + scope + " (scopes read: " + verified.scopes() + ")")
            .isEqualTo(granted.contains(scope));
      }
      if (machineToMachine != null) {
        softly.assertThat(verified.isMachineToMachine()).as(flow + ": isMachineToMachine() (sub %s, client %s)",
            verified.subject(), verified.clientId().orElse("none")).isEqualTo(machineToMachine);
      }
    }
    for (Map.Entry<String, String> rule : Map.of("/api/patients", "read:patients", "/api/admin", "read:admin").entrySet()) {
      ProtectedApi.Answer answer = api.get(rule.getKey(), token);
      if (granted.contains(rule.getValue())) {
        softly.assertThat(answer.status()).as(flow + ": GET " + rule.getKey() + " (challenge " + answer.challenge() + ")").isEqualTo(200);
        softly.assertThat(answer.body()).as(flow + ": GET " + rule.getKey() + " body").isEqualTo("ok " + subject);
      } else {
        softly.assertThat(answer.status()).as(flow + ": GET " + rule.getKey() + " without " + rule.getValue()).isEqualTo(403);
        softly.assertThat(answer.challenge()).as(flow + ": GET " + rule.getKey() + " challenge")
            .contains("error=\"insufficient_scope\"").contains(rule.getValue());
      }
    }
    ProtectedApi.Answer me = api.get("/api/me", token);
    softly.assertThat(me.status()).as(flow + ": GET /api/me (challenge " + me.challenge() + ")").isEqualTo(200);
  }

  /** {@code idToken} is refused as an ID token, by the verifier and over HTTP (401 invalid_token). */
  void idTokenRefused(SoftAssertions softly, String flow, String idToken) {
    TokenVerificationException refused = catchThrowableOfType(TokenVerificationException.class, () -> verifier.verify(idToken));
    softly.assertThat(refused).as(flow + ": ID token must be refused, was accepted").isNotNull();
    if (refused != null) {
      softly.assertThat(refused.reason()).as(flow + ": reason (" + refused.getMessage() + ")")
          .isEqualTo(TokenVerificationException.Reason.ID_TOKEN_PRESENTED);
    }
    for (String path : new String[] {"/api/me", "/api/patients"}) {
      ProtectedApi.Answer answer = api.get(path, idToken);
      softly.assertThat(answer.status()).as(flow + ": GET " + path + " with the ID token").isEqualTo(401);
      softly.assertThat(answer.challenge()).as(flow + ": GET " + path + " with the ID token, challenge").contains("error=\"invalid_token\"");
    }
  }
}
