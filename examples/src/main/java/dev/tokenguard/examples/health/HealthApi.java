package dev.tokenguard.examples.health;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.servlet.BearerTokenFilter;
import dev.tokenguard.testing.FakeIssuer;
import jakarta.servlet.DispatcherType;
import java.io.PrintStream;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The health API: a small API on embedded Jetty 12 protected by TokenGuard, shaped like the
 * example API in Auth0's documentation.
 *
 * <ul>
 *   <li>{@code GET /api/public}: no token.
 *   <li>{@code GET /api/patients}: a token with scope {@code read:patients}.
 *   <li>{@code GET /api/admin}: a token with scope {@code read:admin}.
 *   <li>{@code GET /api/me}: any valid token; answers with its subject, client and scopes.
 * </ul>
 *
 * <p>Environment: {@code PORT} (default 8080, bound to 127.0.0.1), {@code ISSUER} (the trusted
 * issuer, exactly as in the tokens' {@code iss}), {@code AUDIENCE} (the API identifier) and
 * optionally {@code JWKS_URI} (default: discovery from the issuer, falling back to
 * {@code {ISSUER}.well-known/jwks.json}). Without {@code ISSUER} it starts a fake issuer, runs a
 * few requests against itself, prints what happened and ready-to-paste {@code curl} commands.
 */
public final class HealthApi implements AutoCloseable {
  static final String REALM = "health-api";
  static final String DEMO_AUDIENCE = "https://health-api.example.test";
  static final String READ_PATIENTS = "read:patients";
  static final String READ_ADMIN = "read:admin";

  private final Server server;
  private final int port;

  private HealthApi(Server server, int port) {
    this.server = server;
    this.port = port;
  }

  /** Starts the API on 127.0.0.1:{@code port} (0 for any free port) with {@code verifier}. */
  static HealthApi start(AccessTokenVerifier verifier, int port) throws Exception {
    BearerTokenFilter filter = BearerTokenFilter.builder(verifier)
        .realm(REALM)
        .permit("/api/public")
        .requireScopes("/api/patients/*", READ_PATIENTS)
        .requireScopes("/api/admin/*", READ_ADMIN)
        .build();                                  // every other path: a valid token

    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new HealthServlet()), "/");
    server.setHandler(context);
    server.setStopAtShutdown(true);
    server.start();
    return new HealthApi(server, connector.getLocalPort());
  }

  int port() {
    return port;
  }

  String baseUri() {
    return "http://127.0.0.1:" + port;
  }

  void join() throws InterruptedException {
    server.join();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop cleanly", e);
    }
  }

  public static void main(String[] args) throws Exception {
    System.exit(run(System.getenv(), System.out, System.err));
  }

  /** Runs until stopped; returns the exit status when it cannot start. */
  static int run(Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
    int port;
    try {
      port = Integer.parseInt(env.getOrDefault("PORT", "8080").trim());
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      err.println("PORT must be a TCP port number (0-65535), got: " + env.get("PORT"));
      return 2;
    }
    String issuer = blankToNull(env.get("ISSUER"));
    String audience = blankToNull(env.get("AUDIENCE"));
    String jwksUri = blankToNull(env.get("JWKS_URI"));

    if (issuer == null) {
      if (jwksUri != null) {
        err.println("JWKS_URI is ignored without ISSUER: the demo uses its own fake issuer.");
      }
      return runDemo(port, audience != null ? audience : DEMO_AUDIENCE, out, err);
    }
    if (audience == null) {
      err.println("AUDIENCE is required with ISSUER: the API identifier your tokens carry in aud.");
      return 2;
    }

    AccessTokenVerifier verifier;
    try {
      AccessTokenVerifier.Builder builder = AccessTokenVerifier.builder().issuer(issuer).audience(audience.split("[,\\s]+"));
      if (jwksUri != null) {
        builder.jwksUri(URI.create(jwksUri));
      }
      verifier = builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("Cannot configure the verifier: " + e.getMessage());
      return 2;
    }
    try {
      verifier.warmUp();
    } catch (TokenVerificationException e) {
      err.println("Warning: the issuer's keys are not available yet (requests will get 503 until they are): " + e.getMessage());
    }
    HealthApi api = startOrReport(verifier, port, err);
    if (api == null) {
      return 1;
    }
    out.println("Health API listening on " + api.baseUri() + " (issuer " + issuer + ", audience " + audience + ")");
    out.flush();
    api.join();
    return 0;
  }

  private static int runDemo(int port, String audience, PrintStream out, PrintStream err) throws Exception {
    FakeIssuer issuer = FakeIssuer.builder().audience(audience).start();
    Runtime.getRuntime().addShutdownHook(new Thread(issuer::close, "fake-issuer-stop"));
    AccessTokenVerifier verifier = AccessTokenVerifier.builder()
        .issuer(issuer.issuer())
        .audience(audience)
        .build();                                  // keys through discovery, as with a real issuer
    HealthApi api = startOrReport(verifier, port, err);
    if (api == null) {
      issuer.close();
      return 1;
    }
    new Demo(issuer, api.baseUri(), out).run();
    out.println("Health API listening on " + api.baseUri() + " (demo issuer " + issuer.issuer() + ", audience "
        + audience + "). Press Ctrl+C to stop.");
    out.flush();
    api.join();
    return 0;
  }

  private static HealthApi startOrReport(AccessTokenVerifier verifier, int port, PrintStream err) {
    try {
      return start(verifier, port);
    } catch (Exception e) {
      err.println("Cannot start on 127.0.0.1:" + port + ": " + e.getMessage());
      return null;
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
