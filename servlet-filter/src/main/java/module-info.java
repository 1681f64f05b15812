/**
 * TokenGuard's Jakarta Servlet filter: {@link dev.tokenguard.servlet.BearerTokenFilter}.
 */
module dev.tokenguard.servlet {
  exports dev.tokenguard.servlet;

  // Its API takes an AccessTokenVerifier and hands out AccessTokens.
  requires transitive dev.tokenguard;
  // Its API is a jakarta.servlet.Filter, and every class of it needs the servlet API at run time
  // (the container provides the jar, hence Maven's provided scope; a module must still read it).
  requires transitive jakarta.servlet;
  // BearerTokenFilter.forResource(ProtectedResource) takes the http layer's resource.
  requires transitive dev.tokenguard.http;
}
