package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.INVALID_CLAIM;

/**
 * How a verified token may be presented: the check that runs on every request after the token
 * itself is verified (also when it comes from the verified-token cache), because what proves
 * possession is per request. Today a request presents a bearer token, so a sender-constrained
 * token (a {@code cnf} claim: RFC 9449 section 6 for DPoP, RFC 8705 section 3 for mutual TLS) is
 * refused: accepting it as a bearer token would throw its binding away (RFC 9449 section 7.2).
 * Stateless.
 */
final class Binding {
  private Binding() {}

  /**
   * Refuses {@code token} unless {@code request} presents it in a way its binding allows.
   *
   * @throws TokenVerificationException INVALID_CLAIM for a sender-constrained token presented as
   *     a bearer token
   */
  static void check(AccessToken token, TokenRequest request) {
    if (token.claims().containsKey("cnf")) {
      throw new TokenVerificationException(INVALID_CLAIM, "the token is sender-constrained (cnf) and was presented as a bearer"
          + " token without proof of possession; it is refused rather than accepted without its binding");
    }
  }
}
