package dev.tokenguard.spring.boot;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.http.ConfigurationReader;
import dev.tokenguard.http.ProtectedResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.Ordered;

/**
 * The {@code tokenguard.*} properties: what TokenGuard's Spring Boot auto-configuration protects
 * and how. The names and value grammar are those of the servlet filter's {@code web.xml} init
 * parameters ({@link ConfigurationReader}, which reads them here too), so a setting means the
 * same in both; only {@code enabled}, {@code filter-order} and the structured {@code rules} are
 * Spring Boot's own.
 *
 * <pre>{@code
 * tokenguard.issuer=https://tenant.us.auth0.com/
 * tokenguard.audience=https://example.com/health-api
 * tokenguard.public-paths=/api/public, /docs/*
 * tokenguard.rules[0].path=/api/patients
 * tokenguard.rules[0].all-scopes=read:patients
 * tokenguard.rules[1].path=/api/reports
 * tokenguard.rules[1].any-scope=read:reports, read:admin
 * }</pre>
 *
 * <p>Path rules fail safe (details on {@link ProtectedResource.Builder}): a rule covers its path and
 * everything below it; a public path is exact unless it ends in {@code /*}; the most specific rule
 * wins, whichever property it comes from; a path with no rule needs a valid token; one path given
 * two rules stops the application from starting.
 *
 * <p>Unknown {@code tokenguard.*} properties are refused at startup, so a misspelled setting cannot
 * silently drop a rule. Every other mistake (a missing issuer or audience, a malformed URI, scope
 * or path pattern) also stops the application from starting, with a message naming the property.
 * Lists take comma-separated values or YAML lists. Bound once at startup; not thread-safe while
 * being bound, read-only afterwards.
 */
// Its annotations are read by Spring, which the application brings; users need not read them.
@SuppressWarnings("exports")
@ConfigurationProperties(prefix = "tokenguard", ignoreUnknownFields = false)
public final class TokenGuardProperties {
  /**
   * The default {@link #getFilterOrder() filter order}: {@code Ordered.HIGHEST_PRECEDENCE + 10}.
   * After Spring Boot's character-encoding and observation filters, before its form-content and
   * hidden-method filters (which would consume a form body holding a token) and before Spring
   * Security's filter chain ({@code -100}).
   */
  public static final int DEFAULT_FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

  /** The prefix of every property, as messages name them. */
  static final String PREFIX = "tokenguard.";

  /**
   * Whether TokenGuard protects the application. When false, TokenGuard creates no bean and checks
   * no request.
   */
  private boolean enabled = true;

  /**
   * The exact "iss" of the tokens, compared case-sensitively without trailing-slash normalisation,
   * e.g. https://tenant.us.auth0.com/ (Auth0 keeps the trailing slash; Okta and Entra ID have
   * none). Required unless the application defines its own AccessTokenVerifier bean. The JWKS URI
   * is found through the issuer's discovery document unless jwks-uri is set.
   */
  private String issuer;

  /**
   * The API identifiers this API answers to: a token's "aud" must contain at least one, e.g.
   * https://example.com/health-api. Required unless the application defines its own
   * AccessTokenVerifier bean.
   */
  private List<String> audience = new ArrayList<>();

  /**
   * The issuer's JWKS URI: https, or http to a loopback host only. Default: found through the
   * issuer's discovery document.
   */
  private String jwksUri;

  /**
   * The claims scopes are read from, each a space-delimited string or an array. Default: scope,
   * scp and permissions; e.g. scp for Okta and Entra ID, or scope, scp and roles to count Entra ID
   * application permissions.
   */
  private List<String> scopeClaims = new ArrayList<>();

  /**
   * DPoP (RFC 9449): allowed (the default: the Bearer and DPoP schemes are both accepted, where
   * the application has a public-url), required (every path needs a DPoP-bound token with its
   * proof) or off.
   */
  private String dpop;

  /**
   * The JWS algorithms a DPoP proof may be signed with, e.g. ES256, PS256. Default: ES256, PS256,
   * RS256 and EdDSA; asymmetric ones only.
   */
  private List<String> dpopAlgorithms = new ArrayList<>();

  /**
   * Turns on server-provided DPoP nonces (RFC 9449 section 9): at least 32 random bytes in base64
   * or base64url, the same on every instance of the API (make one with: openssl rand -base64 32).
   * Give it indirectly: env:NAME reads the environment variable NAME, file:/path the file at that
   * path. Never logged nor put in a message.
   */
  private String dpopNonceSecret;

  /** The realm of every WWW-Authenticate challenge. Default: api. */
  private String realm;

  /**
   * Path patterns that need no token; their credentials are not looked at. Each opens exactly its
   * path, or with a final /* its path and everything below it, e.g. /api/public or /docs/*.
   */
  private List<String> publicPaths = new ArrayList<>();

  /**
   * Scope rules in the text grammar of the servlet filter's scope-rules init parameter, separated
   * by ";": pattern=scopes, where scopes separated by spaces or commas are all required and scopes
   * separated by "|" are alternatives, e.g. "/api/patients=read:patients;
   * /api/reports=read:reports|read:admin". Each rule covers its path and everything below it. The
   * same rules as tokenguard.rules, written as one line (handy in an environment variable).
   */
  private String scopeRules;

  /**
   * What a token needs on a path and everything below it, one entry per path: path with
   * all-scopes (every one required) or any-scope (one suffices), or neither (any valid token).
   */
  private List<Rule> rules = new ArrayList<>();

  /**
   * Whether CORS preflight requests (OPTIONS with Origin and Access-Control-Request-Method) pass
   * without a token, for the application's CORS handling to answer.
   */
  private boolean allowOptions;

  /**
   * Whether the token is also accepted in the access_token URI query parameter (RFC 6750 section
   * 2.3). Off by default: URIs end up in logs and Referer headers.
   */
  private boolean acceptQueryToken;

  /**
   * Whether the token is also accepted in the access_token parameter of a form body of a POST, PUT
   * or PATCH (RFC 6750 section 2.2).
   */
  private boolean acceptFormToken;

  /**
   * The Retry-After of a 503 answer when the issuer's keys are unavailable, in seconds, 1 to 3600.
   * Default: 30.
   */
  private Integer retryAfterSeconds;

  /**
   * The resource identifier this API publishes protected-resource metadata for (RFC 9728 section
   * 2, {@code resource}): an absolute https URI, by default the audience when there is exactly one.
   * Setting it, or public-url, resource-name or resource-documentation, publishes the metadata at
   * /.well-known/oauth-protected-resource and names it in every challenge.
   */
  private String resource;

  /**
   * The absolute URL clients reach this application at (scheme, host, port and context path): the
   * base of the resource_metadata URL in challenges (RFC 9728 section 5.1) and of the target URI a
   * DPoP proof's htu must name (RFC 9449 section 4.3). Never taken from the request's Host or
   * X-Forwarded-* headers. Default: the origin of the resource identifier; without one, DPoP is
   * not accepted.
   */
  private String publicUrl;

  /** A human-readable name of this API for the metadata's resource_name (RFC 9728 section 2). */
  private String resourceName;

  /** A URL of documentation for developers, the metadata's resource_documentation (RFC 9728 section 2). */
  private String resourceDocumentation;

  /**
   * The order of TokenGuard's servlet filter among the application's filters. Default:
   * Ordered.HIGHEST_PRECEDENCE + 10, before Spring Security's filter chain (-100).
   */
  private int filterOrder = DEFAULT_FILTER_ORDER;

  /** Properties start empty; Spring Boot binds them from the environment. */
  public TokenGuardProperties() {}

  /**
   * Whether TokenGuard protects the application ({@code tokenguard.enabled}).
   *
   * @return true unless switched off
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets {@code tokenguard.enabled}.
   *
   * @param enabled false to create no TokenGuard bean at all
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * The exact {@code iss} of the tokens ({@code tokenguard.issuer}).
   *
   * @return the issuer, or null when not set
   */
  public String getIssuer() {
    return issuer;
  }

  /**
   * Sets {@code tokenguard.issuer}.
   *
   * @param issuer the exact {@code iss}, e.g. {@code https://tenant.us.auth0.com/}
   */
  public void setIssuer(String issuer) {
    this.issuer = issuer;
  }

  /**
   * The API identifiers a token's {@code aud} must contain one of ({@code tokenguard.audience}).
   *
   * @return the audiences, in order; empty when not set
   */
  public List<String> getAudience() {
    return audience;
  }

  /**
   * Sets {@code tokenguard.audience}.
   *
   * @param audience one or more API identifiers
   */
  public void setAudience(List<String> audience) {
    this.audience = audience;
  }

  /**
   * The issuer's JWKS URI ({@code tokenguard.jwks-uri}).
   *
   * @return the URI as written, or null for discovery
   */
  public String getJwksUri() {
    return jwksUri;
  }

  /**
   * Sets {@code tokenguard.jwks-uri}.
   *
   * @param jwksUri an https URI (http to a loopback host only)
   */
  public void setJwksUri(String jwksUri) {
    this.jwksUri = jwksUri;
  }

  /**
   * The claims scopes are read from ({@code tokenguard.scope-claims}).
   *
   * @return the claim names; empty for the default {@code scope scp permissions}
   */
  public List<String> getScopeClaims() {
    return scopeClaims;
  }

  /**
   * Sets {@code tokenguard.scope-claims}.
   *
   * @param scopeClaims claim names, e.g. {@code scp}
   */
  public void setScopeClaims(List<String> scopeClaims) {
    this.scopeClaims = scopeClaims;
  }

  /**
   * Whether DPoP is allowed, required or off ({@code tokenguard.dpop}).
   *
   * @return {@code allowed}, {@code required} or {@code off}; null for the default ({@code allowed})
   */
  public String getDpop() {
    return dpop;
  }

  /**
   * Sets {@code tokenguard.dpop}.
   *
   * @param dpop {@code allowed}, {@code required} or {@code off}
   */
  public void setDpop(String dpop) {
    this.dpop = dpop;
  }

  /**
   * The algorithms a DPoP proof may be signed with ({@code tokenguard.dpop-algorithms}).
   *
   * @return JWS algorithm names; empty for the default {@code ES256 PS256 RS256 EdDSA}
   */
  public List<String> getDpopAlgorithms() {
    return dpopAlgorithms;
  }

  /**
   * Sets {@code tokenguard.dpop-algorithms}.
   *
   * @param dpopAlgorithms asymmetric JWS algorithm names, e.g. {@code ES256}
   */
  public void setDpopAlgorithms(List<String> dpopAlgorithms) {
    this.dpopAlgorithms = dpopAlgorithms;
  }

  /**
   * The secret server nonces are derived from ({@code tokenguard.dpop-nonce-secret}).
   *
   * @return the secret, {@code env:NAME} or {@code file:/path}; null for no nonces
   */
  public String getDpopNonceSecret() {
    return dpopNonceSecret;
  }

  /**
   * Sets {@code tokenguard.dpop-nonce-secret}.
   *
   * @param dpopNonceSecret at least 32 bytes in base64 or base64url, or {@code env:NAME} or {@code
   *     file:/path} naming where to read them
   */
  public void setDpopNonceSecret(String dpopNonceSecret) {
    this.dpopNonceSecret = dpopNonceSecret;
  }

  /**
   * The realm of every challenge ({@code tokenguard.realm}).
   *
   * @return the realm, or null for the default {@code api}
   */
  public String getRealm() {
    return realm;
  }

  /**
   * Sets {@code tokenguard.realm}.
   *
   * @param realm printable ASCII, e.g. {@code health-api}
   */
  public void setRealm(String realm) {
    this.realm = realm;
  }

  /**
   * The path patterns that need no token ({@code tokenguard.public-paths}).
   *
   * @return the patterns; empty when not set
   */
  public List<String> getPublicPaths() {
    return publicPaths;
  }

  /**
   * Sets {@code tokenguard.public-paths}.
   *
   * @param publicPaths patterns, each exact or ending in {@code /*}
   */
  public void setPublicPaths(List<String> publicPaths) {
    this.publicPaths = publicPaths;
  }

  /**
   * The scope rules in the servlet filter's text grammar ({@code tokenguard.scope-rules}).
   *
   * @return the rules as written, or null when not set
   */
  public String getScopeRules() {
    return scopeRules;
  }

  /**
   * Sets {@code tokenguard.scope-rules}.
   *
   * @param scopeRules {@code pattern=scopes} rules separated by {@code ;}
   */
  public void setScopeRules(String scopeRules) {
    this.scopeRules = scopeRules;
  }

  /**
   * The structured path rules ({@code tokenguard.rules[n]}).
   *
   * @return the rules, in order; empty when not set
   */
  public List<Rule> getRules() {
    return rules;
  }

  /**
   * Sets {@code tokenguard.rules}.
   *
   * @param rules one rule per path
   */
  public void setRules(List<Rule> rules) {
    this.rules = rules;
  }

  /**
   * Whether CORS preflights pass without a token ({@code tokenguard.allow-options}).
   *
   * @return false unless switched on
   */
  public boolean isAllowOptions() {
    return allowOptions;
  }

  /**
   * Sets {@code tokenguard.allow-options}.
   *
   * @param allowOptions true to let CORS preflights through
   */
  public void setAllowOptions(boolean allowOptions) {
    this.allowOptions = allowOptions;
  }

  /**
   * Whether a token in the URI query is accepted ({@code tokenguard.accept-query-token}, RFC 6750
   * section 2.3).
   *
   * @return false unless switched on
   */
  public boolean isAcceptQueryToken() {
    return acceptQueryToken;
  }

  /**
   * Sets {@code tokenguard.accept-query-token}.
   *
   * @param acceptQueryToken true to accept {@code access_token} in the query
   */
  public void setAcceptQueryToken(boolean acceptQueryToken) {
    this.acceptQueryToken = acceptQueryToken;
  }

  /**
   * Whether a token in a form body is accepted ({@code tokenguard.accept-form-token}, RFC 6750
   * section 2.2).
   *
   * @return false unless switched on
   */
  public boolean isAcceptFormToken() {
    return acceptFormToken;
  }

  /**
   * Sets {@code tokenguard.accept-form-token}.
   *
   * @param acceptFormToken true to accept {@code access_token} in a form body
   */
  public void setAcceptFormToken(boolean acceptFormToken) {
    this.acceptFormToken = acceptFormToken;
  }

  /**
   * The {@code Retry-After} of a 503, in seconds ({@code tokenguard.retry-after-seconds}).
   *
   * @return 1 to 3600, or null for the default 30
   */
  public Integer getRetryAfterSeconds() {
    return retryAfterSeconds;
  }

  /**
   * Sets {@code tokenguard.retry-after-seconds}.
   *
   * @param retryAfterSeconds seconds, 1 to 3600
   */
  public void setRetryAfterSeconds(Integer retryAfterSeconds) {
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * The resource identifier of the published metadata ({@code tokenguard.resource}).
   *
   * @return an absolute https URI, or null for the default
   */
  public String getResource() {
    return resource;
  }

  /**
   * Sets {@code tokenguard.resource}.
   *
   * @param resource an absolute https URI (RFC 9728 section 1.2)
   */
  public void setResource(String resource) {
    this.resource = resource;
  }

  /**
   * The base of the {@code resource_metadata} URL ({@code tokenguard.public-url}).
   *
   * @return an absolute URL, or null for the default
   */
  public String getPublicUrl() {
    return publicUrl;
  }

  /**
   * Sets {@code tokenguard.public-url}.
   *
   * @param publicUrl an absolute https URL (http only for a loopback host), with the context path
   */
  public void setPublicUrl(String publicUrl) {
    this.publicUrl = publicUrl;
  }

  /**
   * The metadata's {@code resource_name} ({@code tokenguard.resource-name}).
   *
   * @return the name, or null for none
   */
  public String getResourceName() {
    return resourceName;
  }

  /**
   * Sets {@code tokenguard.resource-name}.
   *
   * @param resourceName a human-readable name
   */
  public void setResourceName(String resourceName) {
    this.resourceName = resourceName;
  }

  /**
   * The metadata's {@code resource_documentation} ({@code tokenguard.resource-documentation}).
   *
   * @return a URL, or null for none
   */
  public String getResourceDocumentation() {
    return resourceDocumentation;
  }

  /**
   * Sets {@code tokenguard.resource-documentation}.
   *
   * @param resourceDocumentation an absolute URL
   */
  public void setResourceDocumentation(String resourceDocumentation) {
    this.resourceDocumentation = resourceDocumentation;
  }

  /**
   * The order of TokenGuard's servlet filter ({@code tokenguard.filter-order}).
   *
   * @return the order; {@link #DEFAULT_FILTER_ORDER} unless set
   */
  public int getFilterOrder() {
    return filterOrder;
  }

  /**
   * Sets {@code tokenguard.filter-order}.
   *
   * @param filterOrder a Spring {@link Ordered} value; lower runs earlier
   */
  public void setFilterOrder(int filterOrder) {
    this.filterOrder = filterOrder;
  }

  /**
   * The settings {@link ConfigurationReader} reads, by its names: only those set, lists joined
   * with spaces (the reader splits them on spaces and commas).
   */
  Map<String, String> readerSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    put(settings, "issuer", issuer);
    put(settings, "audience", join(audience));
    put(settings, "jwks-uri", jwksUri);
    put(settings, "scope-claims", join(scopeClaims));
    put(settings, "dpop", dpop);
    put(settings, "dpop-algorithms", join(dpopAlgorithms));
    put(settings, "dpop-nonce-secret", dpopNonceSecret);
    put(settings, "realm", realm);
    put(settings, "public-paths", join(publicPaths));
    put(settings, "scope-rules", scopeRules);
    put(settings, "allow-options", allowOptions ? "true" : null);
    put(settings, "accept-query-token", acceptQueryToken ? "true" : null);
    put(settings, "accept-form-token", acceptFormToken ? "true" : null);
    put(settings, "retry-after-seconds", retryAfterSeconds == null ? null : retryAfterSeconds.toString());
    put(settings, "resource", resource);
    put(settings, "public-url", publicUrl);
    put(settings, "resource-name", resourceName);
    put(settings, "resource-documentation", resourceDocumentation);
    return settings;
  }

  /** The reader over these properties, naming each setting as its property. */
  ConfigurationReader reader() {
    Map<String, String> settings = readerSettings();
    return ConfigurationReader.of(settings.keySet(), settings::get, name -> PREFIX + name);
  }

  /**
   * A verifier builder from {@code issuer}, {@code audience}, {@code jwks-uri} and {@code
   * scope-claims}.
   *
   * @throws TokenGuardConfigurationException naming the property that is missing or malformed
   */
  AccessTokenVerifier.Builder verifierBuilder() {
    try {
      return reader().verifierBuilder();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new TokenGuardConfigurationException(e.getMessage(), e);
    }
  }

  /**
   * The protected resource over {@code verifier}: the reader's settings, then {@link #getRules()}.
   * The resource does not own {@code verifier}.
   *
   * @throws TokenGuardConfigurationException naming the property that is malformed or conflicts
   */
  ProtectedResource protectedResource(AccessTokenVerifier verifier) {
    ProtectedResource.Builder resource;
    try {
      resource = reader().resourceBuilder(verifier);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new TokenGuardConfigurationException(e.getMessage(), e);
    }
    for (int i = 0; i < rules.size(); i++) {
      rules.get(i).addTo(resource, PREFIX + "rules[" + i + "]");
    }
    return resource.build();
  }

  private static void put(Map<String, String> settings, String name, String value) {
    if (value != null && !value.isBlank()) {
      settings.put(name, value);
    }
  }

  private static String join(List<String> values) {
    return values == null ? null : String.join(" ", values);
  }

  /**
   * One structured path rule, {@code tokenguard.rules[n]}: what a token needs on {@link #getPath()}
   * and everything below it. With {@link #getAllScopes() all-scopes} every scope is required
   * ({@link Requirement#allScopes}), with {@link #getAnyScope() any-scope} one suffices ({@link
   * Requirement#anyScope}); with neither, any valid token passes (which also keeps a shorter public
   * {@code /*} pattern from opening the path). Setting both stops the application from starting.
   */
  public static final class Rule {
    /**
     * The path pattern the rule covers, with everything below it: starts with /, may end in /*
     * (the same), e.g. /api/patients. Required.
     */
    private String path;

    /** Scopes the token must all carry, e.g. read:patients. */
    private List<String> allScopes = new ArrayList<>();

    /** Scopes of which the token must carry at least one, e.g. read:reports, read:admin. */
    private List<String> anyScope = new ArrayList<>();

    /** A rule starts empty; Spring Boot binds it from the environment. */
    public Rule() {}

    /**
     * The path pattern ({@code tokenguard.rules[n].path}).
     *
     * @return the pattern, or null when not set
     */
    public String getPath() {
      return path;
    }

    /**
     * Sets {@code tokenguard.rules[n].path}.
     *
     * @param path a pattern starting with {@code /}, e.g. {@code /api/patients}
     */
    public void setPath(String path) {
      this.path = path;
    }

    /**
     * The scopes a token must all carry ({@code tokenguard.rules[n].all-scopes}).
     *
     * @return the scopes; empty when not set
     */
    public List<String> getAllScopes() {
      return allScopes;
    }

    /**
     * Sets {@code tokenguard.rules[n].all-scopes}.
     *
     * @param allScopes RFC 6750 scope tokens, every one required
     */
    public void setAllScopes(List<String> allScopes) {
      this.allScopes = allScopes;
    }

    /**
     * The scopes of which a token must carry one ({@code tokenguard.rules[n].any-scope}).
     *
     * @return the scopes; empty when not set
     */
    public List<String> getAnyScope() {
      return anyScope;
    }

    /**
     * Sets {@code tokenguard.rules[n].any-scope}.
     *
     * @param anyScope RFC 6750 scope tokens, one of which suffices
     */
    public void setAnyScope(List<String> anyScope) {
      this.anyScope = anyScope;
    }

    /** Adds this rule to {@code resource}; {@code name} is how messages name it. */
    void addTo(ProtectedResource.Builder resource, String name) {
      if (path == null || path.isBlank()) {
        throw new TokenGuardConfigurationException(name + ".path is required: the path pattern the rule covers, e.g. /api/patients");
      }
      boolean all = allScopes != null && !allScopes.isEmpty();
      boolean any = anyScope != null && !anyScope.isEmpty();
      if (all && any) {
        throw new TokenGuardConfigurationException(name + ": set all-scopes (every one required) or any-scope (one suffices), not both");
      }
      String pattern = path.trim();
      try {
        if (all) {
          resource.requireScopes(pattern, allScopes.toArray(new String[0]));
        } else if (any) {
          resource.requireAnyScope(pattern, anyScope.toArray(new String[0]));
        } else {
          resource.require(pattern, Requirement.none());
        }
      } catch (IllegalArgumentException e) {
        throw new TokenGuardConfigurationException(name + ": " + e.getMessage(), e);
      }
    }
  }
}
