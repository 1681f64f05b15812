/**
 * TokenGuard core: verifies OAuth 2.0 JWT access tokens ({@link dev.tokenguard.AccessTokenVerifier})
 * and fetches and caches the issuer's keys. Exports {@code dev.tokenguard} and the DPoP building
 * blocks a deployment chooses ({@code dev.tokenguard.dpop}: replay stores, nonces); everything else
 * is implementation.
 */
module dev.tokenguard {
  exports dev.tokenguard;
  exports dev.tokenguard.dpop;

  // AccessTokenVerifier.Builder.httpClient(HttpClient) is public API: users who configure it need
  // java.net.http without requiring it themselves.
  requires transitive java.net.http;
  requires com.nimbusds.jose.jwt;
  requires com.github.benmanes.caffeine;
  requires com.fasterxml.jackson.core;
  requires org.slf4j;
}
