package dev.tokenguard.jaxrs;

import dev.tokenguard.http.ResourceRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.PathSegment;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A Jakarta REST request as the HTTP layer sees it. Headers come from {@link
 * ContainerRequestContext#getHeaders()}, one value per field line as the runtime received them;
 * the query is the raw query of the request URI. The path (decoded segments without matrix
 * parameters) is not used to decide: the resource method's annotations are. Not thread-safe, like
 * the request it wraps.
 */
final class JaxrsResourceRequest implements ResourceRequest {
  private final ContainerRequestContext request;

  JaxrsResourceRequest(ContainerRequestContext request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    StringBuilder path = new StringBuilder();
    for (PathSegment segment : request.getUriInfo().getPathSegments(true)) {
      String s = segment.getPath();
      if (path.length() == 0 && s.isEmpty()) {
        continue;
      }
      path.append('/').append(s);
    }
    return path.length() == 0 ? "/" : path.toString();
  }

  @Override
  public List<String> headers(String name) {
    List<String> values = request.getHeaders().get(name);
    return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
  }

  @Override
  public Optional<String> rawQuery() {
    return Optional.ofNullable(request.getUriInfo().getRequestUri().getRawQuery());
  }

  @Override
  public Optional<String> contentType() {
    return Optional.ofNullable(request.getHeaders().getFirst("Content-Type"));
  }

  @Override
  public InputStream body() {
    return request.getEntityStream();
  }
}
