package dev.tokenguard.examples.health;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.DpopPolicy;
import dev.tokenguard.Requirement;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.TrustedIssuer;
import dev.tokenguard.http.ProtectedResourceMetadata;
import dev.tokenguard.dpop.DpopNonces;
import dev.tokenguard.redis.RedisReplayStore;
import dev.tokenguard.servlet.BearerTokenFilter;
import dev.tokenguard.testing.FakeIssuer;
import jakarta.servlet.DispatcherType;
import java.io.PrintStream;
import java.net.URI;
import java.security.SecureRandom;
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
 * {@code scope scp permissions}), {@code PUBLIC_URL} (where clients reach the API, the base of
 * the {@code resource_metadata} URL in every challenge and of the {@code htu} every DPoP proof
 * must name; default {@code http://127.0.0.1:PORT}), {@code DPOP} ({@code allowed}, the default:
 * Bearer and DPoP tokens; {@code required}: every protected path needs a DPoP-bound token and a
 * proof; {@code off}), {@code DPOP_NONCE} ({@code on}: proofs must carry the API's current nonce,
 * RFC 9449 section 8) and {@code REDIS_URL} (e.g. {@code redis://127.0.0.1:6379}: used proofs
 * are remembered in Redis, so several instances refuse each other's replays; default: memory).
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
  /** Where clients reach the API: the base of the metadata URL and of every DPoP proof's {@code htu}. */
  final URI publicUrl;

  private HealthApi(Server server, int port, URI publicUrl) {
    this.server = server;
    this.port = port;
    this.publicUrl = publicUrl;
  }

  /**
   * Starts the API on 127.0.0.1:{@code port} (0 for any free port) with {@code verifier}, reached
   * by clients at {@code publicUrl} (null: {@code http://127.0.0.1:<the port>}); with {@code
   * metadata}, publishes it and names it in every challenge.
   */
  static HealthApi start(AccessTokenVerifier verifier, int port, ProtectedResourceMetadata metadata, URI publicUrl)
      throws Exception {
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    connector.open();                              // bound now: PUBLIC_URL's default names the real port

    URI base = publicUrl != null ? publicUrl : URI.create("http://127.0.0.1:" + connector.getLocalPort());
    BearerTokenFilter.Builder filter = BearerTokenFilter.builder(verifier)
        .publicUrl(base)
        .realm(REALM)
        .permit("/api/public")
        .requireScopes("/api/patients/*", READ_PATIENTS)
        .requireScopes("/api/admin/*", READ_ADMIN)
        .require("/api/records/*", RECORDS);       // every other path: a valid token
    if (metadata != null) {
      filter.publishMetadata(metadata);
    }

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(new FilterHolder(filter.build()), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new HealthServlet()), "/");
    server.setHandler(context);
    server.setStopAtShutdown(true);
    server.start();
    return new HealthApi(server, connector.getLocalPort(), base);
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
    Settings settings;
    try {
      settings = Settings.read(env);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    }
    settings.warnings.forEach(err::println);
    return settings.demo() ? runDemo(settings, out, err) : runWithIssuers(settings, out, err);
  }

  private static int runWithIssuers(Settings settings, PrintStream out, PrintStream err) throws Exception {
    AccessTokenVerifier verifier;
    try {
      verifier = verifier(settings);
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("Cannot configure the verifier: " + e.getMessage());
      return 2;
    }
    try {
      verifier.warmUp();
    } catch (TokenVerificationException e) {
      err.println("Warning: the issuer's keys are not available yet (requests will get 503 until they are): " + e.getMessage());
    }
    List<String> authorizationServers = new ArrayList<>();
    for (String one : settings.issuers) {
      authorizationServers.add(TrustedIssuer.builder(one).build().issuer());
    }
    HealthApi api = startOrReport(verifier, settings, metadata(settings.audiences.get(0), authorizationServers, err), err);
    if (api == null) {
      return 1;
    }
    out.println("Health API listening on " + api.baseUri() + " (issuer " + String.join(", ", settings.issuers)
        + ", audience " + String.join(", ", settings.audiences) + ", DPoP " + describeDpop(settings) + ")");
    out.flush();
    api.join();
    return 0;
  }

  /** The verifier for the configured issuers: the first through the builder, the others trusted beside it. */
  static AccessTokenVerifier verifier(Settings settings) {
    String[] scopeClaims = settings.scopeClaims.toArray(new String[0]);
    AccessTokenVerifier.Builder builder = AccessTokenVerifier.builder()
        .issuer(settings.issuers.get(0))
        .audience(settings.audiences.toArray(new String[0]))
        .dpop(dpopPolicy(settings));
    for (String other : settings.issuers.subList(1, settings.issuers.size())) {
      TrustedIssuer.Builder trusted = TrustedIssuer.builder(other);
      if (scopeClaims.length > 0) {
        trusted.scopeClaims(scopeClaims);
      }
      builder.trust(trusted.build());
    }
    if (settings.jwksUri != null) {
      builder.jwksUri(settings.jwksUri);
    }
    if (scopeClaims.length > 0) {
      builder.scopeClaims(scopeClaims);
    }
    return builder.build();
  }

  /**
   * DPoP as {@code DPOP}, {@code DPOP_NONCE} and {@code REDIS_URL} say. Nonces come from a random
   * secret of this process: several instances behind one load balancer would share a secret
   * instead ({@link DpopNonces#fromSecret(byte[])}).
   */
  static DpopPolicy dpopPolicy(Settings settings) {
    if (settings.dpop.equals("off")) {
      return DpopPolicy.disabled();
    }
    DpopPolicy policy = settings.dpop.equals("required") ? DpopPolicy.defaults().required() : DpopPolicy.defaults();
    if (settings.redisUrl != null) {
      policy = policy.withReplayStore(RedisReplayStore.create(settings.redisUrl));
    }
    if (settings.dpopNonces) {
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      policy = policy.withNonces(DpopNonces.fromSecret(secret));
    }
    return policy;
  }

  private static String describeDpop(Settings settings) {
    if (settings.dpop.equals("off")) {
      return "off";
    }
    return settings.dpop + (settings.dpopNonces ? ", with server nonces" : "")
        + ", used proofs remembered " + (settings.redisUrl != null ? "in Redis" : "in memory");
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

  private static int runDemo(Settings settings, PrintStream out, PrintStream err) throws Exception {
    String audience = settings.audiences.isEmpty() ? DEMO_AUDIENCE : settings.audiences.get(0);
    FakeIssuer issuer = FakeIssuer.builder().audience(audience).start();
    Runtime.getRuntime().addShutdownHook(new Thread(issuer::close, "fake-issuer-stop"));
    AccessTokenVerifier verifier = AccessTokenVerifier.builder()
        .issuer(issuer.issuer())
        .audience(audience)
        .dpop(dpopPolicy(settings))
        .build();                                  // keys through discovery, as with a real issuer
    HealthApi api = startOrReport(verifier, settings, metadata(audience, List.of(issuer.issuer()), err), err);
    if (api == null) {
      issuer.close();
      return 1;
    }
    new Demo(issuer, api.baseUri(), api.publicUrl, settings, out).run();
    out.println("Health API listening on " + api.baseUri() + " (demo issuer " + issuer.issuer() + ", audience "
        + audience + ", DPoP " + describeDpop(settings) + "). Press Ctrl+C to stop.");
    out.flush();
    api.join();
    return 0;
  }

  private static HealthApi startOrReport(AccessTokenVerifier verifier, Settings settings, ProtectedResourceMetadata metadata,
      PrintStream err) {
    try {
      return start(verifier, settings.port, metadata, settings.publicUrl);
    } catch (Exception e) {
      err.println("Cannot start on 127.0.0.1:" + settings.port + ": " + e.getMessage());
      return null;
    }
  }
}
