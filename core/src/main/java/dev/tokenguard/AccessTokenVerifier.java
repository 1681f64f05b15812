package dev.tokenguard;

import java.net.URI;
import java.net.http.HttpClient;
import java.security.Provider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Verifies OAuth 2.0 JWT access tokens for one API.
 *
 * <p>Build one per API at start-up and share it: a verifier is immutable and thread-safe, and it
 * owns the cache of each trusted issuer's keys (and the thread that refreshes them, stopped by
 * {@link #close()}). It trusts the issuer set with {@link Builder#issuer(String)} and any more
 * given with {@link Builder#trust(TrustedIssuer...)}; a token goes to the issuer its {@code iss}
 * names exactly, and to no other.
 *
 * <pre>{@code
 * AccessTokenVerifier verifier = AccessTokenVerifier.builder()
 *     .issuer("https://tenant.auth0.com/")
 *     .audience("https://example.com/health-api")
 *     .build();
 * AccessToken token = verifier.verify(bearerToken, "read:patients");
 * }</pre>
 *
 * <p>Out of the box it checks the signature (RS256 with a key from the issuer's JWKS), {@code iss}
 * (exact), {@code aud}, {@code exp} (required), {@code nbf} and {@code iat} with 60 s of clock
 * skew, {@code typ}, and refuses OpenID Connect ID tokens. Nothing left unconfigured weakens a
 * check. Every rejection is a {@link TokenVerificationException}; no other exception escapes
 * {@code verify} for anything a client sends.
 *
 * <p>{@link #verify(TokenRequest)} is the one method an implementation must provide (a test double
 * can be a lambda); the others are conveniences over it. Sender-constrained tokens (a {@code cnf}
 * claim) are accepted only with their proof of possession: a DPoP-bound token with the {@code DPoP}
 * scheme and a valid proof ({@link TokenRequest#dpop}, RFC 9449; a DPoP-bound token presented as a
 * bearer token is refused, section 7.2), a certificate-bound token with its TLS client certificate
 * ({@link TokenRequest#withClientCertificate}, RFC 8705). See {@link DpopPolicy} for the DPoP
 * options.
 */
public interface AccessTokenVerifier extends AutoCloseable {

  /**
   * Verifies the access token of {@code request} and checks the request's {@link Requirement}.
   * The token's own checks run once per distinct token string (later requests with the same token
   * are served from the verified-token cache, with expiry and signing key re-checked); how it is
   * presented and the requirement are checked on every call.
   *
   * @param request the token and how it is presented, with what the resource requires
   * @return the verified token
   * @throws NullPointerException when {@code request} is null
   * @throws TokenVerificationException when the token is refused (its {@link
   *     TokenVerificationException#reason()} says why), with {@code
   *     INSUFFICIENT_USER_AUTHENTICATION} or {@code INSUFFICIENT_SCOPE} when a valid token does
   *     not meet the requirement (checked in that order, see {@link Requirement}), or with {@code
   *     KEYS_UNAVAILABLE} when the issuer's keys cannot be had
   */
  AccessToken verify(TokenRequest request);

  /**
   * Verifies {@code token} (the compact JWT, without the {@code Bearer } prefix), presented as a
   * bearer token, with no requirement beyond a valid token.
   *
   * @param token the compact JWT, without the {@code Bearer } prefix
   * @return the verified token
   * @throws TokenVerificationException when the token is refused (a null or empty token is
   *     {@code MALFORMED}), or with {@code KEYS_UNAVAILABLE} when the issuer's keys cannot be had
   */
  default AccessToken verify(String token) {
    if (token == null) {
      throw new TokenVerificationException(TokenVerificationException.Reason.MALFORMED, "the token is null");
    }
    return verify(TokenRequest.bearer(token));
  }

  /**
   * Verifies {@code token} as {@link #verify(String)} does and requires every one of {@code
   * requiredScopes} ({@link Requirement#allScopes(String...)}; none given: no requirement).
   *
   * @param requiredScopes the scopes the token must all carry; none for no requirement
   * @param token the compact JWT, without the {@code Bearer } prefix
   * @return the verified token
   * @throws NullPointerException when {@code requiredScopes} or one of its elements is null (a
   *     programming error, not a token problem)
   * @throws IllegalArgumentException when a scope is empty or has a character RFC 6750 section 3
   *     does not allow in a scope (a space, {@code "} or {@code \})
   * @throws TokenVerificationException as {@link #verify(String)}, and with
   *     {@link TokenVerificationException.Reason#INSUFFICIENT_SCOPE} (listing the required scopes)
   *     when a valid token lacks one of them
   */
  default AccessToken verify(String token, String... requiredScopes) {
    Requirement requirement =
        Objects.requireNonNull(requiredScopes, "requiredScopes").length == 0 ? Requirement.none() : Requirement.allScopes(requiredScopes);
    if (token == null) {
      throw new TokenVerificationException(TokenVerificationException.Reason.MALFORMED, "the token is null");
    }
    return verify(TokenRequest.bearer(token).requiring(requirement));
  }

  /**
   * Fetches every trusted issuer's keys now, so an API can fail at boot when an issuer is
   * misconfigured or unreachable. Optional: without it the first verification fetches them. Does
   * nothing for keys given as a document. Issuers are fetched one after the other, and one that
   * fails does not keep the others from being fetched.
   *
   * @throws TokenVerificationException with {@code KEYS_UNAVAILABLE} when an issuer's keys cannot
   *     be had; its message names each such issuer and says why (unreachable, HTTP status,
   *     discovery naming another issuer, no usable key)
   */
  default void warmUp() {}

  /**
   * Drops every cached key of every trusted issuer and every token in the verified-token cache,
   * so the next verification fetches the keys again: for a rotation webhook, an admin action or a
   * suspected key compromise.
   * A JWKS URI found through discovery is forgotten too, so discovery runs again; a configured
   * JWKS URI stays, and keys given as a document stay (only the token cache is cleared for them).
   * Never throws.
   */
  default void invalidateKeys() {}

  /**
   * The state of each trusted issuer's key source (last fetch, last failure, cached key ids): the
   * issuers named in the configuration in their order, then those trusted on first use in the
   * order they were admitted.
   *
   * @return one health report per trusted issuer, in that order
   */
  default List<KeySourceHealth> keySourceHealth() {
    return List.of();
  }

  /**
   * How this verifier treats DPoP: whether it accepts or requires the {@code DPoP} scheme, the
   * proof algorithms (the {@code algs} of a {@code DPoP} challenge, RFC 9449 section 7.1) and its
   * nonces (to send in {@code DPoP-Nonce} headers), for the HTTP layer that answers requests.
   * The default, for implementations that know nothing of DPoP, is {@link DpopPolicy#disabled()}.
   *
   * @return the DPoP policy; {@link DpopPolicy#disabled()} unless the implementation says otherwise
   */
  default DpopPolicy dpopPolicy() {
    return DpopPolicy.disabled();
  }

  /**
   * Stops the key-fetch threads this verifier started (a verifier given its own executor with
   * {@link Builder#keyFetchExecutor(java.util.concurrent.Executor)} leaves that executor alone).
   * Call it when the API stops, for example from a servlet filter's {@code destroy()}: a container
   * then finds no thread left behind. A closed verifier still verifies; a key fetch it still needs
   * then runs on the calling thread. Idempotent; never throws.
   */
  @Override
  default void close() {}

  /**
   * A new builder.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Configures an {@link AccessTokenVerifier}. Not thread-safe. Setters check their argument at
   * once and throw {@link IllegalArgumentException} with the reason (the accepted ranges are in
   * each setter's description) or {@link NullPointerException} for a null argument. A later call
   * of a setter replaces what an earlier call set (so a pre-filled builder, such as the test
   * fixture's, can be adjusted); {@link #addClaimRule} adds. {@link #build()} throws {@link
   * IllegalStateException} naming anything required that is missing or options that conflict.
   */
  final class Builder {
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private String issuer;
    private List<String> audiences = List.of();
    private URI jwksUri;
    private String fixedJwks;
    private Set<Algorithm> algorithms = EnumSet.of(Algorithm.RS256);
    private Duration clockSkew = Duration.ofSeconds(60);
    private Clock clock = Clock.systemUTC();
    private int maxTokenBytes = 16 * 1024;
    private Duration maxTokenAge;
    private Set<String> requiredClaims = Set.of();
    private final List<ClaimRule> claimRules = new ArrayList<>();
    private List<String> scopeClaims = ScopeClaims.DEFAULT;
    private boolean strictRfc9068;
    private HttpClient httpClient;
    private Duration connectTimeout;
    private Duration readTimeout = KeyFetchSettings.DEFAULT_READ_TIMEOUT;
    private int maxJwksBytes = KeyFetchSettings.DEFAULT_MAX_JWKS_BYTES;
    private int maxKeys = KeyFetchSettings.DEFAULT_MAX_KEYS;
    private Duration unknownKidWait;
    private Duration minKeyCacheTtl = Duration.ofMinutes(1);
    private Duration maxKeyCacheTtl = Duration.ofHours(24);
    private Duration defaultKeyCacheTtl = Duration.ofMinutes(10);
    private Duration staleKeyTolerance = Duration.ofHours(24);
    private Duration unknownKidRefetchInterval = Duration.ofSeconds(30);
    private Duration unknownKidMemory = Duration.ofMinutes(5);
    private KeySourceListener listener;
    private Provider signatureProvider;
    private int verifiedTokenCacheSize = 10_000;
    private Executor keyFetchExecutor;
    private final List<TrustedIssuer> trusted = new ArrayList<>();
    private LazyIssuers.Config lazyIssuers;
    private DpopPolicy dpop = DpopPolicy.defaults();

    Builder() {}

    /**
     * The trusted issuer, compared exactly (case-sensitive, no trailing-slash normalisation) with
     * the token's {@code iss}. A bare host name such as {@code tenant.us.auth0.com} is read as the
     * Auth0 issuer {@code https://tenant.us.auth0.com/}. Required unless {@link
     * #trust(TrustedIssuer...)} names the issuers instead. This builder's {@link #jwksUri}, {@link
     * #jwks}, {@link #algorithms}, {@link #scopeClaims} and {@link #strictRfc9068} describe this
     * issuer only.
     *
     * @param issuer the exact {@code iss}, e.g. {@code https://tenant.us.auth0.com/}
     * @return this builder
     * @throws IllegalArgumentException when blank or neither https nor a loopback http URI
     */
    public Builder issuer(String issuer) {
      this.issuer = TrustedIssuer.checkIssuer(issuer);
      return this;
    }

    /**
     * Auth0 in one line: sets the issuer to {@code https://{domain}/} and the JWKS URI to
     * {@code https://{domain}/.well-known/jwks.json}. Works for {@code tenant.us.auth0.com} and for
     * custom domains.
     *
     * @param domain the tenant's host name, e.g. {@code tenant.us.auth0.com}
     * @return this builder
     * @throws IllegalArgumentException unless {@code domain} is a bare host name (an
     *     {@code https://} prefix and a trailing slash are tolerated)
     */
    public Builder auth0(String domain) {
      String host = TrustedIssuer.auth0Host(domain);
      issuer("https://" + host + "/");
      return jwksUri(URI.create("https://" + host + "/.well-known/jwks.json"));
    }

    /**
     * The API identifiers this API answers to; a token's {@code aud} must contain at least one
     * (RFC 9068 section 4, RFC 7519 section 4.1.3). Required: there is no way to skip the
     * audience check.
     *
     * @param audiences one or more API identifiers, e.g. {@code https://example.com/health-api}
     * @return this builder
     * @throws IllegalArgumentException when no audience is given or one is blank
     */
    public Builder audience(String... audiences) {
      Objects.requireNonNull(audiences, "audiences");
      if (audiences.length == 0) {
        throw new IllegalArgumentException("audience needs at least one API identifier");
      }
      for (String audience : audiences) {
        if (audience == null || audience.isBlank()) {
          throw new IllegalArgumentException("audience values must be non-blank");
        }
      }
      this.audiences = List.of(audiences);
      return this;
    }

    /**
     * Where to fetch the issuer's JWKS. Optional: by default it comes from discovery (OpenID
     * Connect Discovery 1.0 section 4, then RFC 8414 section 3), falling back to
     * {@code {issuer}.well-known/jwks.json}.
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
     * Uses this JWKS document (RFC 7517 section 5) as the issuer's keys instead of fetching them
     * (for air-gapped APIs and plain unit tests). The document is checked at {@link #build()}.
     *
     * @param jwksJson a JWKS document (a JSON object with a {@code keys} array)
     * @return this builder
     */
    public Builder jwks(String jwksJson) {
      this.fixedJwks = Objects.requireNonNull(jwksJson, "jwksJson");
      return this;
    }

    /**
     * The accepted signature algorithms (RFC 8725 section 3.1), replacing the default (RS256 only).
     *
     * @param algorithms one or more algorithms the issuer signs with
     * @return this builder
     * @throws IllegalArgumentException when none is given
     */
    public Builder algorithms(Algorithm... algorithms) {
      Objects.requireNonNull(algorithms, "algorithms");
      if (algorithms.length == 0) {
        throw new IllegalArgumentException("algorithms needs at least one algorithm");
      }
      EnumSet<Algorithm> set = EnumSet.noneOf(Algorithm.class);
      for (Algorithm a : algorithms) {
        set.add(Objects.requireNonNull(a, "algorithm"));
      }
      this.algorithms = set;
      return this;
    }

    /**
     * Tolerance for clocks out of step, applied to {@code exp}, {@code nbf}, {@code iat}. Default
     * 60 s.
     *
     * @param skew between 0 and 5 minutes
     * @return this builder
     * @throws IllegalArgumentException unless between 0 and 5 minutes
     */
    public Builder clockSkew(Duration skew) {
      Objects.requireNonNull(skew, "skew");
      if (skew.isNegative() || skew.compareTo(MAX_CLOCK_SKEW) > 0) {
        throw new IllegalArgumentException("clockSkew must be between 0 and 5 minutes, was " + skew);
      }
      this.clockSkew = skew;
      return this;
    }

    /**
     * The clock for time checks and key-cache lifetimes. Default: the system UTC clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Largest token accepted, in characters, checked before any parsing. Default 16 KiB.
     *
     * @param maxTokenBytes the limit in characters, 256 to 1048576
     * @return this builder
     * @throws IllegalArgumentException unless between 256 and 1048576
     */
    public Builder maxTokenBytes(int maxTokenBytes) {
      if (maxTokenBytes < 256 || maxTokenBytes > 1024 * 1024) {
        throw new IllegalArgumentException("maxTokenBytes must be between 256 and 1048576");
      }
      this.maxTokenBytes = maxTokenBytes;
      return this;
    }

    /**
     * Refuse tokens issued more than {@code maxAge} ago ({@code iat} becomes required). Default:
     * no limit.
     *
     * @param maxAge the largest age of a token, measured from its {@code iat}; positive
     * @return this builder
     * @throws IllegalArgumentException unless positive
     */
    public Builder maxTokenAge(Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("maxTokenAge must be positive");
      }
      this.maxTokenAge = maxAge;
      return this;
    }

    /**
     * Claims that must be present (and not null), in addition to the built-in ones; replaces an earlier call's list.
     *
     * @param claims the claim names
     * @return this builder
     */
    public Builder requiredClaims(String... claims) {
      Set<String> set = new LinkedHashSet<>();
      for (String claim : Objects.requireNonNull(claims, "claims")) {
        set.add(Objects.requireNonNull(claim, "claim"));
      }
      this.requiredClaims = Collections.unmodifiableSet(set);
      return this;
    }

    /**
     * Adds a rule the verified token must satisfy, such as a tenant or an organisation id; a token
     * that fails it is refused with {@code INVALID_CLAIM}. {@code description} appears in the log
     * detail. The predicate runs only on tokens that passed every other check, must be
     * thread-safe, and an exception it throws refuses the token. It is evaluated once per distinct
     * token string: a token served again from the verified-token cache is not re-evaluated (tokens
     * without {@code kid} are never cached, so for them it runs on every call). For what a request
     * requires (scopes), use a {@link Requirement} instead: it is checked on every request.
     *
     * @param description names the rule in log details, e.g. {@code tenant is acme}
     * @param rule true for a token to accept; thread-safe
     * @return this builder
     */
    public Builder addClaimRule(String description, Predicate<AccessToken> rule) {
      claimRules.add(new ClaimRule(Objects.requireNonNull(description, "description"), Objects.requireNonNull(rule, "rule")));
      return this;
    }

    /**
     * The claims scopes are read from, replacing the default ({@code scope}, {@code scp} and
     * {@code permissions}). Each may hold a space-delimited string (RFC 8693 section 4.2, RFC 9068
     * section 2.2.3) or an array of strings: {@code scope} (RFC 9068, Auth0, Keycloak, Spring
     * Authorization Server), {@code scp} (Okta: array; Entra ID: string), {@code permissions}
     * (Auth0 RBAC).
     *
     * @param claims one or more claim names, e.g. {@code scp}
     * @return this builder
     * @throws IllegalArgumentException when no claim name is given
     */
    public Builder scopeClaims(String... claims) {
      Objects.requireNonNull(claims, "claims");
      if (claims.length == 0) {
        throw new IllegalArgumentException("scopeClaims needs at least one claim name");
      }
      for (String claim : claims) {
        Objects.requireNonNull(claim, "claim");
      }
      this.scopeClaims = List.of(claims);
      return this;
    }

    /**
     * The strict RFC 9068 profile: {@code typ} must be {@code at+jwt} (or
     * {@code application/at+jwt}), and {@code sub}, {@code client_id}, {@code iat} and {@code jti}
     * are required (RFC 9068 sections 2.1, 2.2 and 4). Default profile: {@code typ} may also be
     * {@code JWT} or absent, which is what Auth0 (default profile), Okta, Entra and Keycloak send.
     *
     * @return this builder
     */
    public Builder strictRfc9068() {
      this.strictRfc9068 = true;
      return this;
    }

    /**
     * The HTTP client for discovery and JWKS fetches (for a proxy or custom TLS). It must not
     * follow redirects: a redirect could send the fetch to another host, so the keys would come
     * from somewhere the issuer did not name. Its own connect timeout applies (the connect timeout
     * of {@link #httpTimeouts} cannot be combined with it).
     *
     * @param httpClient a client that never follows redirects
     * @return this builder
     * @throws IllegalArgumentException when {@code httpClient.followRedirects()} is not {@code
     *     HttpClient.Redirect.NEVER}
     */
    public Builder httpClient(HttpClient httpClient) {
      Objects.requireNonNull(httpClient, "httpClient");
      if (httpClient.followRedirects() != HttpClient.Redirect.NEVER) {
        throw new IllegalArgumentException(
            "the HTTP client follows redirects (" + httpClient.followRedirects() + "); build it with HttpClient.Redirect.NEVER");
      }
      this.httpClient = httpClient;
      return this;
    }

    /**
     * Connect timeout (default 2 s) and deadline for one whole HTTP exchange (default 5 s). The
     * connect timeout belongs to the HTTP client, so it cannot be combined with {@link
     * #httpClient(HttpClient)} (build that client with its own); the deadline applies to every
     * client.
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
     * Largest JWKS or discovery document (default 256 KiB) and most keys in a JWKS (default 100).
     *
     * @param maxBytes the largest document in bytes, at least 1024
     * @param maxKeys the most keys in a JWKS, at least 1
     * @return this builder
     * @throws IllegalArgumentException unless {@code maxBytes >= 1024} and {@code maxKeys >= 1}
     */
    public Builder jwksLimits(int maxBytes, int maxKeys) {
      if (maxBytes < 1024 || maxKeys < 1) {
        throw new IllegalArgumentException("jwksLimits needs maxBytes >= 1024 and maxKeys >= 1");
      }
      this.maxJwksBytes = maxBytes;
      this.maxKeys = maxKeys;
      return this;
    }

    /**
     * Key-cache lifetime: the JWKS response's {@code Cache-Control: max-age} clamped to
     * [{@code min}, {@code max}] (defaults 1 min and 24 h), or {@code withoutHeader} (default 10
     * min). Keys are refreshed in the background before the lifetime ends; requests are served the
     * cached keys while a refresh runs, and only an API idle for two whole lifetimes waits for
     * fresh keys.
     *
     * @param max the longest lifetime
     * @param min the shortest lifetime; positive
     * @param withoutHeader the lifetime when the response has no {@code max-age}
     * @return this builder
     * @throws IllegalArgumentException unless {@code 0 < min <= withoutHeader <= max}
     */
    public Builder keyCacheLifetime(Duration min, Duration max, Duration withoutHeader) {
      positive(min, "min");
      positive(max, "max");
      positive(withoutHeader, "withoutHeader");
      if (min.compareTo(max) > 0 || withoutHeader.compareTo(min) < 0 || withoutHeader.compareTo(max) > 0) {
        throw new IllegalArgumentException("keyCacheLifetime needs min <= withoutHeader <= max");
      }
      this.minKeyCacheTtl = min;
      this.maxKeyCacheTtl = max;
      this.defaultKeyCacheTtl = withoutHeader;
      return this;
    }

    /**
     * How long past their cache lifetime the last good keys keep serving while the issuer cannot
     * be reached or answers badly. Default 24 h.
     *
     * @param tolerance how long past their lifetime keys may serve; zero or more
     * @return this builder
     * @throws IllegalArgumentException when {@code tolerance} is negative
     */
    public Builder staleKeyTolerance(Duration tolerance) {
      Objects.requireNonNull(tolerance, "tolerance");
      if (tolerance.isNegative()) {
        throw new IllegalArgumentException("staleKeyTolerance must not be negative");
      }
      this.staleKeyTolerance = tolerance;
      return this;
    }

    /**
     * At most one refetch caused by unknown {@code kid}s per {@code interval} (default 30 s), and
     * how long a {@code kid} found missing is remembered (default 5 min).
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
     * Trusts more issuers besides (or instead of) the one set with {@link #issuer(String)}: each
     * has its own key source, algorithms, scope claims and profile, and takes the key-fetch and
     * key-cache settings it does not set from this builder (see {@link TrustedIssuer}). A token is
     * routed by its unverified {@code iss} to the issuer with exactly that identifier (or alias)
     * before any network request; an {@code iss} no trusted issuer has is refused as {@code
     * WRONG_ISSUER}. A key of one issuer never verifies a token naming another. Adds to the issuers
     * given by earlier calls.
     *
     * <p>From one issuer to several: keep the builder's {@code issuer(...)} and its settings as
     * they are and add the others here, or move every issuer into a {@code TrustedIssuer}; the
     * audience, clock and every other verifier-wide setting stay on this builder.
     *
     * @param issuers one or more issuers to trust
     * @return this builder
     * @throws NullPointerException when {@code issuers} or one of them is null
     */
    public Builder trust(TrustedIssuer... issuers) {
      Objects.requireNonNull(issuers, "issuers");
      for (TrustedIssuer trustedIssuer : issuers) {
        trusted.add(Objects.requireNonNull(trustedIssuer, "issuer"));
      }
      return this;
    }

    /**
     * Trusts, on first use, up to {@code maxIssuers} issuers that {@code accepts} admits, for an API
     * with one issuer per tenant, such as Entra ID's {@code
     * https://login.microsoftonline.com/{tenant}/v2.0} for the tenants of your customers:
     *
     * <pre>{@code
     * Pattern entra = Pattern.compile("https://login\\.microsoftonline\\.com/([0-9a-f-]{36})/v2\\.0");
     * builder.trustIssuersMatching(
     *     iss -> { Matcher m = entra.matcher(iss); return m.matches() && customerTenants.contains(m.group(1)); },
     *     500,
     *     iss -> TrustedIssuer.builder(iss).scopeClaims("scp", "roles").build());
     * }</pre>
     *
     * <p>A token whose {@code iss} is no issuer named with {@link #issuer(String)} or {@link
     * #trust(TrustedIssuer...)} is offered to {@code accepts}, and only when it accepts (and the
     * set is not full) is {@code configure} asked for that issuer's settings and a key source made
     * for it; its keys are then fetched like any issuer's (by default through discovery from its
     * own {@code iss}), with this builder's key-fetch settings unless it sets its own. Before
     * {@code accepts} runs, an {@code iss} that is not an absolute https URI (plain http only to a
     * loopback host) without user info, query or fragment is refused; after it, nothing is fetched
     * for an issuer it refused, and nothing of it is kept. So {@code accepts} is the allow-list:
     * match the whole string, host included, and prefer known tenants to any tenant of the right
     * shape, because every issuer it accepts holds a place in the set for the verifier's life.
     *
     * <p>At most {@code maxIssuers} issuers are ever held. When the set is full, a token of a new
     * issuer is refused as {@code WRONG_ISSUER} and a warning is logged (at most every 10 minutes);
     * no issuer is evicted, so whoever can present names the predicate accepts cannot churn the
     * set into a stream of key fetches, nor push out an issuer whose tokens are in use. Issuers
     * trusted on first use appear in {@link AccessTokenVerifier#keySourceHealth()} and listener
     * events once admitted; {@link AccessTokenVerifier#warmUp()} does not know them. A later call
     * replaces an earlier one.
     *
     * @param accepts decides from the exact {@code iss} whether to trust it; must be fast,
     *     thread-safe and make no network call; an exception it throws refuses the token
     * @param maxIssuers the most issuers ever trusted this way, from 1 to 10,000
     * @param configure the settings of an accepted issuer; must return a {@link TrustedIssuer}
     *     for exactly the {@code iss} it is given, without aliases (else the token is refused and a
     *     warning logged)
     * @return this builder
     * @throws NullPointerException when {@code accepts} or {@code configure} is null
     * @throws IllegalArgumentException when {@code maxIssuers} is out of range
     */
    public Builder trustIssuersMatching(Predicate<String> accepts, int maxIssuers, Function<String, TrustedIssuer> configure) {
      Objects.requireNonNull(accepts, "accepts");
      Objects.requireNonNull(configure, "configure");
      if (maxIssuers < 1 || maxIssuers > 10_000) {
        throw new IllegalArgumentException("maxIssuers must be between 1 and 10000, was " + maxIssuers);
      }
      this.lazyIssuers = new LazyIssuers.Config(accepts, maxIssuers, configure);
      return this;
    }

    /**
     * Receives key-source events (fetches, failures, stale keys, suppressed refetches) of every issuer.
     *
     * @param listener called on the fetching thread; must be quick and not throw
     * @return this builder
     */
    public Builder keySourceListener(KeySourceListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Runs discovery and JWKS fetches (refreshes included) of every trusted issuer. Default:
     * daemon threads named {@code tokenguard-jwks-fetch}, one per issuer fetching at that moment
     * (one for a single issuer, at most 16), each started when needed, ended when idle for 30 s
     * and stopped by {@link AccessTokenVerifier#close()}; so an issuer that hangs never delays
     * another's fetch. An executor given here is not shut down by the verifier, and one with a
     * single thread makes the issuers' fetches wait for each other; {@code Runnable::run} fetches
     * on the calling thread (a request then waits for a background refresh too: for tests and
     * batch jobs).
     *
     * @param executor runs the fetches; not shut down by the verifier
     * @return this builder
     */
    public Builder keyFetchExecutor(Executor executor) {
      this.keyFetchExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * A JCA provider used for signature checks only (for example a native one, which can verify
     * RSA about twice as fast as the JDK). Default: the JDK's providers.
     *
     * @param provider the JCA provider for signature checks
     * @return this builder
     */
    public Builder signatureProvider(Provider provider) {
      this.signatureProvider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * How many verified tokens to remember (default 10,000; 0 turns the cache off). Only the exact
     * same token string hits; on every hit its expiry, maximum age and signing key are checked again
     * on the verifier's clock, and the request's requirement is checked as always. Tokens up to 2048
     * characters count as one, longer ones as one per started 2048 characters; entries leave when
     * their token expires. Only verified tokens enter, so rejected tokens cannot evict good ones.
     *
     * @param size the number of tokens, 0 or more
     * @return this builder
     * @throws IllegalArgumentException when {@code size} is negative
     */
    public Builder verifiedTokenCacheSize(int size) {
      if (size < 0) {
        throw new IllegalArgumentException("verifiedTokenCacheSize must not be negative");
      }
      this.verifiedTokenCacheSize = size;
      return this;
    }

    /**
     * How DPoP (RFC 9449) is treated, replacing the default {@link DpopPolicy#defaults()}: the
     * {@code DPoP} scheme accepted alongside {@code Bearer}, proofs with ES256, PS256, RS256 or EdDSA,
     * a proof window of 60 s back and 5 s forward, used proofs remembered in memory, no nonces.
     * {@link DpopPolicy#disabled()} turns DPoP off, {@link DpopPolicy#required()} requires it on
     * every request; per path, see {@link Requirement#withDpop()}.
     *
     * @param policy the DPoP policy, e.g. {@code DpopPolicy.defaults().withNonces(nonces)}
     * @return this builder
     * @throws NullPointerException when {@code policy} is null
     */
    public Builder dpop(DpopPolicy policy) {
      this.dpop = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Builds the verifier. Makes no network call (see {@link AccessTokenVerifier#warmUp()}).
     *
     * @return the verifier; immutable and thread-safe, to share and close when done
     * @throws IllegalStateException when no issuer is given (none of {@link #issuer(String)},
     *     {@link #trust(TrustedIssuer...)} and {@link #trustIssuersMatching}), when the audience is missing, when one issuer name is
     *     trusted twice (as an issuer or an alias), when this builder's own issuer settings
     *     ({@code jwksUri}, {@code jwks}, {@code algorithms}, {@code scopeClaims}, {@code
     *     strictRfc9068}) are given without {@link #issuer(String)}, when both {@link
     *     #jwks(String)} and a JWKS URI (or {@code auth0(...)}) are given, when {@link
     *     #httpTimeouts}' connect timeout is combined with {@link #httpClient}, or when a JWKS
     *     given as a document holds no usable key
     */
    public AccessTokenVerifier build() {
      VerifierConfig.Shared shared = verifierSettings();
      KeyFetchSettings fetch = fetchSettings();
      List<IssuerConfig> issuers = new ArrayList<>();
      if (issuer != null) {
        issuers.add(issuerSettings(fetch));
      } else if (trusted.isEmpty() && lazyIssuers == null) {
        throw new IllegalStateException("issuer is required: the exact iss value of the tokens, e.g. https://tenant.auth0.com/");
      } else if (jwksUri != null || fixedJwks != null || !algorithms.equals(EnumSet.of(Algorithm.RS256))
          || !scopeClaims.equals(ScopeClaims.DEFAULT) || strictRfc9068) {
        throw new IllegalStateException("jwksUri, jwks, algorithms, scopeClaims and strictRfc9068 describe the issuer set with"
            + " issuer(...); without one, set them on each TrustedIssuer");
      }
      for (TrustedIssuer trustedIssuer : trusted) {
        issuers.add(trustedIssuer.resolve(fetch));
      }
      return DefaultAccessTokenVerifier.create(new VerifierConfig(shared, issuers, lazyIssuers, fetch, dpop));
    }

    private KeyFetchSettings fetchSettings() {
      if (httpClient != null && connectTimeout != null) {
        throw new IllegalStateException("httpTimeouts(connect, ...) cannot apply to a client given to httpClient(...): build that client with its own connect timeout");
      }
      KeyFetchSettings settings = new KeyFetchSettings(
          httpClient, connectTimeout != null ? connectTimeout : KeyFetchSettings.DEFAULT_CONNECT_TIMEOUT, readTimeout,
          maxJwksBytes, maxKeys, minKeyCacheTtl, maxKeyCacheTtl, defaultKeyCacheTtl, staleKeyTolerance,
          unknownKidRefetchInterval, unknownKidMemory);
      return unknownKidWait != null ? settings.withMissWait(unknownKidWait) : settings;
    }

    /**
     * How long a request with an unknown {@code kid} waits for the key fetch (default {@link
     * RemoteKeySource#MISS_WAIT}). Package-private, for tests that replace the wall-clock deadline
     * with counted events.
     */
    Builder unknownKidWait(Duration wait) {
      this.unknownKidWait = Objects.requireNonNull(wait, "wait");
      return this;
    }

    private IssuerConfig issuerSettings(KeyFetchSettings fetch) {
      if (fixedJwks != null && jwksUri != null) {
        throw new IllegalStateException("set either jwks(...) or jwksUri(...), not both");
      }
      return new IssuerConfig(issuer, List.of(), jwksUri, fixedJwks, algorithms, scopeClaims, strictRfc9068, fetch);
    }

    private VerifierConfig.Shared verifierSettings() {
      if (audiences.isEmpty()) {
        throw new IllegalStateException("audience is required: the API identifier that aud must contain");
      }
      return new VerifierConfig.Shared(audiences, clockSkew, clock, maxTokenBytes, maxTokenAge, requiredClaims,
          claimRules, verifiedTokenCacheSize, signatureProvider, listener, keyFetchExecutor);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }
  }
}
