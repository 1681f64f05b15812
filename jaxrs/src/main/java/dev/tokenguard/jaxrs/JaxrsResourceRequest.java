package dev.tokenguard.jaxrs;

import dev.tokenguard.http.ResourceRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.PathSegment;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A Jakarta REST request as the HTTP layer sees it. Headers come from {@link
 * ContainerRequestContext#getHeaders()}, one value per field line as the runtime received them;
 * the query is the raw query of the request URI. The path (decoded segments without matrix
 * parameters) is not used to decide: the resource method's annotations are. The raw path (for a
 * DPoP proof's {@code htu}) is the request URI's raw path after the base URI's path. Jakarta REST
 * has no portable API for the TLS client certificate: the certificate is the first element of the
 * request property {@value #CERTIFICATES_PROPERTY} when the runtime has one, as Jersey and RESTEasy
 * do in a servlet container (their request properties are the servlet request's attributes, which
 * the container fills from the TLS handshake); elsewhere there is none, and a certificate-bound
 * token is refused. Not thread-safe, like the request it wraps.
 */
final class JaxrsResourceRequest implements ResourceRequest {
  /** The servlet request attribute holding the TLS client's certificate chain, end-entity first. */
  static final String CERTIFICATES_PROPERTY = "jakarta.servlet.request.X509Certificate";

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

  /**
   * The request URI's raw path without the base URI's path (the application's root): what follows
   * the public URL. Empty when the request URI does not start with the base URI's path, so a proof
   * is never checked against a guessed target.
   */
  @Override
  public Optional<String> rawPath() {
    String path = request.getUriInfo().getRequestUri().getRawPath();
    String base = request.getUriInfo().getBaseUri().getRawPath();
    if (path == null || base == null) {
      return Optional.empty();
    }
    String prefix = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    if (!path.startsWith(prefix) || (path.length() > prefix.length() && path.charAt(prefix.length()) != '/')) {
      return Optional.empty();
    }
    String rest = path.substring(prefix.length());
    return Optional.of(rest.isEmpty() ? "/" : rest);
  }

  /** The first certificate of the request property {@value #CERTIFICATES_PROPERTY}; empty when the runtime has none. */
  @Override
  public Optional<X509Certificate> clientCertificate() {
    Object chain = request.getProperty(CERTIFICATES_PROPERTY);
    if (chain instanceof X509Certificate[] && ((X509Certificate[]) chain).length > 0) {
      return Optional.ofNullable(((X509Certificate[]) chain)[0]);
    }
    return Optional.empty();
  }

  @Override
  public InputStream body() {
    return request.getEntityStream();
  }
}
