package dev.tokenguard.jaxrs;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.List;
import java.util.Map;

/**
 * Adds the header fields an allowed request's decision asks for (for example {@code Cache-Control:
 * private} when the token came in the URI query, RFC 6750 section 2.3) to the application's
 * response: each replaces what the application set under that name. Immutable and thread-safe.
 */
final class ResponseHeadersFilter implements ContainerResponseFilter {
  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    Object headers = request.getProperty(BearerTokenRequestFilter.RESPONSE_HEADERS_PROPERTY);
    if (!(headers instanceof Map)) {
      return;
    }
    MultivaluedMap<String, Object> out = response.getHeaders();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) headers).entrySet()) {
      String name = (String) e.getKey();
      out.remove(name);
      for (Object value : (List<?>) e.getValue()) {
        out.add(name, value);
      }
    }
  }
}
