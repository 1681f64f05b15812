/**
 * The framework-neutral HTTP layer of TokenGuard: what a filter protecting an API needs, without a
 * servlet API, so every adapter answers the same requests the same way.
 *
 * <ul>
 *   <li>{@link dev.tokenguard.http.ResourceRequest}: what an adapter exposes of a request (method,
 *       path, headers, query, content type, body);
 *   <li>{@link dev.tokenguard.http.ProtectedResource}: the access rules (public paths, {@link
 *       dev.tokenguard.Requirement}s per path), strict RFC 6750 section 2 credential parsing, and
 *       the one mapping from a refusal to its RFC 6750 section 3 answer;
 *   <li>{@link dev.tokenguard.http.Decision} and {@link dev.tokenguard.http.Answer}: what to do with
 *       the request, and the exact answer (status, headers, body) when it is refused;
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
 *   Answer answer = decision.answer().orElseThrow();
 *   // write answer.status(), answer.headers(), answer.contentType() and answer.body()
 * }
 * }</pre>
 */
package dev.tokenguard.http;
