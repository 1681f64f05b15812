package dev.tokenguard.servlet;

import dev.tokenguard.AccessToken;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Embedded Jetty 12 on a random loopback port: the filter under test in front of an echo servlet
 * that reports what the application sees (principal, remote user, roles, the token attribute).
 */
final class TestServer implements AutoCloseable {
  private final Server server;
  private final int port;

  private TestServer(FilterHolder holder) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new EchoServlet()), "/*");
    server.setHandler(context);
    server.start();
    port = connector.getLocalPort();
  }

  /** The filter instance made in code (by the builder). */
  static TestServer start(Filter filter) throws Exception {
    return new TestServer(new FilterHolder(filter));
  }

  /** The filter made by the container from its class name, configured by init parameters only. */
  static TestServer startWithInitParameters(Map<String, String> parameters) throws Exception {
    FilterHolder holder = new FilterHolder(BearerTokenFilter.class);
    holder.setName("tokenguard");
    parameters.forEach(holder::setInitParameter);
    return new TestServer(holder);
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop", e);
    }
  }

  /** Answers 200 with what the application sees; with header X-Read: body, echoes the raw body. */
  static final class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      StringBuilder sb = new StringBuilder();
      if ("body".equals(req.getHeader("X-Read"))) {
        sb.append("body=").append(new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).append('\n');
      } else {
        sb.append("note=").append(req.getParameter("note")).append('\n');
      }
      AccessToken token = BearerTokenFilter.accessToken(req).orElse(null);
      sb.append("token=").append(token == null ? null : token.subject()).append('\n');
      sb.append("attribute=").append(req.getAttribute(BearerTokenFilter.ACCESS_TOKEN_ATTRIBUTE) != null).append('\n');
      sb.append("principal=").append(req.getUserPrincipal() == null ? null : req.getUserPrincipal().getName()).append('\n');
      sb.append("remoteUser=").append(req.getRemoteUser()).append('\n');
      sb.append("authType=").append(req.getAuthType()).append('\n');
      sb.append("role:read:patients=").append(req.isUserInRole("read:patients")).append('\n');
      sb.append("role:read:admin=").append(req.isUserInRole("read:admin")).append('\n');
      sb.append("method=").append(req.getMethod()).append('\n');
      resp.setStatus(200);
      resp.setContentType("text/plain;charset=UTF-8");
      resp.getWriter().write(sb.toString());
    }
  }
}
