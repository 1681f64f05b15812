package dev.tokenguard.jaxrs;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.http.ProtectedResource;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Protects the resources of a Jakarta REST (JAX-RS) application with OAuth 2.0 bearer access
 * tokens, answering exactly as RFC 6750 section 3 says. Register it once; annotations on the
 * resources say what each method needs:
 *
 * <pre>{@code
 * resourceConfig.register(BearerTokenFeature.of(verifier));   // or Application#getSingletons()
 *
 * @Path("/api/patients")
 * @RequiresScopes("read:patients")                              // every method: this scope
 * public class PatientsResource { ... }
 * }</pre>
 *
 * <p><b>What a resource method needs</b> is read from its annotations when the application starts:
 * {@link RequiresScopes} (every scope listed), {@link RequiresAnyScope} (one of them), or {@code
 * jakarta.annotation.security.PermitAll} (public: no token, and its credentials are not looked
 * at). A method's own annotation replaces its class's. In order, the first of these carrying one
 * decides: the method as declared in the resource class, then in its superclasses (nearest
 * first), the method the runtime reports (for example on an interface), the resource class, its
 * superclasses, and the interface declaring the method. A method with none of them needs a valid
 * token. Two of them on one method or class, an empty or malformed scope, or one of them on a
 * sub-resource locator (where it would not apply to the sub-resource's methods) stops the
 * application from starting. {@code @RolesAllowed} and {@code @DenyAll} are left to the runtime's
 * own role support (for example Jersey's {@code RolesAllowedDynamicFeature}), which asks this
 * feature's security context: a role is a scope.
 *
 * <p><b>The decision binds to the resource method</b> the runtime matched, not to a path: the
 * feature binds a post-matching {@code ContainerRequestFilter} (priority {@code AUTHENTICATION})
 * to each protected method, so however a request spells its path, the code that serves it gets
 * the check its annotations name. Requests no resource method matches (404, 405) are answered by
 * the runtime as usual.
 *
 * <p><b>Answers</b> come from the framework-neutral {@link ProtectedResource} (module {@code
 * tokenguard-http}), the same as the servlet filter's: no bearer credentials (or another scheme
 * such as Basic): 401 with {@code WWW-Authenticate: Bearer realm="..."} and no error; a malformed
 * request (two {@code Authorization} headers, {@code Bearer} without a token, a token without its
 * scheme, a token sent by two methods, an {@code access_token} query parameter while that method is
 * off): 400 {@code invalid_request}; a token that fails verification: 401 {@code invalid_token}; a
 * valid token without the scopes: 403 {@code insufficient_scope} with {@code scope="..."}; the
 * issuer's keys unavailable: 503 with {@code Retry-After}. Each answer carries every header the
 * HTTP layer wrote ({@code WWW-Authenticate}, {@code Cache-Control: no-store}, {@code
 * X-Content-Type-Options: nosniff}, {@code Retry-After}) and its small JSON body. Descriptions are
 * fixed sentences; nothing from the request is echoed; refusals are logged at DEBUG (logger {@code
 * dev.tokenguard.http.ProtectedResource}), never with the token.
 *
 * <p><b>Sender-constrained tokens.</b> With a {@link Builder#publicUrl public URL} (the URL clients
 * reach the application's base URI at), the feature also accepts DPoP-bound tokens sent as {@code
 * Authorization: DPoP <token>} with their proof in the {@code DPoP} header (RFC 9449), as the
 * verifier's DPoP policy says, and challenges with {@code Bearer} and {@code DPoP}; the target
 * URI a proof's {@code htu} must name is the public URL followed by the request URI's raw path
 * after the base URI's path, never built from the {@code Host} or {@code X-Forwarded-*} headers.
 * An allowed DPoP request's response carries {@code DPoP-Nonce} when the verifier hands out
 * nonces. Jakarta REST has no portable API for the TLS client certificate, so a certificate-bound
 * token (RFC 8705, {@code cnf["x5t#S256"]}) is refused with 401 {@code invalid_token} unless the
 * runtime exposes the servlet request attribute {@code jakarta.servlet.request.X509Certificate} as
 * a request property, as Jersey and RESTEasy do in a servlet container that terminates mutual TLS.
 * It is never accepted without the certificate it names.
 *
 * <p><b>Behind the filter</b>, a resource reads the verified token portably (Jersey, RESTEasy and
 * others) through its {@code @Context SecurityContext}: {@link #accessToken(SecurityContext)};
 * {@code getUserPrincipal().getName()} is the token's {@code sub}, {@code isUserInRole(x)} asks
 * whether the token carries scope {@code x}, and {@code getAuthenticationScheme()} is the scheme
 * the token came with, {@code Bearer} or {@code DPoP}. Other filters and interceptors find the token in the request property {@link
 * #ACCESS_TOKEN_PROPERTY} ({@link #accessToken(ContainerRequestContext)}); in a servlet container
 * that property is also the request attribute the servlet filter uses.
 *
 * <p>Immutable and thread-safe; register one instance per application. The feature never closes
 * the verifier: its owner does.
 */
public final class BearerTokenFeature implements Feature {
  /**
   * The request property holding the verified {@link AccessToken} of a request the feature let
   * through; absent on public methods. Prefer {@link #accessToken(SecurityContext)} in resources
   * and {@link #accessToken(ContainerRequestContext)} in filters. The same name as the servlet
   * filter's request attribute.
   */
  public static final String ACCESS_TOKEN_PROPERTY = "dev.tokenguard.AccessToken";

  private final ProtectedResource resource;

  private BearerTokenFeature(ProtectedResource resource) {
    this.resource = resource;
  }

  /**
   * A feature with the defaults: realm {@code api}, tokens only in the {@code Authorization}
   * header, CORS preflights need a token, {@code Retry-After: 30} on a 503. Same as {@code
   * builder(verifier).build()}.
   *
   * @param verifier checks the tokens and the methods' scopes; shared, thread-safe; not closed by
   *     the feature
   * @return the feature, to register with the application
   * @throws NullPointerException when {@code verifier} is null
   */
  public static BearerTokenFeature of(AccessTokenVerifier verifier) {
    return builder(verifier).build();
  }

  /**
   * A builder for a feature that checks tokens with {@code verifier}.
   *
   * @param verifier checks the tokens and the methods' scopes; shared, thread-safe; not closed by
   *     the feature
   * @return a new builder
   * @throws NullPointerException when {@code verifier} is null
   */
  public static Builder builder(AccessTokenVerifier verifier) {
    return new Builder(ProtectedResource.builder(Objects.requireNonNull(verifier, "verifier")));
  }

  /**
   * The verified token of the request whose security context this is, for a resource: inject
   * {@code @Context SecurityContext security} and call {@code accessToken(security)}. Works with a
   * runtime that injects a proxy of the security context (Jersey does), since it reads the
   * principal.
   *
   * @param securityContext the request's security context
   * @return the verified token; empty on a public method, or for a request this feature did not
   *     let through
   * @throws NullPointerException when {@code securityContext} is null
   */
  public static Optional<AccessToken> accessToken(SecurityContext securityContext) {
    Principal principal = Objects.requireNonNull(securityContext, "securityContext").getUserPrincipal();
    return principal instanceof TokenSecurityContext.TokenPrincipal
        ? Optional.of(((TokenSecurityContext.TokenPrincipal) principal).token)
        : Optional.empty();
  }

  /**
   * The verified token of {@code request}, for another filter or an interceptor running after this
   * feature's (priority {@code AUTHENTICATION}): the request property {@link
   * #ACCESS_TOKEN_PROPERTY}.
   *
   * @param request the request
   * @return the verified token; empty on a public method, or before this feature's filter ran
   * @throws NullPointerException when {@code request} is null
   */
  public static Optional<AccessToken> accessToken(ContainerRequestContext request) {
    Object value = Objects.requireNonNull(request, "request").getProperty(ACCESS_TOKEN_PROPERTY);
    return value instanceof AccessToken ? Optional.of((AccessToken) value) : Optional.empty();
  }

  /**
   * Called by the runtime once, when the application starts: registers the per-method binding
   * (a {@code DynamicFeature} that reads each resource method's annotations and binds the
   * authentication filter to the protected ones) and the response filter that adds the headers an
   * allowed request's decision asks for.
   *
   * @param context the runtime's feature context
   * @return true: the feature is enabled
   * @throws IllegalStateException (while the runtime builds its resource model) when annotations
   *     conflict, hold a malformed scope, or sit on a sub-resource locator; the message names the
   *     method or class
   */
  @Override
  public boolean configure(FeatureContext context) {
    context.register(new MethodBinding(resource));
    context.register(new ResponseHeadersFilter());
    return true;
  }

  /** The realm, for logs. */
  @Override
  public String toString() {
    return "BearerTokenFeature{" + resource + "}";
  }

  /**
   * Configures a {@link BearerTokenFeature}; every method delegates to {@link
   * ProtectedResource.Builder}, where it is documented in full. There are no path rules: resource
   * annotations say what each method needs. Not thread-safe. Setters check their arguments at
   * once; setting the realm or the retry delay twice throws {@link IllegalStateException}.
   */
  public static final class Builder {
    private final ProtectedResource.Builder resource;

    private Builder(ProtectedResource.Builder resource) {
      this.resource = resource;
    }

    /**
     * The {@code realm} of every challenge (RFC 9110 section 11.5; default {@code api}).
     *
     * @param realm printable ASCII, e.g. {@code health-api}; quotes and backslashes are escaped on
     *     output
     * @return this builder
     * @throws IllegalArgumentException when empty or not printable ASCII
     * @throws IllegalStateException when the realm was already set
     */
    public Builder realm(String realm) {
      resource.realm(realm);
      return this;
    }

    /**
     * Lets CORS preflight requests ({@code OPTIONS} with {@code Origin} and {@code
     * Access-Control-Request-Method}) reach a protected {@code OPTIONS} method without a token.
     * Default: off. Whatever answers them must serve no data.
     *
     * @return this builder
     */
    public Builder permitCorsPreflight() {
      resource.permitCorsPreflight();
      return this;
    }

    /**
     * Also accepts the token in the {@code access_token} URI query parameter (RFC 6750 section
     * 2.3); responses then carry {@code Cache-Control: private}. Default: off (URIs end up in logs;
     * OAuth 2.1 removes this method), and a request with that parameter gets 400 {@code
     * invalid_request}.
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
     * filter then reads such bodies (up to 64 KiB) and gives the bytes back to the resource as
     * its entity stream. Default: off.
     *
     * @return this builder
     */
    public Builder acceptFormBody() {
      resource.acceptFormBody();
      return this;
    }

    /**
     * The {@code Retry-After} of a 503 when the issuer's keys are unavailable (RFC 9110 section
     * 10.2.3; default 30 s).
     *
     * @param delay between 1 second and 1 hour; sent in whole seconds
     * @return this builder
     * @throws IllegalArgumentException when outside that range
     * @throws IllegalStateException when the delay was already set
     */
    public Builder retryAfter(Duration delay) {
      resource.retryAfter(delay);
      return this;
    }

    /**
     * The absolute URL clients reach the application's base URI at (scheme, host, port, and the
     * context and application path): the base of the target URI a DPoP proof's {@code htu} must
     * name (RFC 9449 section 4.3 check 9). Default: none, and the feature then accepts no {@code
     * DPoP} scheme. Never taken from the request's {@code Host} or {@code X-Forwarded-*} (details
     * on {@link ProtectedResource.Builder#publicUrl}).
     *
     * @param publicUrl e.g. {@code https://api.example.com} or {@code https://example.com/app/rest}
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
     * Builds the feature. The builder may be used again.
     *
     * @return the feature; immutable and thread-safe
     * @throws IllegalStateException when the verifier's DPoP policy requires DPoP and there is no
     *     public URL
     */
    public BearerTokenFeature build() {
      return new BearerTokenFeature(resource.build());
    }
  }
}
