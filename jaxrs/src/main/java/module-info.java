/**
 * TokenGuard for Jakarta REST (JAX-RS): register {@link dev.tokenguard.jaxrs.BearerTokenFeature}
 * and annotate resources with {@link dev.tokenguard.jaxrs.RequiresScopes} or {@link
 * dev.tokenguard.jaxrs.RequiresAnyScope}; {@code jakarta.annotation.security.PermitAll} marks the
 * public ones.
 */
module dev.tokenguard.jaxrs {
  exports dev.tokenguard.jaxrs;

  // Its API takes an AccessTokenVerifier and hands out AccessTokens.
  requires transitive dev.tokenguard;
  // Its API is a jakarta.ws.rs.core.Feature and reads SecurityContext and ContainerRequestContext;
  // the runtime (Jersey, RESTEasy, an application server) provides the API jar.
  requires transitive jakarta.ws.rs;
  requires dev.tokenguard.http;
}
