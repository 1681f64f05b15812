package dev.tokenguard;

import dev.tokenguard.internal.BoundedHttpFetcher;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.Provider;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Verifies OAuth 2.0 JWT access tokens for one API.
 *
 * <p>Build one per API at start-up and share it: a verifier is immutable and thread-safe, and it
 * owns the cache of the issuer's keys.
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
 * {@code verify}.
 *
 * <p>Sender-constrained tokens (a {@code cnf} claim, for DPoP or mutual-TLS binding) are refused
 * for now rather than accepted as plain bearer tokens; proof-of-possession will come as a
 * {@code verify} overload that also takes the proof. A verifier trusts exactly one issuer; an API
 * that trusts several builds one verifier per issuer.
 */
public interface AccessTokenVerifier {

  /**
   * Verifies {@code token} (the compact JWT, without the {@code Bearer } prefix).
   *
   * @return the verified token
   * @throws TokenVerificationException when the token is refused, or with
   *     {@link TokenVerificationException.Reason#KEYS_UNAVAILABLE} when the issuer's keys cannot be
   *     had
   */
  AccessToken verify(String token);

  /**
   * Verifies {@code token} and requires every one of {@code requiredScopes}.
   *
   * @throws NullPointerException when {@code requiredScopes} or one of its elements is null (a
   *     programming error, not a token problem)
   * @throws TokenVerificationException as {@link #verify(String)}, and with
   *     {@link TokenVerificationException.Reason#INSUFFICIENT_SCOPE} (listing the required scopes)
   *     when a valid token lacks one of them
   */
  AccessToken verify(String token, String... requiredScopes);

  /**
   * Fetches the issuer's keys now, so an API can fail at boot when the issuer is misconfigured or
   * unreachable. Optional: without it the first verification fetches them.
   *
   * @throws TokenVerificationException with {@code KEYS_UNAVAILABLE}; its message says why
   *     (unreachable, HTTP status, discovery issuer mismatch, no usable key)
   */
  void warmUp();

  /**
   * Drops the cached keys and every token in the verified-token cache, and forgets the discovered
   * JWKS URI; the next verification runs discovery and fetches the keys again. For a rotation
   * webhook, an admin action or a suspected key compromise. Never throws.
   */
  void invalidateKeys();

  /** The current state of the key source: last fetch, last failure, cached key ids. */
  KeySourceHealth keySourceHealth();

  /** A new builder. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Configures an {@link AccessTokenVerifier}. Not thread-safe. Setters check their argument at
   * once and throw {@link IllegalArgumentException} with the reason (the accepted ranges are in
   * each setter's description) or {@link NullPointerException} for a null argument; {@link
   * #build()} throws {@link IllegalStateException} naming anything required that is missing.
   */
  final class Builder {
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    String issuer;
    List<String> audiences = List.of();
    URI jwksUri;
    String fixedJwks;
    Set<Algorithm> algorithms = EnumSet.of(Algorithm.RS256);
    Duration clockSkew = Duration.ofSeconds(60);
    Clock clock = Clock.systemUTC();
    int maxTokenBytes = 16 * 1024;
    Duration maxTokenAge;
    Set<String> requiredClaims = new LinkedHashSet<>();
    List<ClaimRule> claimRules = new ArrayList<>();
    List<String> scopeClaims = List.of("scope", "permissions");
    boolean strictRfc9068;
    HttpClient httpClient;
    Duration connectTimeout = Duration.ofSeconds(2);
    Duration readTimeout = Duration.ofSeconds(5);
    int maxJwksBytes = 256 * 1024;
    int maxKeys = 100;
    Duration minKeyCacheTtl = Duration.ofMinutes(1);
    Duration maxKeyCacheTtl = Duration.ofHours(24);
    Duration defaultKeyCacheTtl = Duration.ofMinutes(10);
    Duration staleKeyTolerance = Duration.ofHours(24);
    Duration unknownKidRefetchInterval = Duration.ofSeconds(30);
    Duration unknownKidMemory = Duration.ofMinutes(5);
    KeySourceListener listener;
    Provider signatureProvider;
    int verifiedTokenCacheSize = 10_000;
    /** Runs key fetches; null means a one-thread daemon executor. Package-private: for tests. */
    java.util.concurrent.Executor keyFetchExecutor;

    Builder() {}

    /** A predicate over a verified token with a description for the rejection detail. */
    static final class ClaimRule {
      final String description;
      final Predicate<AccessToken> predicate;

      ClaimRule(String description, Predicate<AccessToken> predicate) {
        this.description = description;
        this.predicate = predicate;
      }
    }

    /**
     * The trusted issuer, compared exactly (case-sensitive, no trailing-slash normalisation) with
     * the token's {@code iss}. A bare host name such as {@code tenant.us.auth0.com} is read as the
     * Auth0 issuer {@code https://tenant.us.auth0.com/}. Required.
     *
     * @throws IllegalArgumentException when blank or neither https nor a loopback http URI
     */
    public Builder issuer(String issuer) {
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
      BoundedHttpFetcher.requireSecure(URI.create(value), "issuer");
      this.issuer = value;
      return this;
    }

    /**
     * Auth0 in one line: sets the issuer to {@code https://{domain}/} and the JWKS URI to
     * {@code https://{domain}/.well-known/jwks.json}. Works for {@code tenant.us.auth0.com} and for
     * custom domains.
     */
    public Builder auth0(String domain) {
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
      issuer("https://" + host + "/");
      return jwksUri(URI.create("https://" + host + "/.well-known/jwks.json"));
    }

    /**
     * The API identifiers this API answers to; a token's {@code aud} must contain at least one.
     * Required: there is no way to skip the audience check.
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
     * Connect, then RFC 8414), falling back to {@code {issuer}.well-known/jwks.json}.
     *
     * @throws IllegalArgumentException unless https (http only for loopback hosts)
     */
    public Builder jwksUri(URI jwksUri) {
      this.jwksUri = BoundedHttpFetcher.requireSecure(Objects.requireNonNull(jwksUri, "jwksUri"), "jwksUri");
      return this;
    }

    /**
     * Uses this JWKS document as the issuer's keys instead of fetching them (for air-gapped APIs and
     * plain unit tests). The document is checked at {@link #build()}.
     */
    public Builder jwks(String jwksJson) {
      this.fixedJwks = Objects.requireNonNull(jwksJson, "jwksJson");
      return this;
    }

    /** The accepted signature algorithms, replacing the default (RS256 only). */
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

    /** Tolerance for clocks out of step, applied to {@code exp}, {@code nbf}, {@code iat}. Default 60 s, at most 5 min. */
    public Builder clockSkew(Duration skew) {
      Objects.requireNonNull(skew, "skew");
      if (skew.isNegative() || skew.compareTo(MAX_CLOCK_SKEW) > 0) {
        throw new IllegalArgumentException("clockSkew must be between 0 and 5 minutes, was " + skew);
      }
      this.clockSkew = skew;
      return this;
    }

    /** The clock for time checks and key-cache lifetimes. Default: the system UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Largest token accepted, checked before any parsing. Default 16 KiB; 256 B to 1 MiB. */
    public Builder maxTokenBytes(int maxTokenBytes) {
      if (maxTokenBytes < 256 || maxTokenBytes > 1024 * 1024) {
        throw new IllegalArgumentException("maxTokenBytes must be between 256 and 1048576");
      }
      this.maxTokenBytes = maxTokenBytes;
      return this;
    }

    /** Refuse tokens issued more than {@code maxAge} ago ({@code iat} becomes required). Default: no limit. */
    public Builder maxTokenAge(Duration maxAge) {
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("maxTokenAge must be positive");
      }
      this.maxTokenAge = maxAge;
      return this;
    }

    /** Claims that must be present (and not null), in addition to the built-in ones. */
    public Builder requiredClaims(String... claims) {
      for (String claim : Objects.requireNonNull(claims, "claims")) {
        requiredClaims.add(Objects.requireNonNull(claim, "claim"));
      }
      return this;
    }

    /**
     * An extra rule the verified token must satisfy, such as a tenant or an {@code acr} value; a
     * token that fails it is refused with {@code INVALID_CLAIM}. {@code description} appears in the
     * log detail. The predicate runs only on tokens that passed every other check, must be
     * thread-safe, and an exception it throws refuses the token. It is evaluated once per distinct
     * token string: a token served again from the verified-token cache is not re-evaluated.
     */
    public Builder require(String description, Predicate<AccessToken> rule) {
      claimRules.add(new ClaimRule(Objects.requireNonNull(description, "description"), Objects.requireNonNull(rule, "rule")));
      return this;
    }

    /**
     * The claims scopes are read from, replacing the default ({@code scope} and Auth0's
     * {@code permissions}). Each may hold a space-delimited string or an array of strings; use
     * {@code scp} for Okta and Entra.
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
     * are required. Default profile: {@code typ} may also be {@code JWT} or absent, which is what
     * Auth0 (default profile), Okta, Entra and Google send.
     */
    public Builder strictRfc9068() {
      this.strictRfc9068 = true;
      return this;
    }

    /**
     * The HTTP client for discovery and JWKS fetches (for a proxy or custom TLS). It must not
     * follow redirects: a redirect could send the fetch to another host, so the keys would come
     * from somewhere the issuer did not name.
     *
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

    /** Connect timeout (default 2 s) and deadline for one HTTP request (default 5 s); both positive. */
    public Builder httpTimeouts(Duration connect, Duration read) {
      this.connectTimeout = positive(connect, "connect");
      this.readTimeout = positive(read, "read");
      return this;
    }

    /**
     * Largest JWKS or discovery document (default 256 KiB, at least 1 KiB) and most keys in a JWKS
     * (default 100, at least 1).
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
     * how long a {@code kid} found missing is remembered (default 5 min); both positive.
     */
    public Builder unknownKeyRefetch(Duration interval, Duration rememberMissing) {
      this.unknownKidRefetchInterval = positive(interval, "interval");
      this.unknownKidMemory = positive(rememberMissing, "rememberMissing");
      return this;
    }

    /** Receives key-source events (fetches, failures, stale keys, suppressed refetches). */
    public Builder keySourceListener(KeySourceListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * A JCA provider used for signature checks only (for example a native one, which can verify
     * RSA about twice as fast as the JDK). Default: the JDK's providers.
     */
    public Builder signatureProvider(Provider provider) {
      this.signatureProvider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    /**
     * How many verified tokens to remember (default 10,000; 0 turns the cache off). Only the exact
     * same token string hits; on every hit its expiry, maximum age and signing key are checked again
     * on the verifier's clock, and required scopes are checked as always. Tokens up to 2048
     * characters count as one, longer ones as one per started 2048 characters; entries leave when
     * their token expires. Only verified tokens enter, so rejected tokens cannot evict good ones.
     * Must not be negative.
     */
    public Builder verifiedTokenCacheSize(int size) {
      if (size < 0) {
        throw new IllegalArgumentException("verifiedTokenCacheSize must not be negative");
      }
      this.verifiedTokenCacheSize = size;
      return this;
    }

    /**
     * Builds the verifier. Makes no network call (see {@link AccessTokenVerifier#warmUp()}).
     *
     * @throws IllegalStateException when the issuer or the audience is missing, when both {@link
     *     #jwks(String)} and a JWKS URI (or {@code auth0(...)}) are given, or when a JWKS given with
     *     {@link #jwks(String)} holds no usable key
     */
    public AccessTokenVerifier build() {
      if (issuer == null) {
        throw new IllegalStateException("issuer is required: the exact iss value of the tokens, e.g. https://tenant.auth0.com/");
      }
      if (audiences.isEmpty()) {
        throw new IllegalStateException("audience is required: the API identifier that aud must contain");
      }
      KeySource keys;
      if (fixedJwks != null) {
        if (jwksUri != null) {
          throw new IllegalStateException("set either jwks(...) or jwksUri(...), not both");
        }
        try {
          keys = KeySource.fixed(KeySet.parse(fixedJwks, maxKeys, signatureProvider, clock.instant()));
        } catch (ParseException e) {
          throw new IllegalStateException("the JWKS given to jwks(...) is unusable: " + e.getMessage());
        }
      } else {
        RemoteKeySource.Settings s = new RemoteKeySource.Settings();
        s.issuer = issuer;
        s.jwksUri = jwksUri;
        HttpClient client = httpClient != null ? httpClient : BoundedHttpFetcher.defaultClient(connectTimeout);
        s.fetcher = new BoundedHttpFetcher(client, readTimeout, maxJwksBytes);
        s.clock = clock;
        s.provider = signatureProvider;
        s.minTtl = minKeyCacheTtl;
        s.maxTtl = maxKeyCacheTtl;
        s.defaultTtl = defaultKeyCacheTtl;
        s.staleTolerance = staleKeyTolerance;
        s.refetchInterval = unknownKidRefetchInterval;
        s.negativeCacheTtl = unknownKidMemory;
        s.maxKeys = maxKeys;
        s.listener = listener;
        s.executor = keyFetchExecutor != null ? keyFetchExecutor : RemoteKeySource.defaultExecutor();
        keys = new RemoteKeySource(s);
      }
      return new DefaultAccessTokenVerifier(this, keys);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }

    static String lower(String s) {
      return s.toLowerCase(Locale.ROOT);
    }
  }
}
