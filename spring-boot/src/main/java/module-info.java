/**
 * TokenGuard's Spring Boot auto-configuration: {@code tokenguard.issuer} and {@code
 * tokenguard.audience} protect a Spring MVC application with the TokenGuard servlet filter.
 * Exports only {@code dev.tokenguard.spring.boot}.
 */
// Spring's jars name their modules in their manifests only (automatic modules).
@SuppressWarnings("requires-automatic")
module dev.tokenguard.spring.boot {
  exports dev.tokenguard.spring.boot;

  // TokenGuardVerifierCustomizer takes an AccessTokenVerifier.Builder.
  requires transitive dev.tokenguard;
  requires dev.tokenguard.http;
  requires dev.tokenguard.servlet;
  // The application brings Spring (Maven scope optional): these are automatic modules.
  requires spring.beans;
  requires spring.boot;
  requires spring.boot.autoconfigure;
  requires spring.context;
  requires spring.core;
  requires spring.web;
  requires spring.webmvc;
}
