/**
 * A Jakarta Servlet filter that protects an API with a TokenGuard
 * {@link dev.tokenguard.AccessTokenVerifier} and answers per RFC 6750: start at
 * {@link dev.tokenguard.servlet.BearerTokenFilter#builder(dev.tokenguard.AccessTokenVerifier)}, or
 * declare {@link dev.tokenguard.servlet.BearerTokenFilter} in {@code web.xml} with init parameters.
 * The filter is a thin adapter: every rule (credential parsing, path rules, answers, init
 * parameter names) lives in the servlet-free {@link dev.tokenguard.http.ProtectedResource}.
 */
package dev.tokenguard.servlet;
