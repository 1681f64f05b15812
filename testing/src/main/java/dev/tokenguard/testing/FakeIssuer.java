package dev.tokenguard.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TrustedIssuer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OAuth 2.0 / OpenID Connect issuer for tests: starts in one line on a random loopback port,
 * serves discovery and JWKS over HTTP, and mints tokens with fluent builders that are valid by
 * default, so a test changes one thing.
 *
 * <pre>{@code
 * try (FakeIssuer issuer = FakeIssuer.start()) {
 *   AccessTokenVerifier verifier = AccessTokenVerifier.builder()
 *       .issuer(issuer.issuer()).audience(issuer.audience()).build();
 *   String token = issuer.accessToken().scopes("read:patients").sign();
 *   verifier.verify(token, "read:patients");
 * }
 * }</pre>
 *
 * <p>It can rotate keys, publish unusable keys (1024-bit, {@code use: enc}), make its JWKS
 * endpoint fail, and count requests. It mints sender-constrained tokens too ({@link
 * TokenBuilder#dpopBound}, {@link TokenBuilder#certificateBound}) and the DPoP proofs that go with
 * them ({@link #dpopProof}). It uses only the JDK's HTTP server and Nimbus. Thread-safe.
 * Cheap enough to start one per test; {@link #close()} stops it.
 */
public final class FakeIssuer implements AutoCloseable {
  /** The audience minted tokens carry unless told otherwise. */
  public static final String DEFAULT_AUDIENCE = "https://api.example.test";

  /** Ways to make the JWKS endpoint misbehave. Immutable and thread-safe. */
  public enum JwksFailure {
    /** Answer HTTP 500. */
    HTTP_500,
    /** Answer HTTP 404. */
    NOT_FOUND,
    /**
     * Hold the request without answering until {@link #healJwks()} or {@link #close()} (at most
     * 60 seconds), then answer normally: a hung issuer that only a client's own timeout gets away
     * from, whatever the machine's speed.
     */
    SLOW,
    /** Answer 200 with a body that is not JSON. */
    MALFORMED,
    /** Answer 200 with {@code {"keys":[]}}. */
    EMPTY,
    /** Answer 200 with a 1 MiB body. */
    OVERSIZED,
    /** Answer 302 to another origin's JWKS. */
    REDIRECT
  }

  /** Configures a {@link FakeIssuer} before it starts. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private String audience = DEFAULT_AUDIENCE;
    private boolean trailingSlash = true;
    private String issuer;
    private Duration jwksMaxAge;

    private Builder() {}

    /**
     * The clock for {@code iat}/{@code exp} of minted tokens; share it with the verifier.
     *
     * @param clock the clock, e.g. a {@link TestClock}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The default audience of minted tokens.
     *
     * @param audience the API identifier minted tokens carry in {@code aud}
     * @return this builder
     */
    public Builder audience(String audience) {
      this.audience = Objects.requireNonNull(audience, "audience");
      return this;
    }

    /**
     * Issuer without a trailing slash ({@code http://127.0.0.1:port}), unlike Auth0's.
     *
     * @return this builder
     */
    public Builder withoutTrailingSlash() {
      this.trailingSlash = false;
      return this;
    }

    /**
     * The issuer identifier to advertise, whatever the fixture serves on, so tests can use their
     * real issuer's string, for example {@code https://dev-123456.okta.com/oauth2/default} or
     * {@code https://login.microsoftonline.com/<tenant>/v2.0}: minted tokens carry it as {@code
     * iss} and the discovery document names it. The fixture still serves on loopback, so a
     * verifier reaches its keys through {@link #httpVerifierBuilder()} (an explicit JWKS URI) or
     * {@link #verifierBuilder()} (no HTTP), not through discovery from this string. Default: the
     * loopback URL with a trailing slash.
     *
     * @param issuer the issuer identifier to advertise and mint
     * @return this builder
     */
    public Builder issuer(String issuer) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      return this;
    }

    /**
     * Serve the JWKS with {@code Cache-Control: max-age}. Default: no such header.
     *
     * @param maxAge the {@code max-age} to send
     * @return this builder
     */
    public Builder jwksMaxAge(Duration maxAge) {
      this.jwksMaxAge = Objects.requireNonNull(maxAge, "maxAge");
      return this;
    }

    /**
     * Starts the issuer on a random loopback port.
     *
     * @return the running issuer; close it when done
     * @throws java.io.UncheckedIOException when no loopback port can be bound
     */
    public FakeIssuer start() {
      return new FakeIssuer(this);
    }
  }

  private final Clock clock;
  private final String audience;
  private final HttpServer server;
  private final ExecutorService executor;
  private final String issuer;
  private final Duration jwksMaxAge;
  private final Object lock = new Object();
  private final List<JWK> extraPublished = new CopyOnWriteArrayList<>();
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private final AtomicInteger discoveryRequests = new AtomicInteger();
  private final AtomicInteger allRequests = new AtomicInteger();
  private volatile List<RSAKey> keys;
  private volatile RSAKey signingKey;
  private volatile String discoveryIssuerOverride;
  private final Object failureLock = new Object();
  // Guarded by failureLock: how the JWKS endpoint fails (null: it answers), for how many more requests
  // (UNTIL_HEALED: no count), and the latch that holds SLOW requests until the next heal.
  private JwksFailure failure;
  private int failuresLeft;
  private CountDownLatch slowRequestsHeld = new CountDownLatch(1);
  private static final int UNTIL_HEALED = -1;
  private static final long SLOW_HOLD_SECONDS = 60;

  private FakeIssuer(Builder b) {
    this.clock = b.clock;
    this.audience = b.audience;
    this.jwksMaxAge = b.jwksMaxAge;
    this.signingKey = newKey(2048);
    this.keys = List.of(signingKey);
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind a loopback port", e);
    }
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-issuer");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    this.issuer = b.issuer != null ? b.issuer : b.trailingSlash ? base + "/" : base;
    counted(server.createContext("/.well-known/openid-configuration", this::discovery));
    counted(server.createContext("/.well-known/oauth-authorization-server", this::discovery));
    counted(server.createContext("/.well-known/jwks.json", this::jwksEndpoint));
    counted(server.createContext("/", exchange -> respond(exchange, 404, "{\"error\":\"not_found\"}", null)));
    server.start();
  }

  /**
   * Starts an issuer with a fresh RSA-2048 key on a random loopback port.
   *
   * @return the running issuer; close it when done
   * @throws java.io.UncheckedIOException when no loopback port can be bound
   */
  public static FakeIssuer start() {
    return builder().start();
  }

  /**
   * A builder for an issuer with a custom clock, audience or issuer form.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The issuer identifier, e.g. {@code http://127.0.0.1:54321/} (with Auth0's trailing slash by default).
   *
   * @return the issuer identifier minted tokens carry as {@code iss}
   */
  public String issuer() {
    return issuer;
  }

  /**
   * The default audience of minted tokens.
   *
   * @return the default audience
   */
  public String audience() {
    return audience;
  }

  /**
   * The JWKS URI.
   *
   * @return the JWKS URI
   */
  public URI jwksUri() {
    return URI.create(origin() + "/.well-known/jwks.json");
  }

  /**
   * The OpenID Connect discovery URI.
   *
   * @return the discovery URI
   */
  public URI discoveryUri() {
    return URI.create(origin() + "/.well-known/openid-configuration");
  }

  /**
   * The clock the issuer mints with.
   *
   * @return the issuer's clock
   */
  public Clock clock() {
    return clock;
  }

  /**
   * An access token in Auth0's default profile ({@code typ: JWT}, {@code azp}, {@code scope}).
   *
   * @return a builder for the token, valid by default
   */
  public TokenBuilder accessToken() {
    return TokenBuilder.auth0AccessToken(this);
  }

  /**
   * An access token in the RFC 9068 profile ({@code typ: at+jwt}, {@code client_id}, {@code jti}).
   *
   * @return a builder for the token, valid by default
   */
  public TokenBuilder rfc9068AccessToken() {
    return TokenBuilder.rfc9068AccessToken(this);
  }

  /**
   * An Auth0 machine-to-machine token ({@code gty: client-credentials}, {@code sub: <client>@clients}).
   *
   * @return a builder for the token, valid by default
   */
  public TokenBuilder machineToMachineToken() {
    return TokenBuilder.machineToMachine(this);
  }

  /**
   * An access token shaped like Okta's custom authorization servers issue: no {@code typ} header,
   * {@code ver}, {@code jti}, the client in {@code cid}, the user in {@code uid}, and scopes in
   * the {@code scp} array ({@link TokenBuilder#scopes(String...)} writes there).
   *
   * @return a builder for the token, valid by default
   */
  public TokenBuilder oktaAccessToken() {
    return TokenBuilder.oktaAccessToken(this);
  }

  /**
   * An access token shaped like Entra ID's v2.0 tokens: {@code typ: JWT}, the client in {@code
   * azp}, {@code oid}, {@code tid}, {@code ver: "2.0"}, and scopes in the space-delimited {@code
   * scp} string ({@link TokenBuilder#scopes(String...)} writes there). An application token is this
   * with {@code roles} and {@code idtyp: app} instead of {@code scp}.
   *
   * @return a builder for the token, valid by default
   */
  public TokenBuilder entraIdAccessToken() {
    return TokenBuilder.entraIdAccessToken(this);
  }

  /**
   * An access token shaped like Keycloak's: {@code typ: JWT} header, payload {@code typ: "Bearer"},
   * {@code aud} [this audience, {@code account}], the client in {@code azp}, {@code sid}, {@code
   * acr}, {@code realm_access}, and the space-delimited {@code scope} (starting with {@code openid
   * profile email}).
   *
   * @return a builder for the token, valid by default
   */
  public TokenBuilder keycloakAccessToken() {
    return TokenBuilder.keycloakAccessToken(this);
  }

  /**
   * An access token shaped like Spring Authorization Server's: no {@code typ} header, {@code aud}
   * [the client, this audience] (it names the client nowhere else), {@code nbf}, {@code jti}, and
   * {@code scope} as a JSON array ({@link TokenBuilder#scopes(String...)} writes there).
   *
   * @return a builder for the token, valid by default
   */
  public TokenBuilder springAuthorizationServerAccessToken() {
    return TokenBuilder.springAuthorizationServerAccessToken(this);
  }

  /**
   * An OpenID Connect ID token ({@code aud} = the client, {@code nonce}, {@code at_hash}): an API must refuse it.
   *
   * @return a builder for the ID token, valid by default
   */
  public TokenBuilder idToken() {
    return TokenBuilder.idToken(this);
  }

  /**
   * A DPoP proof (RFC 9449 section 4.2) signed by {@code holder} for a {@code method} request to
   * {@code uri}, issued now on this issuer's clock; add the access token it accompanies with
   * {@link DpopProofBuilder#accessToken(String)}. Tokens bound to {@code holder} come from {@link
   * TokenBuilder#dpopBound(TestKey)}.
   *
   * @param holder the key the proof is signed with (the token's DPoP key)
   * @param method the request's HTTP method, e.g. {@code GET}
   * @param uri the request's target URI
   * @return a builder for the proof, valid by default
   * @throws NullPointerException when an argument is null
   */
  public DpopProofBuilder dpopProof(TestKey holder, String method, URI uri) {
    return DpopProofBuilder.of(holder, clock, method, uri);
  }

  /**
   * The published JWKS document.
   *
   * @return the JWKS document as JSON
   */
  public String jwks() {
    List<Map<String, Object>> published = new ArrayList<>();
    for (RSAKey key : keys) {
      published.add(key.toPublicJWK().toJSONObject());
    }
    for (JWK key : extraPublished) {
      published.add(key.toJSONObject());
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("keys", published);
    return JSONObjectUtils.toJSONString(document);
  }

  /**
   * A verifier builder wired to this issuer without HTTP (its JWKS given as a document), its
   * clock and its default audience: for plain unit tests.
   *
   * @return a new verifier builder with this issuer's keys, clock and audience
   */
  public AccessTokenVerifier.Builder verifierBuilder() {
    return AccessTokenVerifier.builder().issuer(issuer).audience(audience).jwks(jwks()).clock(clock);
  }

  /**
   * A verifier builder that fetches this issuer's keys over HTTP through its JWKS URI.
   *
   * @return a new verifier builder with this issuer's JWKS URI, clock and audience
   */
  public AccessTokenVerifier.Builder httpVerifierBuilder() {
    return AccessTokenVerifier.builder().issuer(issuer).audience(audience).jwksUri(jwksUri()).clock(clock);
  }

  /**
   * This issuer as one more issuer of a verifier that trusts several ({@link
   * AccessTokenVerifier.Builder#trust(TrustedIssuer...)}), fetching its keys over HTTP through its
   * JWKS URI; the clock and audience belong to the verifier's builder.
   *
   * <pre>{@code
   * AccessTokenVerifier verifier = issuerA.httpVerifierBuilder()
   *     .trust(issuerB.trustedIssuerBuilder().build())
   *     .build();
   * }</pre>
   *
   * @return a new builder for this issuer's settings
   */
  public TrustedIssuer.Builder trustedIssuerBuilder() {
    return TrustedIssuer.builder(issuer).jwksUri(jwksUri());
  }

  /**
   * Signs new tokens with a new key and publishes it next to the old ones (as issuers do during
   * rotation). Returns the new {@code kid}.
   *
   * @return the new key's {@code kid}
   */
  public String rotateKey() {
    synchronized (lock) {
      RSAKey next = newKey(2048);
      List<RSAKey> updated = new ArrayList<>(keys);
      updated.add(next);
      keys = List.copyOf(updated);
      signingKey = next;
      return next.getKeyID();
    }
  }

  /**
   * Publishes a new key without signing with it yet, as issuers do ahead of a rotation so that
   * verifiers pick the key up with a routine refresh before the first token needs it. Returns its
   * {@code kid}; {@link #useKey(String)} switches signing to it.
   *
   * @return the new key's {@code kid}
   */
  public String publishNextKey() {
    synchronized (lock) {
      RSAKey next = newKey(2048);
      List<RSAKey> updated = new ArrayList<>(keys);
      updated.add(next);
      keys = List.copyOf(updated);
      return next.getKeyID();
    }
  }

  /**
   * Signs new tokens with the published key {@code kid} (one from {@link #publishNextKey()} or
   * {@link #rotateKey()}).
   *
   * @param kid the {@code kid} of a published key
   * @throws IllegalArgumentException if no such key is published
   */
  public void useKey(String kid) {
    synchronized (lock) {
      for (RSAKey key : keys) {
        if (key.getKeyID().equals(kid)) {
          signingKey = key;
          return;
        }
      }
      throw new IllegalArgumentException("no published key has this kid");
    }
  }

  /** Stops publishing every key but the current signing key. */
  public void retireOldKeys() {
    synchronized (lock) {
      keys = List.of(signingKey);
    }
  }

  /**
   * Stops publishing the key {@code kid} (tokens it signed will no longer verify after a refresh).
   *
   * @param kid the {@code kid} of a published key
   */
  public void unpublishKey(String kid) {
    synchronized (lock) {
      List<RSAKey> updated = new ArrayList<>(keys);
      updated.removeIf(k -> k.getKeyID().equals(kid));
      keys = List.copyOf(updated);
      extraPublished.removeIf(k -> kid.equals(k.getKeyID()));
    }
  }

  /**
   * The {@code kid} of the current signing key.
   *
   * @return the current signing key's {@code kid}
   */
  public String currentKeyId() {
    return signingKey.getKeyID();
  }

  /**
   * Publishes an extra key; use with {@link TokenBuilder#signedWith(TestKey)} for keys a verifier must refuse.
   *
   * @param key the key to publish
   * @return {@code key}, now published
   */
  public TestKey publishKey(TestKey key) {
    extraPublished.add(key.publicJwk());
    return key;
  }

  /**
   * Makes the JWKS endpoint misbehave until {@link #healJwks()}, replacing any failure set before.
   *
   * @param failure how the endpoint misbehaves
   * @throws NullPointerException if {@code failure} is null
   */
  public void failJwks(JwksFailure failure) {
    Objects.requireNonNull(failure, "failure");
    synchronized (failureLock) {
      this.failure = failure;
      this.failuresLeft = UNTIL_HEALED;
    }
  }

  /**
   * Makes the next {@code requests} JWKS requests misbehave, counted as they arrive, after which the
   * endpoint answers normally again by itself; replaces any failure set before. An outage defined
   * by requests instead of by time lasts until the verifier under test has met it, however fast or
   * slow the machine runs. ({@link JwksFailure#SLOW} requests are still held until {@link
   * #healJwks()} or {@link #close()}.)
   *
   * @param failure how the endpoint misbehaves
   * @param requests how many JWKS requests fail, at least 1
   * @throws NullPointerException if {@code failure} is null
   * @throws IllegalArgumentException if {@code requests} is less than 1
   */
  public void failJwks(JwksFailure failure, int requests) {
    Objects.requireNonNull(failure, "failure");
    if (requests < 1) {
      throw new IllegalArgumentException("requests must be at least 1, was " + requests);
    }
    synchronized (failureLock) {
      this.failure = failure;
      this.failuresLeft = requests;
    }
  }

  /**
   * Makes the JWKS endpoint answer normally again, including the requests {@link JwksFailure#SLOW}
   * holds at this moment.
   */
  public void healJwks() {
    synchronized (failureLock) {
      failure = null;
      slowRequestsHeld.countDown();
      slowRequestsHeld = new CountDownLatch(1);
    }
  }

  /**
   * Makes the discovery document report another issuer (to test the RFC 8414 3.3 check).
   *
   * @param reportedIssuer the issuer the document names instead
   */
  public void reportIssuerInDiscovery(String reportedIssuer) {
    this.discoveryIssuerOverride = reportedIssuer;
  }

  /**
   * JWKS requests received so far.
   *
   * @return the number of JWKS requests received so far
   */
  public int jwksRequestCount() {
    return jwksRequests.get();
  }

  /**
   * Discovery requests received so far.
   *
   * @return the number of discovery requests received so far
   */
  public int discoveryRequestCount() {
    return discoveryRequests.get();
  }

  /**
   * HTTP requests received so far on any path (discovery, JWKS, and paths it does not serve):
   * zero proves a verifier never contacted this issuer.
   *
   * @return the number of requests received so far
   */
  public int requestCount() {
    return allRequests.get();
  }

  /** Stops the server, releasing the requests that {@link JwksFailure#SLOW} holds. */
  @Override
  public void close() {
    synchronized (failureLock) {
      slowRequestsHeld.countDown();
    }
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  RSAKey signingKey() {
    return signingKey;
  }

  private void counted(HttpContext context) {
    context.getFilters().add(new Filter() {
      @Override
      public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        allRequests.incrementAndGet();
        chain.doFilter(exchange);
      }

      @Override
      public String description() {
        return "counts requests";
      }
    });
  }

  private String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static RSAKey newKey(int bits) {
    try {
      return new RSAKeyGenerator(bits, true)
          .keyID(randomId())
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.RS256)
          .generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("RSA key generation failed", e);
    }
  }

  static String randomId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private void discovery(HttpExchange exchange) throws IOException {
    discoveryRequests.incrementAndGet();
    String path = exchange.getRequestURI().getPath();
    boolean oidc = path.startsWith("/.well-known/openid-configuration");
    String suffix = oidc ? path.substring("/.well-known/openid-configuration".length())
        : path.substring("/.well-known/oauth-authorization-server".length());
    if (!suffix.isEmpty() && !suffix.equals("/")) {
      respond(exchange, 404, "{\"error\":\"not_found\"}", null);
      return;
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", discoveryIssuerOverride != null ? discoveryIssuerOverride : issuer);
    doc.put("jwks_uri", jwksUri().toString());
    doc.put("id_token_signing_alg_values_supported", List.of("RS256"));
    respond(exchange, 200, JSONObjectUtils.toJSONString(doc), null);
  }

  private void jwksEndpoint(HttpExchange exchange) throws IOException {
    jwksRequests.incrementAndGet();
    JwksFailure mode;
    CountDownLatch held;
    synchronized (failureLock) {
      mode = failure;
      held = slowRequestsHeld;
      if (mode != null && failuresLeft != UNTIL_HEALED && --failuresLeft == 0) {
        failure = null;
      }
    }
    if (mode == null) {
      respond(exchange, 200, jwks(), jwksMaxAge == null ? null : "public, max-age=" + jwksMaxAge.toSeconds());
      return;
    }
    switch (mode) {
      case HTTP_500:
        respond(exchange, 500, "{\"error\":\"server_error\"}", null);
        break;
      case NOT_FOUND:
        respond(exchange, 404, "{\"error\":\"not_found\"}", null);
        break;
      case SLOW:
        try {
          held.await(SLOW_HOLD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        respond(exchange, 200, jwks(), null);
        break;
      case MALFORMED:
        respond(exchange, 200, "<html>not json", null);
        break;
      case EMPTY:
        respond(exchange, 200, "{\"keys\":[]}", null);
        break;
      case OVERSIZED:
        respond(exchange, 200, "{\"keys\":[],\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}", null);
        break;
      case REDIRECT:
        exchange.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/.well-known/jwks.json");
        respond(exchange, 302, "", null);
        break;
      default:
        throw new IllegalStateException(String.valueOf(mode));
    }
  }

  private static void respond(HttpExchange exchange, int status, String body, String cacheControl) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    if (cacheControl != null) {
      exchange.getResponseHeaders().add("Cache-Control", cacheControl);
    }
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    } catch (IOException ignored) {
      // The client went away (for example after its timeout); nothing to do.
    } finally {
      exchange.close();
    }
  }
}
