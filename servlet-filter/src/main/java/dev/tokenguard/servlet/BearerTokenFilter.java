package dev.tokenguard.servlet;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jakarta Servlet filter that lets a request through only with a valid OAuth 2.0 bearer access
 * token, and otherwise answers exactly as RFC 6750 section 3 says.
 *
 * <p>In code:
 *
 * <pre>{@code
 * Filter filter = BearerTokenFilter.builder(verifier)
 *     .realm("health-api")
 *     .permit("/api/public")                              // no token looked at
 *     .requireScopes("/api/patients/*", "read:patients")  // every listed scope
 *     .requireAnyScope("/api/reports/*", "read:reports", "admin")
 *     .build();                                           // any other path: a valid token
 * }</pre>
 *
 * <p>Or in {@code web.xml} (or a registration's init parameters), without code; the filter then
 * builds its own verifier:
 *
 * <pre>{@code
 * <filter>
 *   <filter-name>tokenguard</filter-name>
 *   <filter-class>dev.tokenguard.servlet.BearerTokenFilter</filter-class>
 *   <init-param><param-name>issuer</param-name><param-value>https://tenant.us.auth0.com/</param-value></init-param>
 *   <init-param><param-name>audience</param-name><param-value>https://example.com/health-api</param-value></init-param>
 *   <init-param><param-name>realm</param-name><param-value>health-api</param-value></init-param>
 *   <init-param><param-name>public-paths</param-name><param-value>/api/public</param-value></init-param>
 *   <init-param><param-name>scope-rules</param-name>
 *     <param-value>/api/patients/*=read:patients; /api/admin/*=read:admin</param-value></init-param>
 * </filter>
 * <filter-mapping><filter-name>tokenguard</filter-name><url-pattern>/*</url-pattern></filter-mapping>
 * }</pre>
 *
 * <p>Init parameters: {@code issuer} and {@code audience} (required; several audiences separated
 * by commas or spaces), {@code jwks-uri} (default: discovery from the issuer), {@code realm}
 * (default {@code api}), {@code public-paths} (patterns separated by commas or spaces),
 * {@code scope-rules} ({@code pattern=scopes} separated by {@code ;}; scopes separated by spaces or
 * commas are all required, scopes separated by {@code |} are alternatives), {@code allow-options}
 * ({@code true} lets CORS preflights through), {@code accept-query-token} and
 * {@code accept-form-token} ({@code true} enables those RFC 6750 methods), and
 * {@code retry-after-seconds}. An unknown parameter name stops the filter from starting, so a
 * typo cannot silently drop a rule.
 *
 * <p>Path patterns are matched against the path within the application (servlet path plus path
 * info), like servlet mappings: {@code /api/public} matches that path only, {@code /api/patients/*}
 * matches {@code /api/patients} and everything below it; an exact pattern beats a prefix, the
 * longest prefix wins.
 *
 * <p>Answers: no bearer credentials (or another scheme such as Basic): 401 with
 * {@code WWW-Authenticate: Bearer realm="..."} and no error; a malformed request (two
 * {@code Authorization} headers, {@code Bearer} without a token, a token sent by two methods, a
 * repeated or disabled {@code access_token} query parameter): 400 {@code invalid_request}; a token
 * that fails verification: 401 {@code invalid_token}; a valid token without the scope a path
 * needs: 403 {@code insufficient_scope} with {@code scope="..."}; the issuer's keys unavailable:
 * 503 with {@code Retry-After} and a challenge without an error. Each body is a small JSON object,
 * {@code {"error":"...","error_description":"..."}} ({@code error} is absent when there were no
 * credentials). Descriptions are fixed sentences; nothing from the request is echoed.
 *
 * <p>On success the application sees the verified {@link AccessToken} through
 * {@link #accessToken(ServletRequest)} (the request attribute {@link #ACCESS_TOKEN_ATTRIBUTE});
 * {@code getUserPrincipal()} and {@code getRemoteUser()} name the token's {@code sub}, and
 * {@code isUserInRole(x)} answers whether the token carries scope {@code x}.
 *
 * <p>Thread-safe: one instance serves all requests. Rejections are logged at DEBUG without the
 * token.
 */
public final class BearerTokenFilter implements Filter {
  /**
   * The request attribute holding the verified {@link AccessToken} after the filter accepted the
   * request. Prefer {@link #accessToken(ServletRequest)}.
   */
  public static final String ACCESS_TOKEN_ATTRIBUTE = "dev.tokenguard.AccessToken";

  static final String DEFAULT_REALM = "api";
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(30);
  static final String MALFORMED_TOKEN_DESCRIPTION = "The access token is malformed.";
  static final String MISSING_ALL_DESCRIPTION = "The access token lacks the scope this request requires.";
  static final String MISSING_ANY_DESCRIPTION = "The access token lacks every scope this request accepts.";

  private static final Logger LOG = LoggerFactory.getLogger(BearerTokenFilter.class);

  /** Everything the filter needs; immutable. */
  static final class Settings {
    final AccessTokenVerifier verifier;
    final String realm;
    final PathRules rules;
    final BearerTokenExtractor extractor;
    final boolean allowPreflight;
    final long retryAfterSeconds;

    Settings(AccessTokenVerifier verifier, String realm, PathRules rules, BearerTokenExtractor extractor,
        boolean allowPreflight, long retryAfterSeconds) {
      this.verifier = verifier;
      this.realm = realm;
      this.rules = rules;
      this.extractor = extractor;
      this.allowPreflight = allowPreflight;
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  private volatile Settings settings;

  /**
   * For containers that create the filter from {@code web.xml} or a registration by class name:
   * the filter configures itself from its init parameters in {@link #init(FilterConfig)}. In code,
   * use {@link #builder(AccessTokenVerifier)}.
   */
  public BearerTokenFilter() {}

  private BearerTokenFilter(Settings settings) {
    this.settings = settings;
  }

  /**
   * A builder for a filter that checks tokens with {@code verifier}.
   *
   * @throws NullPointerException when {@code verifier} is null
   */
  public static Builder builder(AccessTokenVerifier verifier) {
    return new Builder(Objects.requireNonNull(verifier, "verifier"));
  }

  /**
   * The verified token of a request this filter accepted; empty on public paths, on CORS
   * preflights let through, and on requests the filter did not see.
   *
   * @throws NullPointerException when {@code request} is null
   */
  public static Optional<AccessToken> accessToken(ServletRequest request) {
    Object value = Objects.requireNonNull(request, "request").getAttribute(ACCESS_TOKEN_ATTRIBUTE);
    return value instanceof AccessToken ? Optional.of((AccessToken) value) : Optional.empty();
  }

  /**
   * Configures the filter from its init parameters, unless it was made by {@link #builder}, in
   * which case the init parameters are ignored.
   *
   * @throws ServletException when a parameter is missing, unknown or malformed (the message says
   *     which)
   */
  @Override
  public void init(FilterConfig config) throws ServletException {
    if (settings != null) {
      return;
    }
    try {
      settings = InitParameters.read(config).settings();
    } catch (RuntimeException e) {
      throw new ServletException("BearerTokenFilter " + config.getFilterName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Lets the request through (public path, CORS preflight when allowed, or a verified token with
   * the scopes its path requires), or answers it per RFC 6750 without calling {@code chain}: 400,
   * 401, 403, or 503 with {@code Retry-After} when the issuer's keys are unavailable. A rejected
   * token never causes an exception.
   *
   * @throws ServletException when the filter was neither built nor initialised, or the request
   *     is not an HTTP request
   * @throws IOException when writing the answer or reading a form body fails, or from {@code chain}
   */
  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Settings s = settings;
    if (s == null) {
      throw new ServletException("BearerTokenFilter was not initialised: build it with BearerTokenFilter.builder(verifier) or give it init parameters");
    }
    if (!(request instanceof HttpServletRequest) || !(response instanceof HttpServletResponse)) {
      throw new ServletException("BearerTokenFilter handles HTTP requests only");
    }
    HttpServletRequest req = (HttpServletRequest) request;
    HttpServletResponse res = (HttpServletResponse) response;

    if (s.allowPreflight && isCorsPreflight(req)) {
      chain.doFilter(req, res);
      return;
    }
    PathRules.Rule rule = s.rules.match(pathWithinApplication(req));
    if (rule.access == PathRules.Access.PUBLIC) {
      chain.doFilter(req, res);
      return;
    }

    BearerTokenExtractor.Result found = s.extractor.extract(req);
    switch (found.outcome) {
      case NONE:
        refuse(s, res, Challenge.noCredentials(), "no bearer token");
        return;
      case INVALID_REQUEST:
        refuse(s, res, Challenge.invalidRequest(found.description), found.description);
        return;
      case MALFORMED_TOKEN:
        refuse(s, res, Challenge.invalidToken(MALFORMED_TOKEN_DESCRIPTION), "characters outside b64token");
        return;
      case TOKEN:
      default:
        break;
    }

    AccessToken token;
    try {
      token = s.verifier.verify(found.token);
    } catch (TokenVerificationException e) {
      refuse(s, res, challengeFor(e, s.retryAfterSeconds), e.reason().name());
      return;
    }

    Challenge missingScope = checkScopes(rule, token);
    if (missingScope != null) {
      refuse(s, res, missingScope, "missing scope for " + rule.pattern);
      return;
    }

    HttpServletRequest accepted = found.request;
    accepted.setAttribute(ACCESS_TOKEN_ATTRIBUTE, token);
    if (found.fromQuery) {
      // RFC 6750 2.3: a response to a request carrying the token in the URI should not be shared.
      res.setHeader("Cache-Control", "private");
    }
    chain.doFilter(new AuthenticatedRequest(accepted, token), res);
  }

  /** Does nothing: the filter holds no resources of its own. */
  @Override
  public void destroy() {}

  static Challenge challengeFor(TokenVerificationException e, long retryAfterSeconds) {
    if (e.isRetryable()) {
      return Challenge.unavailable(e.safeDescription(), retryAfterSeconds);
    }
    if (e.httpStatus() == 403) {
      return Challenge.insufficientScope(e.safeDescription(), e.requiredScopes());
    }
    return Challenge.invalidToken(e.safeDescription());
  }

  private static Challenge checkScopes(PathRules.Rule rule, AccessToken token) {
    switch (rule.access) {
      case ALL_SCOPES:
        for (String scope : rule.scopes) {
          if (!token.hasScope(scope)) {
            return Challenge.insufficientScope(MISSING_ALL_DESCRIPTION, rule.scopes);
          }
        }
        return null;
      case ANY_SCOPE:
        for (String scope : rule.scopes) {
          if (token.hasScope(scope)) {
            return null;
          }
        }
        return Challenge.insufficientScope(MISSING_ANY_DESCRIPTION, rule.scopes);
      default:
        return null;
    }
  }

  private static void refuse(Settings s, HttpServletResponse res, Challenge challenge, String why) throws IOException {
    if (LOG.isDebugEnabled()) {
      LOG.debug("Refused a request: {} {} ({})", challenge.status,
          challenge.challengeError != null ? challenge.challengeError : challenge.bodyError != null ? challenge.bodyError : "no credentials", why);
    }
    challenge.send(res, s.realm);
  }

  private static boolean isCorsPreflight(HttpServletRequest req) {
    return "OPTIONS".equals(req.getMethod())
        && req.getHeader("Origin") != null
        && req.getHeader("Access-Control-Request-Method") != null;
  }

  /** The servlet path plus the path info: decoded and normalised by the container. */
  static String pathWithinApplication(HttpServletRequest req) {
    String servletPath = req.getServletPath();
    String pathInfo = req.getPathInfo();
    String path = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    return path.isEmpty() ? "/" : path;
  }

  /**
   * Configures a {@link BearerTokenFilter}. Not thread-safe. Setters check their arguments at once
   * and throw {@link IllegalArgumentException} (or {@link NullPointerException} for a null);
   * setting the realm or retry delay twice throws {@link IllegalStateException}, and giving one
   * path pattern two rules is refused: an error rather than a silent overwrite.
   */
  public static final class Builder {
    private final AccessTokenVerifier verifier;
    private final PathRules.Builder rules = new PathRules.Builder();
    private String realm;
    private Duration retryAfter;
    private boolean allowPreflight;
    private boolean acceptQuery;
    private boolean acceptForm;

    private Builder(AccessTokenVerifier verifier) {
      this.verifier = verifier;
    }

    /**
     * The {@code realm} of every challenge (default {@code api}): printable ASCII; quotes and
     * backslashes are escaped on output.
     */
    public Builder realm(String realm) {
      Objects.requireNonNull(realm, "realm");
      if (this.realm != null) {
        throw new IllegalStateException("realm was already set to " + this.realm);
      }
      if (realm.isEmpty()) {
        throw new IllegalArgumentException("realm must not be empty");
      }
      for (int i = 0; i < realm.length(); i++) {
        char c = realm.charAt(i);
        if (c < 0x20 || c > 0x7e) {
          throw new IllegalArgumentException("realm must be printable ASCII");
        }
      }
      this.realm = realm;
      return this;
    }

    /** Paths that need no token; the filter does not look at their credentials at all. */
    public Builder permit(String... patterns) {
      Objects.requireNonNull(patterns, "patterns");
      if (patterns.length == 0) {
        throw new IllegalArgumentException("permit needs at least one path pattern");
      }
      for (String pattern : patterns) {
        rules.add(pattern, PathRules.Access.PUBLIC, List.of());
      }
      return this;
    }

    /** Paths whose token must carry every one of {@code scopes}. */
    public Builder requireScopes(String pattern, String... scopes) {
      rules.add(pattern, PathRules.Access.ALL_SCOPES, checkScopes(scopes));
      return this;
    }

    /** Paths whose token must carry at least one of {@code scopes}. */
    public Builder requireAnyScope(String pattern, String... scopes) {
      rules.add(pattern, PathRules.Access.ANY_SCOPE, checkScopes(scopes));
      return this;
    }

    /**
     * Lets CORS preflight requests ({@code OPTIONS} with {@code Origin} and
     * {@code Access-Control-Request-Method}) through without a token, for a CORS filter or servlet
     * behind this one to answer. Other {@code OPTIONS} requests still need a token. Default: off.
     * Any client can send such a request, so whatever answers {@code OPTIONS} behind the filter
     * must answer the preflight only and serve no data.
     */
    public Builder permitCorsPreflight() {
      this.allowPreflight = true;
      return this;
    }

    /**
     * Also accepts the token in the {@code access_token} URI query parameter (RFC 6750 2.3);
     * responses then carry {@code Cache-Control: private}. Default: off, since URIs end up in
     * logs and {@code Referer} headers (OAuth 2.1 removes this method). While off, a request with
     * that parameter gets 400 {@code invalid_request}.
     */
    public Builder acceptQueryParameter() {
      this.acceptQuery = true;
      return this;
    }

    /**
     * Also accepts the token in the {@code access_token} parameter of an
     * {@code application/x-www-form-urlencoded} body of a POST, PUT or PATCH (RFC 6750 2.2). The
     * filter then reads such bodies (up to 64 KiB) itself and replays them to the application.
     * Default: off.
     */
    public Builder acceptFormBody() {
      this.acceptForm = true;
      return this;
    }

    /** The {@code Retry-After} of a 503 when the issuer's keys are unavailable (default 30 s; 1 s to 1 h). */
    public Builder retryAfter(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (this.retryAfter != null) {
        throw new IllegalStateException("retryAfter was already set to " + this.retryAfter);
      }
      if (delay.compareTo(Duration.ofSeconds(1)) < 0 || delay.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("retryAfter must be between 1 second and 1 hour, was " + delay);
      }
      this.retryAfter = delay;
      return this;
    }

    /** The filter; immutable and thread-safe. */
    public BearerTokenFilter build() {
      return new BearerTokenFilter(settings());
    }

    Settings settings() {
      return new Settings(
          verifier,
          realm != null ? realm : DEFAULT_REALM,
          rules.build(),
          new BearerTokenExtractor(acceptQuery, acceptForm),
          allowPreflight,
          (retryAfter != null ? retryAfter : DEFAULT_RETRY_AFTER).toSeconds());
    }

    private static List<String> checkScopes(String... scopes) {
      Objects.requireNonNull(scopes, "scopes");
      if (scopes.length == 0) {
        throw new IllegalArgumentException("a scope rule needs at least one scope");
      }
      List<String> out = new ArrayList<>(scopes.length);
      for (String scope : scopes) {
        Objects.requireNonNull(scope, "scope");
        if (scope.isEmpty()) {
          throw new IllegalArgumentException("a scope must not be empty");
        }
        for (int i = 0; i < scope.length(); i++) {
          if (!Challenge.isScopeChar(scope.charAt(i))) {
            throw new IllegalArgumentException("a scope is printable ASCII without spaces, quotes or backslashes (RFC 6750 3): " + scope);
          }
        }
        out.add(scope);
      }
      return out;
    }
  }
}
