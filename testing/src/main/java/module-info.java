/**
 * TokenGuard's test fixture: {@link dev.tokenguard.testing.FakeIssuer} and its helpers. Add the
 * artifact with test scope only.
 */
module dev.tokenguard.testing {
  exports dev.tokenguard.testing;

  // FakeIssuer.verifierBuilder() and httpVerifierBuilder() return AccessTokenVerifier.Builder.
  requires transitive dev.tokenguard;
  requires com.nimbusds.jose.jwt;
  // The issuer's discovery and JWKS endpoints run on the JDK's own HTTP server.
  requires jdk.httpserver;
}
