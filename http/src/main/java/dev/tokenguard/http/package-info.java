/**
 * The framework-neutral HTTP layer of TokenGuard: what a filter protecting an API needs, without a
 * servlet API, so every adapter answers the same requests the same way.
 *
 * <ul>
 *   <li>{@link dev.tokenguard.http.ResourceRequest}: what an adapter exposes of a request (method,
 *       path, headers, query, content type, body, and for sender-constrained tokens the raw
 *       request path and the TLS client certificate);
 *   <li>{@link dev.tokenguard.http.ProtectedResource}: the access rules (public paths, {@link
 *       dev.tokenguard.Requirement}s per path, scopes, RFC 9470 step-up and DPoP), strict RFC
 *       6750 section 2 and RFC 9449 section 7.1 credential parsing ({@code Bearer} and {@code
 *       DPoP}, the {@code DPoP} proof header), the one mapping from a refusal to its RFC 6750 /
 *       RFC 9470 / RFC 9449 answer, and the RFC 9728 metadata it serves itself;
 *   <li>{@link dev.tokenguard.http.ProtectedResourceMetadata}: the protected-resource metadata
 *       document (RFC 9728) and the well-known path it belongs at;
 *   <li>{@link dev.tokenguard.http.Decision} and {@link dev.tokenguard.http.Answer}: what to do with
 *       the request, and the exact answer (status, headers, body) when the application must not see
 *       it: a refusal, or the metadata document;
 *   <li>{@link dev.tokenguard.http.ConfigurationReader}: the configuration names and the scope-rule
 *       grammar shared by {@code web.xml} init parameters, framework properties and others.
 * </ul>
 *
 * <p>An adapter in a few lines:
 *
 * <pre>{@code
 * Decision decision = resource.decide(new MyFrameworkRequest(request));
 * if (decision.isAllowed()) {
 *   decision.responseHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
 *   // replay decision.consumedBody() if present, expose decision.accessToken(), call the application
 * } else {
 *   Answer answer = decision.answer().orElseThrow();   // a refusal, or 200 with the metadata
 *   // write answer.status(), every value of answer.headers(), answer.contentType() and
 *   // answer.body() (no body for HEAD), whatever the status
 * }
 * }</pre>
 */
package dev.tokenguard.http;
