package dev.tokenguard.servlet;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.http.Answer;
import dev.tokenguard.http.ConfigurationReader;
import dev.tokenguard.http.Decision;
import dev.tokenguard.http.ProtectedResource;
import dev.tokenguard.http.ProtectedResourceMetadata;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Jakarta Servlet filter that lets a request through only with a valid OAuth 2.0 bearer access
 * token, and otherwise answers exactly as RFC 6750 section 3 says. It is a thin adapter over the
 * framework-neutral {@link ProtectedResource} (module {@code tokenguard-http}), which holds every
 * rule; other adapters built on it answer the same requests the same way.
 *
 * <p>In code:
 *
 * <pre>{@code
 * Filter filter = BearerTokenFilter.builder(verifier)
 *     .realm("health-api")
 *     .permit("/api/public")                              // that path only, no token looked at
 *     .requireScopes("/api/patients", "read:patients")    // the path and everything below it
 *     .requireAnyScope("/api/reports", "read:reports", "admin")
 *     .build();                                           // any other path: a valid token
 * }</pre>
 *
 * <p>Or in {@code web.xml} (or a registration's init parameters), without code; the filter then
 * builds its own verifier, and closes it in {@link #destroy()}:
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
 *     <param-value>/api/patients=read:patients; /api/admin=read:admin</param-value></init-param>
 * </filter>
 * <filter-mapping><filter-name>tokenguard</filter-name><url-pattern>/*</url-pattern></filter-mapping>
 * }</pre>
 *
 * <p>Init parameters are those of {@link ConfigurationReader}: {@code issuer} and {@code audience}
 * (required; several audiences separated by commas or spaces), {@code jwks-uri} (default:
 * discovery from the issuer), {@code scope-claims} (default {@code scope scp permissions}; e.g.
 * {@code scp} for Okta and Entra ID), {@code realm} (default {@code api}), {@code public-paths}
 * (patterns separated by commas or spaces), {@code scope-rules} ({@code pattern=scopes} separated
 * by {@code ;}; scopes separated by spaces or commas are all required, scopes separated by {@code
 * |} are alternatives), {@code allow-options} ({@code true} lets CORS preflights through), {@code
 * accept-query-token} and {@code accept-form-token} ({@code true} enables those RFC 6750 methods),
 * {@code retry-after-seconds}, and the protected-resource metadata settings {@code resource},
 * {@code public-url}, {@code resource-name} and {@code resource-documentation}. {@code scope-rules}
 * items may also require step-up authentication: {@code /api/records=read:patients
 * acr=urn:example:mfa max-age=300} (grammar on {@link ConfigurationReader}), and DPoP: {@code
 * /api/transfers=write:transfers dpop=required}. The DPoP settings {@code dpop} ({@code allowed},
 * the default, {@code required} or {@code off}), {@code dpop-algorithms} and {@code
 * dpop-nonce-secret} ({@code env:NAME} or {@code file:/path}, so the secret stays out of {@code
 * web.xml}) configure the verifier the filter builds. An unknown parameter name stops the filter
 * from starting, so a typo cannot silently drop a rule.
 *
 * <p>Path patterns are matched against the path within the application (servlet path plus path
 * info, decoded and normalised by the container) and fail safe (details on {@link
 * ProtectedResource.Builder}): a scope rule covers its path and everything below it ({@code
 * /api/orders} covers {@code /api/orders/42}; {@code /api/orders/*} means the same); a public
 * pattern opens exactly its path unless it ends in {@code /*}; the most specific rule wins; any
 * other path needs a valid token.
 *
 * <p>Answers: no bearer credentials (or another scheme such as Basic): 401 with {@code
 * WWW-Authenticate: Bearer realm="..."} and no error; a malformed request (two {@code
 * Authorization} headers, {@code Bearer} without a token, a token sent without the {@code Bearer}
 * scheme, a token sent by two methods, a repeated or disabled {@code access_token} query
 * parameter): 400 {@code invalid_request}; a token that fails verification: 401 {@code
 * invalid_token}; a valid token whose user authentication is not strong or recent enough for the
 * path: 401 {@code insufficient_user_authentication} with {@code acr_values} and {@code max_age}
 * (RFC 9470); a valid token without the scope a path needs: 403 {@code insufficient_scope} with
 * {@code scope="..."}; the issuer's keys unavailable: 503 with {@code Retry-After} and a challenge
 * without an error. Each body is a small JSON object, {@code
 * {"error":"...","error_description":"..."}} ({@code error} is absent when there were no
 * credentials). Descriptions are fixed sentences; nothing from the request is echoed.
 *
 * <p><b>Sender-constrained tokens.</b> With a {@link Builder#publicUrl public URL} (or published
 * metadata, whose resource identifier's origin is the default one) the filter also accepts
 * DPoP-bound tokens sent as {@code Authorization: DPoP <token>} with their proof in the {@code
 * DPoP} header (RFC 9449), as the verifier's DPoP policy says, and challenges with {@code Bearer}
 * and {@code DPoP} (answers on {@link ProtectedResource}). The target URI a proof's {@code htu}
 * must name is the public URL followed by the request URI as sent without the context path; the
 * {@code Host} and {@code X-Forwarded-*} headers are never used. A certificate-bound token (RFC
 * 8705) is checked against the TLS client certificate the container puts in the request attribute
 * {@code jakarta.servlet.request.X509Certificate}: terminate mutual TLS in the container (or have
 * the proxy in front pass the certificate to the container on a channel clients cannot write to,
 * such as Tomcat's {@code SSLValve} or Jetty's {@code SecureRequestCustomizer} behind a trusted
 * proxy). Behind the filter, {@code getAuthType()} is {@code Bearer} or {@code DPoP}, and a DPoP
 * answer carries {@code DPoP-Nonce} when the verifier hands out nonces.
 *
 * <p>With {@link Builder#publishMetadata published} protected-resource metadata (RFC 9728), the
 * filter itself answers {@code GET} and {@code HEAD} of {@code /.well-known/oauth-protected-resource}
 * (and of that path followed by the resource identifier's path) with the JSON document, and every
 * challenge carries {@code resource_metadata="..."}; map the filter to {@code /*} so it sees those
 * paths.
 *
 * <p>On success the application sees the verified {@link AccessToken} through {@link
 * #accessToken(ServletRequest)} (the request attribute {@link #ACCESS_TOKEN_ATTRIBUTE}); {@code
 * getUserPrincipal()} and {@code getRemoteUser()} name the token's {@code sub}, {@code
 * isUserInRole(x)} answers whether the token carries scope {@code x}, and {@code getAuthType()}
 * is the scheme the token came with ({@code Bearer} or {@code DPoP}).
 *
 * <p>Thread-safe: one instance serves all requests. Rejections are logged at DEBUG (logger {@code
 * dev.tokenguard.http.ProtectedResource}) without the token.
 */
public final class BearerTokenFilter implements Filter {
  /**
   * The request attribute holding the verified {@link AccessToken} after the filter accepted the
   * request. Prefer {@link #accessToken(ServletRequest)}.
   */
  public static final String ACCESS_TOKEN_ATTRIBUTE = "dev.tokenguard.AccessToken";

  private volatile ProtectedResource resource;

  /**
   * For containers that create the filter from {@code web.xml} or a registration by class name:
   * the filter configures itself from its init parameters in {@link #init(FilterConfig)}. In code,
   * use {@link #builder(AccessTokenVerifier)}.
   */
  public BearerTokenFilter() {}

  private BearerTokenFilter(ProtectedResource resource) {
    this.resource = resource;
  }

  /**
   * A builder for a filter that checks tokens with {@code verifier}. The filter never closes
   * {@code verifier}: its owner does.
   *
   * @param verifier checks the tokens; shared, thread-safe, not closed by the filter
   * @return a new builder
   * @throws NullPointerException when {@code verifier} is null
   */
  public static Builder builder(AccessTokenVerifier verifier) {
    return new Builder(ProtectedResource.builder(Objects.requireNonNull(verifier, "verifier")));
  }

  /**
   * A filter that lets requests through, or answers them, exactly as {@code resource} decides: for
   * a front door that reads its configuration through {@link ConfigurationReader#resourceBuilder}
   * (such as the Spring Boot auto-configuration) over a verifier it manages itself. {@link
   * #destroy()} closes {@code resource}, which closes its verifier only when it owns it (a resource
   * from {@link ConfigurationReader#protectedResource()}); one built over a given verifier leaves
   * that verifier to its owner.
   *
   * @param resource the rules, accepted token methods and answers; immutable and thread-safe
   * @return the filter; it ignores its init parameters
   * @throws NullPointerException when {@code resource} is null
   */
  public static BearerTokenFilter forResource(ProtectedResource resource) {
    return new BearerTokenFilter(Objects.requireNonNull(resource, "resource"));
  }

  /**
   * The verified token of a request this filter accepted; empty on public paths, on CORS
   * preflights let through, and on requests the filter did not see.
   *
   * @param request the request, as the application sees it behind the filter
   * @return the verified token; empty on public paths, for CORS preflights let through and for requests the filter did not see
   * @throws NullPointerException when {@code request} is null
   */
  public static Optional<AccessToken> accessToken(ServletRequest request) {
    Object value = Objects.requireNonNull(request, "request").getAttribute(ACCESS_TOKEN_ATTRIBUTE);
    return value instanceof AccessToken ? Optional.of((AccessToken) value) : Optional.empty();
  }

  /**
   * Configures the filter from its init parameters ({@link ConfigurationReader}), building its own
   * verifier, unless it was made by {@link #builder} or {@link #forResource}, in which case the
   * init parameters are ignored.
   *
   * @throws ServletException when a parameter is missing, unknown or malformed (the message says
   *     which)
   */
  @Override
  public void init(FilterConfig config) throws ServletException {
    if (resource != null) {
      return;
    }
    try {
      resource = ConfigurationReader.of(Collections.list(config.getInitParameterNames()), config::getInitParameter,
          name -> "init parameter " + name).protectedResource();
    } catch (RuntimeException e) {
      throw new ServletException("BearerTokenFilter " + config.getFilterName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Lets the request through (public path, CORS preflight when allowed, or a verified token
   * meeting its path's requirement), or answers it per RFC 6750 without calling {@code chain}:
   * 400, 401, 403, or 503 with {@code Retry-After} when the issuer's keys are unavailable. A
   * rejected token never causes an exception.
   *
   * @throws ServletException when the filter was neither built nor initialised, or the request
   *     is not an HTTP request
   * @throws IOException when writing the answer or reading a form body fails, or from {@code chain}
   */
  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    ProtectedResource r = resource;
    if (r == null) {
      throw new ServletException("BearerTokenFilter was not initialised: build it with BearerTokenFilter.builder(verifier) or give it init parameters");
    }
    if (!(request instanceof HttpServletRequest) || !(response instanceof HttpServletResponse)) {
      throw new ServletException("BearerTokenFilter handles HTTP requests only");
    }
    HttpServletRequest req = (HttpServletRequest) request;
    HttpServletResponse res = (HttpServletResponse) response;

    Decision decision = r.decide(new ServletResourceRequest(req));
    Optional<Answer> answer = decision.answer();
    if (answer.isPresent()) {
      send(answer.get(), "HEAD".equals(req.getMethod()), res);
      return;
    }
    HttpServletRequest passOn = decision.consumedBody().<HttpServletRequest>map(body -> new FormBodyRequest(req, body)).orElse(req);
    Optional<AccessToken> token = decision.accessToken();
    if (token.isEmpty()) {
      chain.doFilter(passOn, res);
      return;
    }
    passOn.setAttribute(ACCESS_TOKEN_ATTRIBUTE, token.get());
    setHeaders(res, decision.responseHeaders());
    chain.doFilter(new AuthenticatedRequest(passOn, token.get(), decision.authenticationScheme().orElse(AuthenticatedRequest.AUTH_TYPE)),
        res);
  }

  /**
   * Closes the verifier the filter built itself from its init parameters, so the container finds
   * no key-fetch thread left behind; a verifier given to {@link #builder(AccessTokenVerifier)} is
   * left open for its owner. A filter made by {@link #forResource} closes its resource (see
   * there).
   */
  @Override
  public void destroy() {
    ProtectedResource r = resource;
    if (r != null) {
      r.close();
    }
  }

  /**
   * Writes the whole answer (a refusal, or the metadata document), without the body for a {@code
   * HEAD} request; the response must not be committed yet.
   */
  static void send(Answer answer, boolean head, HttpServletResponse response) throws IOException {
    byte[] bytes = answer.body();
    response.resetBuffer();
    response.setStatus(answer.status());
    setHeaders(response, answer.headers());
    response.setContentType(answer.contentType());
    response.setCharacterEncoding("UTF-8");
    response.setContentLength(bytes.length);
    if (!head) {
      response.getOutputStream().write(bytes);
    }
    response.flushBuffer();
  }

  /** Each header: its first value replaces what was set, later values are added as their own lines. */
  static void setHeaders(HttpServletResponse response, Map<String, List<String>> headers) {
    headers.forEach((name, values) -> {
      for (int i = 0; i < values.size(); i++) {
        if (i == 0) {
          response.setHeader(name, values.get(i));
        } else {
          response.addHeader(name, values.get(i));
        }
      }
    });
  }

  /**
   * Configures a {@link BearerTokenFilter}; every method delegates to {@link
   * ProtectedResource.Builder}, where the path semantics are documented. Not thread-safe. Setters
   * check their arguments at once and throw {@link IllegalArgumentException} (or {@link
   * NullPointerException} for a null); setting the realm or retry delay twice throws {@link
   * IllegalStateException}, and giving one path two rules is refused: an error rather than a
   * silent overwrite.
   */
  public static final class Builder {
    private final ProtectedResource.Builder resource;

    private Builder(ProtectedResource.Builder resource) {
      this.resource = resource;
    }

    /**
     * The {@code realm} of every challenge (default {@code api}): printable ASCII; quotes and
     * backslashes are escaped on output.
     *
     * @param realm printable ASCII, e.g. {@code health-api}
     * @return this builder
     * @throws IllegalArgumentException when empty or not printable ASCII
     * @throws IllegalStateException when the realm was already set
     */
    public Builder realm(String realm) {
      resource.realm(realm);
      return this;
    }

    /**
     * Paths that need no token; the filter does not look at their credentials at all. Each
     * pattern opens exactly its path, or with a final {@code /*} its path and everything below it.
     *
     * @param patterns one or more path patterns, e.g. {@code /api/public} or {@code /docs/*}
     * @return this builder
     * @throws IllegalArgumentException when no pattern is given, a pattern is malformed, or a path
     *     already has a rule
     */
    public Builder permit(String... patterns) {
      resource.permit(patterns);
      return this;
    }

    /**
     * The path {@code pattern} and everything below it need a token carrying every one of {@code
     * scopes}.
     *
     * @param pattern a path pattern, e.g. {@code /api/patients}
     * @param scopes one or more RFC 6750 scope tokens
     * @return this builder
     * @throws IllegalArgumentException when the pattern is malformed or already has a rule, or
     *     there is no scope or a scope is not an RFC 6750 section 3 scope token
     */
    public Builder requireScopes(String pattern, String... scopes) {
      resource.requireScopes(pattern, scopes);
      return this;
    }

    /**
     * The path {@code pattern} and everything below it need a token carrying at least one of
     * {@code scopes}.
     *
     * @param pattern a path pattern, e.g. {@code /api/reports}
     * @param scopes one or more RFC 6750 scope tokens
     * @return this builder
     * @throws IllegalArgumentException as {@link #requireScopes(String, String...)}
     */
    public Builder requireAnyScope(String pattern, String... scopes) {
      resource.requireAnyScope(pattern, scopes);
      return this;
    }

    /**
     * The path {@code pattern} and everything below it need a token meeting {@code requirement}.
     *
     * @param pattern a path pattern, e.g. {@code /api/records}
     * @param requirement what a valid token must meet there
     * @return this builder
     * @throws IllegalArgumentException when the pattern is malformed or already has a rule
     */
    public Builder require(String pattern, Requirement requirement) {
      resource.require(pattern, requirement);
      return this;
    }

    /**
     * Lets CORS preflight requests ({@code OPTIONS} with {@code Origin} and {@code
     * Access-Control-Request-Method}) through without a token, for a CORS filter or servlet behind
     * this one to answer. Other {@code OPTIONS} requests still need a token. Default: off. Any
     * client can send such a request, so whatever answers {@code OPTIONS} behind the filter must
     * answer the preflight only and serve no data.
     *
     * @return this builder
     */
    public Builder permitCorsPreflight() {
      resource.permitCorsPreflight();
      return this;
    }

    /**
     * Also accepts the token in the {@code access_token} URI query parameter (RFC 6750 section
     * 2.3); responses then carry {@code Cache-Control: private}. Default: off, since URIs end up in
     * logs and {@code Referer} headers (OAuth 2.1 removes this method). While off, a request with
     * that parameter gets 400 {@code invalid_request}.
     *
     * @return this builder
     */
    public Builder acceptQueryParameter() {
      resource.acceptQueryParameter();
      return this;
    }

    /**
     * Also accepts the token in the {@code access_token} parameter of an {@code
     * application/x-www-form-urlencoded} body of a POST, PUT or PATCH (RFC 6750 section 2.2). The
     * filter then reads such bodies (up to 64 KiB) itself and replays them to the application.
     * Default: off.
     *
     * @return this builder
     */
    public Builder acceptFormBody() {
      resource.acceptFormBody();
      return this;
    }

    /**
     * The {@code Retry-After} of a 503 when the issuer's keys are unavailable (default 30 s).
     *
     * @param delay between 1 second and 1 hour
     * @return this builder
     * @throws IllegalArgumentException when outside that range
     * @throws IllegalStateException when the delay was already set
     */
    public Builder retryAfter(Duration delay) {
      resource.retryAfter(delay);
      return this;
    }

    /**
     * Publishes {@code metadata} (RFC 9728): the filter answers {@code GET} and {@code HEAD} of
     * its well-known paths itself, and every challenge names the document in {@code
     * resource_metadata} (details on {@link ProtectedResource.Builder#publishMetadata}).
     *
     * @param metadata the document
     * @return this builder
     * @throws NullPointerException when {@code metadata} is null
     * @throws IllegalStateException when metadata was already published
     */
    public Builder publishMetadata(ProtectedResourceMetadata metadata) {
      resource.publishMetadata(metadata);
      return this;
    }

    /**
     * The absolute URL clients reach this application at (scheme, host, port and context path):
     * the base of the {@code resource_metadata} URL and of the target URI a DPoP proof's {@code
     * htu} must name; default: the origin of the resource identifier when metadata is published,
     * else none (and no DPoP). Never taken from the request's {@code Host} or {@code
     * X-Forwarded-*} (details on {@link ProtectedResource.Builder#publicUrl}).
     *
     * @param publicUrl e.g. {@code https://api.example.com} or {@code https://example.com/app}
     * @return this builder
     * @throws NullPointerException when {@code publicUrl} is null
     * @throws IllegalArgumentException unless an absolute https URL (http only for a loopback
     *     host) without user info, query or fragment
     * @throws IllegalStateException when the public URL was already set
     */
    public Builder publicUrl(URI publicUrl) {
      resource.publicUrl(publicUrl);
      return this;
    }

    /**
     * The filter; immutable and thread-safe.
     *
     * @return the filter; immutable and thread-safe
     * @throws IllegalStateException when DPoP is required (by the verifier's policy or a path's
     *     {@link Requirement#withDpop()}) and cannot be accepted: DPoP disabled on the verifier, or
     *     no public URL
     */
    public BearerTokenFilter build() {
      return new BearerTokenFilter(resource.build());
    }
  }
}
