/**
 * Protects Jakarta REST (JAX-RS) resources with a TokenGuard {@link
 * dev.tokenguard.AccessTokenVerifier} and answers per RFC 6750: register {@link
 * dev.tokenguard.jaxrs.BearerTokenFeature} and annotate resources with {@link
 * dev.tokenguard.jaxrs.RequiresScopes} (every scope) or {@link
 * dev.tokenguard.jaxrs.RequiresAnyScope} (one of them); {@code
 * jakarta.annotation.security.PermitAll} marks public methods, and every other method needs a
 * valid token. The feature is a thin adapter: every rule (credential parsing, answers, the scope
 * check) lives in the framework-neutral {@link dev.tokenguard.http.ProtectedResource}.
 */
package dev.tokenguard.jaxrs;
