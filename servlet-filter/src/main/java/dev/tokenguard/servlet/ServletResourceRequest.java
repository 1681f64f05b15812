package dev.tokenguard.servlet;

import dev.tokenguard.http.ResourceRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/**
 * An {@link HttpServletRequest} as the HTTP layer sees it. The path is the servlet path plus the
 * path info: decoded and normalised by the container, so it is the path the application is routed
 * on. The raw path (for a DPoP proof's {@code htu}) is the request URI as sent, without the context
 * path; the client certificate is the first of the container's {@value #CERTIFICATES_ATTRIBUTE}
 * attribute, which the container fills from the TLS handshake. Not thread-safe, like the request
 * it wraps.
 */
final class ServletResourceRequest implements ResourceRequest {
  /** The request attribute holding the TLS client's certificate chain, end-entity first (Servlet 6.0 section 3.10). */
  static final String CERTIFICATES_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

  private final HttpServletRequest request;

  ServletResourceRequest(HttpServletRequest request) {
    this.request = request;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    return path.isEmpty() ? "/" : path;
  }

  @Override
  public List<String> headers(String name) {
    Enumeration<String> values = request.getHeaders(name);
    return values == null ? List.of() : Collections.list(values);
  }

  @Override
  public Optional<String> rawQuery() {
    return Optional.ofNullable(request.getQueryString());
  }

  @Override
  public Optional<String> contentType() {
    return Optional.ofNullable(request.getContentType());
  }

  /** {@code getRequestURI()} (as sent, not decoded) without {@code getContextPath()} (not decoded either). */
  @Override
  public Optional<String> rawPath() {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    if (uri == null) {
      return Optional.empty();
    }
    if (context == null || context.isEmpty()) {
      return Optional.of(uri);
    }
    if (!uri.startsWith(context)) {
      return Optional.empty(); // the container spelled the context another way: no target to check a proof against
    }
    String rest = uri.substring(context.length());
    return Optional.of(rest.isEmpty() ? "/" : rest);
  }

  @Override
  public Optional<X509Certificate> clientCertificate() {
    Object chain = request.getAttribute(CERTIFICATES_ATTRIBUTE);
    if (chain instanceof X509Certificate[] && ((X509Certificate[]) chain).length > 0) {
      return Optional.ofNullable(((X509Certificate[]) chain)[0]);
    }
    return Optional.empty();
  }

  @Override
  public InputStream body() throws IOException {
    return request.getInputStream();
  }
}
