package dev.tokenguard.examples.health;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.TrustedIssuer;
import dev.tokenguard.http.ProtectedResource;
import dev.tokenguard.http.ProtectedResourceMetadata;
import dev.tokenguard.servlet.BearerTokenFilter;
import dev.tokenguard.testing.FakeIssuer;
import jakarta.servlet.DispatcherType;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
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
 *   <li>{@code GET /api/records}: a token with scope {@code read:patients} whose user logged in
 *       with multi-factor authentication ({@code acr} {@value #MFA}) at most 300 s ago ({@code
 *       auth_time}); otherwise 401 {@code
 *       insufficient_user_authentication} (RFC 9470).
 *   <li>{@code GET /.well-known/oauth-protected-resource}: the protected-resource metadata (RFC
 *       9728), with no token.
 * </ul>
 *
 * <p>Environment: {@code PORT} (default 8080, bound to 127.0.0.1), {@code ISSUER} (the trusted
 * issuer, exactly as in the tokens' {@code iss}; several separated by commas, each with its keys
 * found through its own discovery), {@code AUDIENCE} (the API identifier; the first one is also
 * the metadata's {@code resource}), optionally {@code JWKS_URI} (only with a single issuer;
 * default: discovery from the issuer, falling back to {@code {ISSUER}.well-known/jwks.json}),
 * {@code SCOPE_CLAIMS} (the claims scopes are read from, separated by commas or spaces; default
 * {@code scope scp permissions}) and {@code PUBLIC_URL} (where clients reach the API, the base of
 * the {@code resource_metadata} URL in every challenge; default {@code http://127.0.0.1:PORT}).
 * Without {@code ISSUER} it starts a fake issuer, runs a few requests against itself, prints what
 * happened and ready-to-paste {@code curl} commands.
 */
public final class HealthApi implements AutoCloseable {
  static final String REALM = "health-api";
  static final String DEMO_AUDIENCE = "https://health-api.example.test";
  static final String READ_PATIENTS = "read:patients";
  static final String READ_ADMIN = "read:admin";
  /** The authentication context class of a multi-factor login (OpenID PAPE). */
  static final String MFA = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
  /** How recent the login behind a token must be to open a patient record. */
  static final Duration RECORDS_MAX_AGE = Duration.ofSeconds(300);
  static final Requirement RECORDS = Requirement.allScopes(READ_PATIENTS).withAcrValues(MFA).withMaxAge(RECORDS_MAX_AGE);

  private final Server server;
  private final int port;

  private HealthApi(Server server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts the API on 127.0.0.1:{@code port} (0 for any free port) with {@code verifier}; with
   * {@code metadata}, publishes it and names it in every challenge, at {@code publicUrl} (null:
   * {@code http://127.0.0.1:<the port>}).
   */
  static HealthApi start(AccessTokenVerifier verifier, int port, ProtectedResourceMetadata metadata, String publicUrl)
      throws Exception {
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    connector.open();                              // bound now: PUBLIC_URL's default names the real port

    BearerTokenFilter.Builder filter = BearerTokenFilter.builder(verifier)
        .realm(REALM)
        .permit("/api/public")
        .requireScopes("/api/patients/*", READ_PATIENTS)
        .requireScopes("/api/admin/*", READ_ADMIN)
        .require("/api/records/*", RECORDS);       // every other path: a valid token
    if (metadata != null) {
      filter.publishMetadata(metadata)
          .publicUrl(URI.create(publicUrl != null ? publicUrl : "http://127.0.0.1:" + connector.getLocalPort()));
    }

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(new FilterHolder(filter.build()), "/*", EnumSet.of(DispatcherType.REQUEST));
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
    String scopeClaims = blankToNull(env.get("SCOPE_CLAIMS"));
    String publicUrl = blankToNull(env.get("PUBLIC_URL"));
    if (publicUrl != null) {
      try {
        // The library's own check, before anything starts; no request reaches this resource.
        ProtectedResource.builder(request -> {
          throw new IllegalStateException("never called");
        }).publicUrl(URI.create(publicUrl));
      } catch (IllegalArgumentException e) {
        err.println("PUBLIC_URL must be where clients reach this API, e.g. https://api.example.com: " + e.getMessage());
        return 2;
      }
    }

    if (issuer == null) {
      if (jwksUri != null) {
        err.println("JWKS_URI is ignored without ISSUER: the demo uses its own fake issuer.");
      }
      if (scopeClaims != null) {
        err.println("SCOPE_CLAIMS is ignored without ISSUER: the demo's tokens carry their scopes in scope.");
      }
      return runDemo(port, audience != null ? audience : DEMO_AUDIENCE, publicUrl, out, err);
    }
    if (audience == null) {
      err.println("AUDIENCE is required with ISSUER: the API identifier your tokens carry in aud.");
      return 2;
    }

    String[] issuers = issuer.split("[,\\s]+");
    if (jwksUri != null && issuers.length > 1) {
      err.println("JWKS_URI applies only when ISSUER names one issuer; with " + issuers.length
          + " each one's keys are found through its own discovery: remove JWKS_URI.");
      return 2;
    }
    String[] audiences = audience.split("[,\\s]+");
    AccessTokenVerifier verifier;
    List<String> authorizationServers = new ArrayList<>();
    try {
      AccessTokenVerifier.Builder builder = AccessTokenVerifier.builder().issuer(issuers[0]).audience(audiences);
      for (int i = 1; i < issuers.length; i++) {
        TrustedIssuer.Builder trusted = TrustedIssuer.builder(issuers[i]);
        if (scopeClaims != null) {
          trusted.scopeClaims(scopeClaims.split("[,\\s]+"));
        }
        builder.trust(trusted.build());
      }
      if (jwksUri != null) {
        builder.jwksUri(URI.create(jwksUri));
      }
      if (scopeClaims != null) {
        builder.scopeClaims(scopeClaims.split("[,\\s]+"));
      }
      for (String one : issuers) {
        authorizationServers.add(TrustedIssuer.builder(one).build().issuer());
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
    HealthApi api = startOrReport(verifier, port, metadata(audiences[0], authorizationServers, err), publicUrl, err);
    if (api == null) {
      return 1;
    }
    out.println("Health API listening on " + api.baseUri() + " (issuer " + issuer + ", audience " + audience + ")");
    out.flush();
    api.join();
    return 0;
  }

  /**
   * The protected-resource metadata (RFC 9728) for {@code resource}, or null, with a warning, when
   * {@code resource} is no https URL (an Auth0 API identifier may be any string).
   */
  static ProtectedResourceMetadata metadata(String resource, List<String> authorizationServers, PrintStream err) {
    ProtectedResourceMetadata.Builder metadata;
    try {
      metadata = ProtectedResourceMetadata.builder(resource);
    } catch (IllegalArgumentException e) {
      err.println("Warning: not serving /.well-known/oauth-protected-resource: AUDIENCE " + resource
          + " is not a resource identifier (RFC 9728 wants an https URL): " + e.getMessage());
      return null;
    }
    return metadata.authorizationServers(authorizationServers.toArray(new String[0]))
        .resourceName("Health API (TokenGuard example)")
        .build();
  }

  private static int runDemo(int port, String audience, String publicUrl, PrintStream out, PrintStream err) throws Exception {
    FakeIssuer issuer = FakeIssuer.builder().audience(audience).start();
    Runtime.getRuntime().addShutdownHook(new Thread(issuer::close, "fake-issuer-stop"));
    AccessTokenVerifier verifier = AccessTokenVerifier.builder()
        .issuer(issuer.issuer())
        .audience(audience)
        .build();                                  // keys through discovery, as with a real issuer
    HealthApi api = startOrReport(verifier, port, metadata(audience, List.of(issuer.issuer()), err), publicUrl, err);
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

  private static HealthApi startOrReport(AccessTokenVerifier verifier, int port, ProtectedResourceMetadata metadata, String publicUrl,
      PrintStream err) {
    try {
      return start(verifier, port, metadata, publicUrl);
    } catch (Exception e) {
      err.println("Cannot start on 127.0.0.1:" + port + ": " + e.getMessage());
      return null;
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
