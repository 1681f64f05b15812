/**
 * TokenGuard's framework-neutral HTTP layer: everything a filter protecting an API needs, without a
 * servlet API. Adapters (the servlet filter, later JAX-RS and Spring Boot) implement {@link
 * dev.tokenguard.http.ResourceRequest}, ask a {@link dev.tokenguard.http.ProtectedResource} for a
 * {@link dev.tokenguard.http.Decision} and write its {@link dev.tokenguard.http.Answer}.
 */
module dev.tokenguard.http {
  exports dev.tokenguard.http;

  // Its API takes an AccessTokenVerifier and Requirements and hands out AccessTokens.
  requires transitive dev.tokenguard;
  requires org.slf4j;
  // The protected-resource metadata document (RFC 9728) is written with jackson-core's generator.
  requires com.fasterxml.jackson.core;
}
