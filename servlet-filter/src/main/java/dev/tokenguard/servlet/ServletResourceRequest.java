package dev.tokenguard.servlet;

import dev.tokenguard.http.ResourceRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/**
 * An {@link HttpServletRequest} as the HTTP layer sees it. The path is the servlet path plus the
 * path info: decoded and normalised by the container, so it is the path the application is routed
 * on. Not thread-safe, like the request it wraps.
 */
final class ServletResourceRequest implements ResourceRequest {
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

  @Override
  public InputStream body() throws IOException {
    return request.getInputStream();
  }
}
