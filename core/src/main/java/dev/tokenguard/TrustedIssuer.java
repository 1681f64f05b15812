package dev.tokenguard;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One more issuer a verifier trusts, with everything that belongs to that issuer alone: its
 * identifier (and aliases), where its keys come from, the algorithms and token profile it uses,
 * the claims its scopes are in, and how its keys are fetched and cached. Give it to {@link
 * AccessTokenVerifier.Builder#trust(TrustedIssuer...)}.
 *
 * <pre>{@code
 * AccessTokenVerifier verifier = AccessTokenVerifier.builder()
 *     .issuer("https://old-tenant.eu.auth0.com/")              // the builder's own issuer, as before
 *     .trust(TrustedIssuer.builder("https://login.example.com/oauth2/default")
 *         .scopeClaims("scp")
 *         .build())
 *     .audience("https://api.example.com")
 *     .build();
 * }</pre>
 *
 * <p>A token is routed by its (not yet verified) {@code iss} to the trusted issuer with exactly
 * that identifier, or one of its {@link Builder#alias(String...) aliases}; an {@code iss} no
 * trusted issuer has is refused as {@code WRONG_ISSUER} before any network request. Each trusted
 * issuer has its own key source (RFC 8725 section 3.8: keys belong to one issuer), so its keys
 * verify only tokens whose {@code iss} names it, and its outage, key rotation or unknown {@code
 * kid}s do not touch the other issuers.
 *
 * <p>What it does not set it takes from elsewhere:
 *
 * <ul>
 *   <li>the token profile has the library's defaults, not the builder's: RS256 only, scopes in
 *       {@code scope}, {@code scp} and {@code permissions}, the default (not strict) RFC 9068
 *       profile, and the keys found through discovery from the identifier. The builder's {@code
 *       algorithms}, {@code scopeClaims}, {@code strictRfc9068}, {@code jwksUri} and {@code jwks}
 *       describe the builder's own issuer only, so adding an issuer never widens what another
 *       issuer is trusted with;
 *   <li>key fetching and caching ({@code httpClient}, {@code httpTimeouts}, {@code jwksLimits},
 *       {@code keyCacheLifetime}, {@code staleKeyTolerance}, {@code unknownKeyRefetch}) default to
 *       the verifier builder's settings, each group separately;
 *   <li>the audience, clock, clock skew, token limits, claim rules, verified-token cache, listener
 *       and fetch executor belong to the verifier and apply to every issuer.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class TrustedIssuer {
  private final String issuer;
  private final List<String> aliases;
  private final URI jwksUri;
  private final String fixedJwks;
  private final Set<Algorithm> algorithms;
  private final List<String> scopeClaims;
  private final boolean strictRfc9068;
  // Key-fetch settings; null (or 0) means "the verifier builder's".
  private final HttpClient httpClient;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final int maxJwksBytes;
  private final int maxKeys;
  private final Duration minKeyCacheTtl;
  private final Duration maxKeyCacheTtl;
  private final Duration defaultKeyCacheTtl;
  private final Duration staleKeyTolerance;
  private final Duration unknownKidRefetchInterval;
  private final Duration unknownKidMemory;

  private TrustedIssuer(Builder b) {
    this.issuer = b.issuer;
    this.aliases = List.copyOf(b.aliases);
    this.jwksUri = b.jwksUri;
    this.fixedJwks = b.fixedJwks;
    this.algorithms = Set.copyOf(b.algorithms);
    this.scopeClaims = b.scopeClaims;
    this.strictRfc9068 = b.strictRfc9068;
    this.httpClient = b.httpClient;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.maxJwksBytes = b.maxJwksBytes;
    this.maxKeys = b.maxKeys;
    this.minKeyCacheTtl = b.minKeyCacheTtl;
    this.maxKeyCacheTtl = b.maxKeyCacheTtl;
    this.defaultKeyCacheTtl = b.defaultKeyCacheTtl;
    this.staleKeyTolerance = b.staleKeyTolerance;
    this.unknownKidRefetchInterval = b.unknownKidRefetchInterval;
    this.unknownKidMemory = b.unknownKidMemory;
  }

  /**
   * A builder for the issuer whose tokens carry exactly {@code issuer} as {@code iss} (compared
   * case-sensitively, no trailing-slash normalisation). A bare host name such as {@code
   * tenant.us.auth0.com} is read as the Auth0 issuer {@code https://tenant.us.auth0.com/}. Its
   * keys are found through discovery from the identifier unless {@link Builder#jwksUri(URI)} or
   * {@link Builder#jwks(String)} says otherwise.
   *
   * @param issuer the exact {@code iss}, e.g. {@code https://tenant.us.auth0.com/}
   * @return a new builder
   * @throws NullPointerException when {@code issuer} is null
   * @throws IllegalArgumentException when blank, with surrounding spaces, or neither an https URI
   *     nor a loopback http URI (nor a bare host name)
   */
  public static Builder builder(String issuer) {
    return new Builder(checkIssuer(issuer));
  }

  /**
   * A builder for an Auth0 tenant or custom domain: issuer {@code https://{domain}/}, keys at
   * {@code https://{domain}/.well-known/jwks.json}. A tenant whose tokens carry either its
   * canonical or its custom domain as {@code iss} is one issuer with an {@link Builder#alias
   * alias}: {@code TrustedIssuer.auth0("tenant.us.auth0.com").alias("https://login.example.com/")}.
   *
   * @param domain the tenant's host name, e.g. {@code tenant.us.auth0.com}
   * @return a new builder with the issuer and the JWKS URI set
   * @throws NullPointerException when {@code domain} is null
   * @throws IllegalArgumentException unless {@code domain} is a bare host name (an {@code
   *     https://} prefix and a trailing slash are tolerated)
   */
  public static Builder auth0(String domain) {
    String host = auth0Host(domain);
    return new Builder("https://" + host + "/").jwksUri(URI.create("https://" + host + "/.well-known/jwks.json"));
  }

  /**
   * The exact {@code iss} of this issuer's tokens.
   *
   * @return the issuer identifier
   */
  public String issuer() {
    return issuer;
  }

  /**
   * Other exact {@code iss} values of the same issuer (sharing its keys and settings), in the order given; often empty.
   *
   * @return the aliases in order; unmodifiable, empty when none
   */
  public List<String> aliases() {
    return aliases;
  }

  /** Names the issuer and its aliases. */
  @Override
  public String toString() {
    return "TrustedIssuer{" + issuer + (aliases.isEmpty() ? "" : ", aliases=" + aliases) + "}";
  }

  /**
   * This issuer's configuration, with the key-fetch settings it does not set taken from {@code
   * defaults} (the verifier builder's).
   */
  IssuerConfig resolve(KeyFetchSettings defaults) {
    HttpClient client;
    Duration connect;
    if (httpClient != null) {
      client = httpClient;
      connect = KeyFetchSettings.DEFAULT_CONNECT_TIMEOUT; // unused: the client has its own
    } else if (connectTimeout != null) {
      client = null; // a library client with this issuer's own connect timeout
      connect = connectTimeout;
    } else {
      client = defaults.httpClient;
      connect = defaults.connectTimeout;
    }
    KeyFetchSettings fetch = new KeyFetchSettings(
        client, connect, readTimeout != null ? readTimeout : defaults.readTimeout,
        maxJwksBytes > 0 ? maxJwksBytes : defaults.maxJwksBytes, maxKeys > 0 ? maxKeys : defaults.maxKeys,
        minKeyCacheTtl != null ? minKeyCacheTtl : defaults.minTtl,
        maxKeyCacheTtl != null ? maxKeyCacheTtl : defaults.maxTtl,
        defaultKeyCacheTtl != null ? defaultKeyCacheTtl : defaults.defaultTtl,
        staleKeyTolerance != null ? staleKeyTolerance : defaults.staleTolerance,
        unknownKidRefetchInterval != null ? unknownKidRefetchInterval : defaults.refetchInterval,
        unknownKidMemory != null ? unknownKidMemory : defaults.negativeCacheTtl);
    return new IssuerConfig(issuer, aliases, jwksUri, fixedJwks, algorithms, scopeClaims, strictRfc9068, fetch);
  }

  /**
   * Configures a {@link TrustedIssuer}. Not thread-safe. Setters check their argument at once
   * ({@link IllegalArgumentException} with the accepted range, {@link NullPointerException} for a
   * null argument) and a later call replaces an earlier one, as on {@link
   * AccessTokenVerifier.Builder}, whose setters of the same names these mirror.
   */
  public static final class Builder {
    private final String issuer;
    private List<String> aliases = List.of();
    private URI jwksUri;
    private String fixedJwks;
    private Set<Algorithm> algorithms = EnumSet.of(Algorithm.RS256);
    private List<String> scopeClaims = ScopeClaims.DEFAULT;
    private boolean strictRfc9068;
    private HttpClient httpClient;
    private Duration connectTimeout;
    private Duration readTimeout;
    private int maxJwksBytes;
    private int maxKeys;
    private Duration minKeyCacheTtl;
    private Duration maxKeyCacheTtl;
    private Duration defaultKeyCacheTtl;
    private Duration staleKeyTolerance;
    private Duration unknownKidRefetchInterval;
    private Duration unknownKidMemory;

    private Builder(String issuer) {
      this.issuer = issuer;
    }

    /**
     * Other {@code iss} values the same issuer puts in its tokens, verified with the same keys
     * (one key source, one JWKS fetch) and settings: an Auth0 tenant whose tokens carry its
     * canonical or its custom domain, depending on which the client asked. Each is compared
     * exactly. {@link AccessToken#issuer()} is the {@code iss} the token carries. Only for names
     * of one issuer: two issuers with their own keys are two {@code TrustedIssuer}s. Discovery,
     * when used, runs from {@link TrustedIssuer#issuer()}. Replaces earlier aliases.
     *
     * @param aliases the other exact {@code iss} values, e.g. {@code https://login.example.com/}
     * @return this builder
     * @throws IllegalArgumentException as {@link TrustedIssuer#builder(String)} for each, or when
     *     one repeats the issuer or another alias
     */
    public Builder alias(String... aliases) {
      Objects.requireNonNull(aliases, "aliases");
      Set<String> seen = new LinkedHashSet<>();
      for (String alias : aliases) {
        String checked = checkIssuer(alias);
        if (checked.equals(issuer) || !seen.add(checked)) {
          throw new IllegalArgumentException("alias repeats an issuer name: " + checked);
        }
      }
      this.aliases = List.copyOf(seen);
      return this;
    }

    /**
     * Where to fetch this issuer's JWKS. Optional: by default it comes from discovery (OpenID
     * Connect Discovery 1.0 section 4, then RFC 8414 section 3), falling back to {@code
     * {issuer}.well-known/jwks.json}.
     *
     * @param jwksUri the JWKS URI: https, or http on a loopback host
     * @return this builder
     * @throws IllegalArgumentException unless https (http only for loopback hosts)
     */
    public Builder jwksUri(URI jwksUri) {
      this.jwksUri = HttpFetcher.requireSecure(Objects.requireNonNull(jwksUri, "jwksUri"), "jwksUri");
      return this;
    }

    /**
     * Uses this JWKS document (RFC 7517 section 5) as this issuer's keys instead of fetching them.
     * Checked when the verifier is built.
     *
     * @param jwksJson a JWKS document (a JSON object with a {@code keys} array)
     * @return this builder
     */
    public Builder jwks(String jwksJson) {
      this.fixedJwks = Objects.requireNonNull(jwksJson, "jwksJson");
      return this;
    }

    /**
     * The signature algorithms this issuer's tokens may use (RFC 8725 section 3.1), replacing the
     * default (RS256 only).
     *
     * @param algorithms one or more algorithms the issuer signs with
     * @return this builder
     * @throws IllegalArgumentException when none is given
     */
    public Builder algorithms(Algorithm... algorithms) {
      this.algorithms = algorithmSet(algorithms);
      return this;
    }

    /**
     * The claims this issuer's scopes are read from, replacing the default ({@code scope}, {@code
     * scp} and {@code permissions}); each a space-delimited string or an array of strings.
     *
     * @param claims one or more claim names, e.g. {@code scp}
     * @return this builder
     * @throws IllegalArgumentException when no claim name is given
     */
    public Builder scopeClaims(String... claims) {
      this.scopeClaims = claimNames(claims);
      return this;
    }

    /**
     * The strict RFC 9068 profile for this issuer's tokens: {@code typ} must be {@code at+jwt} (or
     * {@code application/at+jwt}), and {@code sub}, {@code client_id}, {@code iat} and {@code jti}
     * are required (RFC 9068 sections 2.1, 2.2 and 4).
     *
     * @return this builder
     */
    public Builder strictRfc9068() {
      this.strictRfc9068 = true;
      return this;
    }

    /**
     * The HTTP client for this issuer's discovery and JWKS fetches; it must not follow redirects.
     * Default: the verifier builder's client, or a library client.
     *
     * @param httpClient a client that never follows redirects
     * @return this builder
     * @throws IllegalArgumentException when {@code httpClient.followRedirects()} is not {@code
     *     HttpClient.Redirect.NEVER}
     */
    public Builder httpClient(HttpClient httpClient) {
      this.httpClient = checkClient(httpClient);
      return this;
    }

    /**
     * Connect timeout and deadline for one whole HTTP exchange with this issuer. Default: the
     * verifier builder's (2 s and 5 s unless set there). Setting it gives this issuer a library
     * client with this connect timeout; it cannot be combined with {@link #httpClient}.
     *
     * @param connect the connect timeout; positive
     * @param read the deadline of one whole HTTP exchange; positive
     * @return this builder
     * @throws IllegalArgumentException unless both are positive
     */
    public Builder httpTimeouts(Duration connect, Duration read) {
      this.connectTimeout = positive(connect, "connect");
      this.readTimeout = positive(read, "read");
      return this;
    }

    /**
     * Largest JWKS or discovery document and most keys in a JWKS for this issuer. Default: the
     * verifier builder's (256 KiB and 100 unless set there).
     *
     * @param maxBytes the largest document in bytes, at least 1024
     * @param maxKeys the most keys in a JWKS, at least 1
     * @return this builder
     * @throws IllegalArgumentException unless {@code maxBytes >= 1024} and {@code maxKeys >= 1}
     */
    public Builder jwksLimits(int maxBytes, int maxKeys) {
      checkJwksLimits(maxBytes, maxKeys);
      this.maxJwksBytes = maxBytes;
      this.maxKeys = maxKeys;
      return this;
    }

    /**
     * This issuer's key-cache lifetime: its JWKS response's {@code Cache-Control: max-age}
     * clamped to [{@code min}, {@code max}], or {@code withoutHeader}. Default: the verifier
     * builder's (1 min, 24 h and 10 min unless set there).
     *
     * @param max the longest lifetime
     * @param min the shortest lifetime; positive
     * @param withoutHeader the lifetime when the response has no {@code max-age}
     * @return this builder
     * @throws IllegalArgumentException unless {@code 0 < min <= withoutHeader <= max}
     */
    public Builder keyCacheLifetime(Duration min, Duration max, Duration withoutHeader) {
      checkLifetime(min, max, withoutHeader);
      this.minKeyCacheTtl = min;
      this.maxKeyCacheTtl = max;
      this.defaultKeyCacheTtl = withoutHeader;
      return this;
    }

    /**
     * How long past their cache lifetime this issuer's last good keys keep serving while it cannot
     * be reached. Default: the verifier builder's (24 h unless set there).
     *
     * @param tolerance how long past their lifetime keys may serve; zero or more
     * @return this builder
     * @throws IllegalArgumentException when {@code tolerance} is negative
     */
    public Builder staleKeyTolerance(Duration tolerance) {
      this.staleKeyTolerance = notNegative(tolerance, "staleKeyTolerance");
      return this;
    }

    /**
     * At most one refetch of this issuer's keys caused by unknown {@code kid}s per {@code
     * interval}, and how long a {@code kid} found missing is remembered. Default: the verifier
     * builder's (30 s and 5 min unless set there).
     *
     * @param interval the least time between two such refetches; positive
     * @param rememberMissing how long a missing {@code kid} is remembered; positive
     * @return this builder
     * @throws IllegalArgumentException unless both are positive
     */
    public Builder unknownKeyRefetch(Duration interval, Duration rememberMissing) {
      this.unknownKidRefetchInterval = positive(interval, "interval");
      this.unknownKidMemory = positive(rememberMissing, "rememberMissing");
      return this;
    }

    /**
     * The trusted issuer. A JWKS document given with {@link #jwks(String)} is checked when the
     * verifier is built.
     *
     * @return the issuer's settings; immutable
     * @throws IllegalStateException when both {@link #jwks(String)} and a JWKS URI are given, or
     *     when {@link #httpTimeouts} is combined with {@link #httpClient}
     */
    public TrustedIssuer build() {
      if (fixedJwks != null && jwksUri != null) {
        throw new IllegalStateException("set either jwks(...) or jwksUri(...) for " + issuer + ", not both");
      }
      if (httpClient != null && connectTimeout != null) {
        throw new IllegalStateException("httpTimeouts(...) cannot apply to a client given to httpClient(...) for " + issuer
            + ": build that client with its own connect timeout");
      }
      return new TrustedIssuer(this);
    }
  }

  // Checks shared with AccessTokenVerifier.Builder, so both spell a setting's rules once.

  /** The issuer identifier, or a bare host name read as the Auth0 issuer {@code https://host/}. */
  static String checkIssuer(String issuer) {
    Objects.requireNonNull(issuer, "issuer");
    String value = issuer.trim();
    if (value.isEmpty() || !value.equals(issuer)) {
      throw new IllegalArgumentException("issuer must be non-blank and have no surrounding spaces");
    }
    if (!value.contains("://")) {
      if (value.contains("/")) {
        throw new IllegalArgumentException("issuer must be a URI or a bare domain: " + issuer);
      }
      value = "https://" + value + "/";
    }
    HttpFetcher.requireSecure(URI.create(value), "issuer");
    return value;
  }

  /** The host of an Auth0 tenant or custom domain, tolerating an {@code https://} prefix and a trailing slash. */
  static String auth0Host(String domain) {
    Objects.requireNonNull(domain, "domain");
    String host = domain.trim();
    if (host.startsWith("https://")) {
      host = host.substring("https://".length());
    }
    if (host.endsWith("/")) {
      host = host.substring(0, host.length() - 1);
    }
    if (host.isEmpty() || host.contains("/") || host.contains(":") || host.contains(" ")) {
      throw new IllegalArgumentException("auth0 takes a tenant or custom domain such as tenant.us.auth0.com: " + domain);
    }
    return host;
  }

  static Set<Algorithm> algorithmSet(Algorithm... algorithms) {
    Objects.requireNonNull(algorithms, "algorithms");
    if (algorithms.length == 0) {
      throw new IllegalArgumentException("algorithms needs at least one algorithm");
    }
    EnumSet<Algorithm> set = EnumSet.noneOf(Algorithm.class);
    for (Algorithm a : algorithms) {
      set.add(Objects.requireNonNull(a, "algorithm"));
    }
    return set;
  }

  static List<String> claimNames(String... claims) {
    Objects.requireNonNull(claims, "claims");
    if (claims.length == 0) {
      throw new IllegalArgumentException("scopeClaims needs at least one claim name");
    }
    List<String> names = new ArrayList<>();
    for (String claim : claims) {
      names.add(Objects.requireNonNull(claim, "claim"));
    }
    return List.copyOf(names);
  }

  static HttpClient checkClient(HttpClient httpClient) {
    Objects.requireNonNull(httpClient, "httpClient");
    if (httpClient.followRedirects() != HttpClient.Redirect.NEVER) {
      throw new IllegalArgumentException(
          "the HTTP client follows redirects (" + httpClient.followRedirects() + "); build it with HttpClient.Redirect.NEVER");
    }
    return httpClient;
  }

  static void checkJwksLimits(int maxBytes, int maxKeys) {
    if (maxBytes < 1024 || maxKeys < 1) {
      throw new IllegalArgumentException("jwksLimits needs maxBytes >= 1024 and maxKeys >= 1");
    }
  }

  static void checkLifetime(Duration min, Duration max, Duration withoutHeader) {
    positive(min, "min");
    positive(max, "max");
    positive(withoutHeader, "withoutHeader");
    if (min.compareTo(max) > 0 || withoutHeader.compareTo(min) < 0 || withoutHeader.compareTo(max) > 0) {
      throw new IllegalArgumentException("keyCacheLifetime needs min <= withoutHeader <= max");
    }
  }

  static Duration notNegative(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative");
    }
    return d;
  }

  static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return d;
  }
}
