package dev.tokenguard.jaxrs;

import dev.tokenguard.AccessToken;
import dev.tokenguard.Requirement;
import dev.tokenguard.http.Answer;
import dev.tokenguard.http.Decision;
import dev.tokenguard.http.ProtectedResource;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;

/**
 * The post-matching filter bound to one protected resource method: asks the HTTP layer for a
 * {@link Decision} with the method's {@link Requirement}, then either aborts with the decision's
 * {@link Answer} exactly as the HTTP layer wrote it, or lets the request through with the verified
 * token (request property {@link BearerTokenFeature#ACCESS_TOKEN_PROPERTY}, {@link
 * TokenSecurityContext}) and the response headers the decision asks for. Registered with priority
 * {@code AUTHENTICATION} by {@link MethodBinding}. Immutable and thread-safe.
 */
final class BearerTokenRequestFilter implements ContainerRequestFilter {
  /** The request property holding {@link Decision#responseHeaders()} for {@link ResponseHeadersFilter}. */
  static final String RESPONSE_HEADERS_PROPERTY = "dev.tokenguard.jaxrs.responseHeaders";

  private final ProtectedResource resource;
  private final Access access;

  BearerTokenRequestFilter(ProtectedResource resource, Access access) {
    this.resource = resource;
    this.access = access;
  }

  @Override
  public void filter(ContainerRequestContext request) throws IOException {
    Decision decision = resource.decide(new JaxrsResourceRequest(request), access.requirement);
    Optional<Answer> answer = decision.answer();
    if (answer.isPresent()) {
      request.abortWith(response(answer.get()));
      return;
    }
    decision.consumedBody().ifPresent(body -> request.setEntityStream(new ByteArrayInputStream(body)));
    Optional<AccessToken> token = decision.accessToken();
    if (token.isEmpty()) {
      return; // a CORS preflight let through
    }
    request.setProperty(BearerTokenFeature.ACCESS_TOKEN_PROPERTY, token.get());
    if (!decision.responseHeaders().isEmpty()) {
      request.setProperty(RESPONSE_HEADERS_PROPERTY, decision.responseHeaders());
    }
    request.setSecurityContext(new TokenSecurityContext(token.get(), request.getSecurityContext().isSecure(),
        decision.authenticationScheme().orElse(TokenSecurityContext.AUTHENTICATION_SCHEME)));
  }

  /** The answer as a response: its status, every header value in order, its content type and body. */
  static Response response(Answer answer) {
    Response.ResponseBuilder response = Response.status(answer.status());
    answer.headers().forEach((name, values) -> values.forEach(value -> response.header(name, value)));
    return response.entity(answer.body()).type(answer.contentType()).build();
  }

  @Override
  public String toString() {
    return "BearerTokenRequestFilter{" + access + "}";
  }
}
