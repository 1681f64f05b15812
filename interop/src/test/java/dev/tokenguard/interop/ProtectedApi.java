package dev.tokenguard.interop;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.servlet.BearerTokenFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The protected API as a user of the README builds it: embedded Jetty 12 on a random loopback
 * port, {@link BearerTokenFilter} in front of a servlet, {@code /api/patients/*} requiring
 * {@code read:patients}, {@code /api/admin/*} requiring {@code read:admin}, anything else a valid
 * token. The servlet answers 200 with the subject the filter verified.
 */
final class ProtectedApi implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One answer of the API: status, {@code WWW-Authenticate} (or empty) and body. */
  record Answer(int status, String challenge, String body) {}

  private final Server server;
  private final int port;

  ProtectedApi(AccessTokenVerifier verifier) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    BearerTokenFilter filter = BearerTokenFilter.builder(verifier)
        .realm("health-api")
        .requireScopes("/api/patients/*", "read:patients")
        .requireScopes("/api/admin/*", "read:admin")
        .build();
    context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new SubjectServlet()), "/*");
    server.setHandler(context);
    server.start();
    port = connector.getLocalPort();
  }

  /** GET {@code path} with {@code Authorization: Bearer token}. */
  Answer get(String path, String token) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Browser.TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .GET()
        .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.headers().firstValue("WWW-Authenticate").orElse(""), response.body());
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop", e);
    }
  }

  private static final class SubjectServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String subject = BearerTokenFilter.accessToken(req).map(AccessToken::subject).orElse("-");
      resp.setContentType("text/plain;charset=utf-8");
      resp.getOutputStream().write(("ok " + subject).getBytes(StandardCharsets.UTF_8));
    }
  }
}
