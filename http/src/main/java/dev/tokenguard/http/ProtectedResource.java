package dev.tokenguard.http;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Algorithm;
import dev.tokenguard.DpopPolicy;
import dev.tokenguard.Requirement;
import dev.tokenguard.TokenRequest;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.dpop.DpopNonces;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An API protected by OAuth 2.0 access tokens, as the HTTP layer sees it: the realm, which paths
 * are public and what every other path requires of a token, and which RFC 6750 methods of sending
 * the token are accepted. {@link #decide(ResourceRequest)} turns one request into a {@link
 * Decision}; adapters for a web framework only translate requests and write answers. An adapter
 * whose framework has already chosen the code that serves a request, and knows what that code
 * requires, decides with {@link #decide(ResourceRequest, Requirement)} instead of the path rules.
 *
 * <pre>{@code
 * ProtectedResource resource = ProtectedResource.builder(verifier)
 *     .realm("health-api")
 *     .permit("/api/public")                              // that path only, no token looked at
 *     .requireScopes("/api/patients", "read:patients")    // the path and everything below it
 *     .requireAnyScope("/api/reports", "read:reports", "read:admin")
 *     .build();                                           // any other path: a valid token
 * Decision decision = resource.decide(request);
 * }</pre>
 *
 * <p>Answers follow RFC 6750 section 3 (see {@link Answer}): no credentials, or only another scheme
 * such as Basic: 401 with a challenge without error; a malformed request (two {@code
 * Authorization} lines, {@code Bearer} without a token, a token without its {@code Bearer} scheme,
 * a token sent by two methods, a repeated or disabled {@code access_token} parameter): 400 {@code
 * invalid_request}; a token the verifier refuses: 401 {@code invalid_token}; a valid token whose
 * user authentication does not meet the path's {@link Requirement} ({@link
 * Requirement#withAcrValues}, {@link Requirement#withMaxAge}): 401 {@code
 * insufficient_user_authentication} with {@code acr_values="..."} and {@code max_age=N} (RFC 9470
 * section 3, and {@code scope="..."} when scopes are lacking too); a valid token without the
 * path's scopes: 403 {@code insufficient_scope} with {@code scope="..."}; the issuer's keys
 * unavailable: 503 with {@code Retry-After} and a challenge without error. The requirement is
 * checked by the verifier ({@link TokenRequest#requiring(Requirement)}), the one place it is
 * evaluated. Descriptions are fixed sentences; nothing from the request is echoed. Refusals are
 * logged at DEBUG (logger {@code dev.tokenguard.http.ProtectedResource}), never with the token.
 *
 * <p><b>Sender-constrained tokens.</b> The {@code DPoP} scheme (RFC 9449 section 7.1) is accepted
 * as the verifier's {@link AccessTokenVerifier#dpopPolicy() DPoP policy} says, when the resource has
 * a {@link Builder#publicUrl public URL} (the base of the URI a proof's {@code htu} must name):
 * with the default policy a path accepts {@code Bearer} and {@code DPoP}, and challenges with both
 * ({@code WWW-Authenticate: Bearer realm="x"} and {@code DPoP realm="x", algs="ES256 PS256 ..."},
 * one field line each); a path whose requirement asks for DPoP ({@link Requirement#withDpop()}),
 * or every path when the policy {@link DpopPolicy#required() requires} it, challenges with {@code
 * DPoP} alone, and a bearer token there is refused. A DPoP request carries exactly one {@code DPoP}
 * header, the proof; the verifier checks it (RFC 9449 section 4.3), the token's binding, and the
 * TLS client certificate of a certificate-bound token ({@link ResourceRequest#clientCertificate()},
 * RFC 8705 section 3). The answers, each error on the challenge of the scheme whose credentials
 * failed (RFC 9449 section 7.2): a bad proof, 401 {@code DPoP error="invalid_dpop_proof"}; a bad
 * token or a binding that does not hold, 401 {@code error="invalid_token"}; a proof without the
 * current nonce when the policy hands out {@link DpopPolicy#nonces() nonces}, 401 {@code DPoP
 * error="use_dpop_nonce"} with the nonce in {@code DPoP-Nonce} (section 9); several {@code DPoP}
 * headers, 401 {@code invalid_dpop_proof} (section 4.3 check 1); a {@code DPoP} header with a
 * bearer token (or two {@code Authorization} lines), 400 {@code invalid_request} on both
 * challenges; the replay store unreachable, 503 with {@code Retry-After}. An allowed DPoP request
 * gets the current nonce in a {@code DPoP-Nonce} response header, with {@code Cache-Control:
 * no-store}, when nonces are on (section 8.2). Without a public URL, the {@code DPoP} scheme is
 * answered as an unknown one (401 with a {@code Bearer} challenge and no error) and building a
 * resource that requires DPoP fails.
 *
 * <p><b>Protected-resource metadata</b> (RFC 9728), when {@link Builder#publishMetadata published}:
 * a {@code GET} or {@code HEAD} of the document's {@link ProtectedResourceMetadata#wellKnownPath()
 * well-known path} (or of the bare {@code /.well-known/oauth-protected-resource}, where MCP clients
 * look next) is answered by the resource itself, without a token, with a 200 {@link Answer} holding
 * the JSON document (see {@link #metadata()}); and every challenge of every refusal carries {@code
 * resource_metadata="<absolute URL of the document>"} (RFC 9728 section 5.1; the MCP authorization
 * specification requires it on 401 and asks for it on 403), built from the configured {@link
 * Builder#publicUrl public URL}, never from the request's {@code Host} or forwarding headers. When
 * the resource accepts DPoP, the document names the proof algorithms ({@code
 * dpop_signing_alg_values_supported}) and, when the policy requires DPoP everywhere, {@code
 * dpop_bound_access_tokens_required: true}, unless it names its own.
 *
 * <p>Immutable and thread-safe: build one per API and share it. A resource made by {@link
 * ConfigurationReader#protectedResource()} owns the verifier it built, and {@link #close()} closes
 * it; a resource made by {@link #builder(AccessTokenVerifier)} leaves the given verifier alone.
 */
public final class ProtectedResource implements AutoCloseable {
  /** Logged under this class's name, like refusals; never a token, proof or key. */
  private static final Logger LOG = LoggerFactory.getLogger(ProtectedResource.class);
  static final String DEFAULT_REALM = "api";
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(30);

  final AccessTokenVerifier verifier;
  final String realm;
  final AccessRules rules;
  final TokenExtractor extractor;
  final boolean allowPreflight;
  final long retryAfterSeconds;
  private final boolean ownsVerifier;
  /** The public URL ({@link Builder#publicUrl}, else the origin of the metadata's resource identifier), or null. */
  private final String publicUrl;
  /** Whether the {@code DPoP} scheme is accepted: the verifier's policy enables it and there is a public URL for {@code htu}. */
  final boolean dpopAccepted;
  /** Whether every path requires DPoP (the verifier's policy). */
  private final boolean dpopEverywhere;
  /** The nonces to hand out on DPoP answers, or null. */
  private final DpopNonces nonces;
  /** Answers challenging with Bearer only (DPoP not accepted). */
  private final Refusals bearerRefusals;
  /** Answers challenging with Bearer and DPoP; null when DPoP is not accepted. */
  private final Refusals bothRefusals;
  /** Answers challenging with DPoP only (a path requiring DPoP); null when DPoP is not accepted. */
  private final Refusals dpopRefusals;
  /** The published metadata as served, or null. */
  private final ProtectedResourceMetadata metadata;
  /** The absolute URL {@code resource_metadata} names, or null. */
  private final URI metadataUrl;
  /** The request paths the metadata is served at (decoded); empty when none is published. */
  final Set<String> metadataPaths;
  /** The 200 answer with the metadata, or null. */
  private final Answer metadataAnswer;

  private ProtectedResource(Builder b) {
    this.verifier = b.verifier;
    this.realm = b.realm != null ? b.realm : DEFAULT_REALM;
    this.rules = b.rules.build();
    this.extractor = new TokenExtractor(b.acceptQuery, b.acceptForm);
    this.allowPreflight = b.allowPreflight;
    this.retryAfterSeconds = (b.retryAfter != null ? b.retryAfter : DEFAULT_RETRY_AFTER).toSeconds();
    this.ownsVerifier = b.ownsVerifier;
    DpopPolicy policy = b.verifier.dpopPolicy();
    String base = b.publicUrl != null ? b.publicUrl : b.metadata != null ? origin(b.metadata.resourceUri()) : null;
    this.publicUrl = base;
    this.dpopAccepted = policy.isEnabled() && base != null;
    this.dpopEverywhere = dpopAccepted && policy.isRequired();
    this.nonces = dpopAccepted ? policy.nonces().orElse(null) : null;
    List<String> algs = dpopAccepted ? proofAlgorithms(policy) : List.of();
    if (b.metadata != null) {
      this.metadata = b.metadata.publishedBy(rules.scopes(), ProtectedResourceMetadata.bearerMethods(b.acceptForm, b.acceptQuery),
          algs, dpopEverywhere ? Boolean.TRUE : null);
      this.metadataUrl = URI.create(base + metadata.wellKnownPath());
      this.metadataPaths = metadata.servedPaths();
      this.metadataAnswer = new Answer.Builder(200)
          .header("Cache-Control", "public, max-age=" + METADATA_MAX_AGE.toSeconds())
          .header("X-Content-Type-Options", "nosniff")
          .header("Access-Control-Allow-Origin", "*")
          .body(metadata.toJson())
          .build();
    } else {
      this.metadata = null;
      this.metadataUrl = null;
      this.metadataPaths = Set.of();
      this.metadataAnswer = null;
    }
    String metadataUrlText = metadataUrl == null ? null : metadataUrl.toString();
    this.bearerRefusals = new Refusals(realm, retryAfterSeconds, metadataUrlText, List.of(Refusals.Scheme.BEARER));
    if (dpopAccepted) {
      Refusals.Scheme dpop = Refusals.Scheme.dpop(algs);
      this.bothRefusals = new Refusals(realm, retryAfterSeconds, metadataUrlText, List.of(Refusals.Scheme.BEARER, dpop));
      this.dpopRefusals = new Refusals(realm, retryAfterSeconds, metadataUrlText, List.of(dpop));
    } else {
      this.bothRefusals = null;
      this.dpopRefusals = null;
      if (policy.isEnabled() && LOG.isDebugEnabled()) {
        LOG.debug("The DPoP scheme is not accepted by this resource: it has no public URL to check a DPoP proof's htu"
            + " against (set publicUrl, or publish metadata); its verifier would accept DPoP");
      }
    }
  }

  /** The request header field carrying the DPoP proof (RFC 9449 section 4.1). */
  static final String DPOP_HEADER = "DPoP";
  static final String STRAY_PROOF = "A DPoP proof came with a bearer token: send a DPoP-bound token with"
      + " Authorization: DPoP, or a bearer token without a DPoP header.";
  static final String SEVERAL_PROOFS = "The request carries more than one DPoP header.";
  static final String NO_TARGET = "The DPoP proof cannot be checked against this request.";

  /**
   * How long caches may keep the metadata document ({@code Cache-Control: public, max-age=3600};
   * RFC 9728 section 7.10): it changes only with the configuration, that is with a restart, and a
   * client that must see a change sooner is told by the {@code resource_metadata} of the next
   * challenge (RFC 9728 section 5.2).
   */
  static final Duration METADATA_MAX_AGE = Duration.ofHours(1);

  /**
   * A builder for a resource whose tokens {@code verifier} checks. The resource does not own the
   * verifier: {@link #close()} leaves it open.
   *
   * @param verifier checks the tokens (and the paths' requirements); shared, thread-safe
   * @return a new builder
   * @throws NullPointerException when {@code verifier} is null
   */
  public static Builder builder(AccessTokenVerifier verifier) {
    return new Builder(Objects.requireNonNull(verifier, "verifier"));
  }

  /**
   * Decides whether {@code request} may reach the application. In order: a CORS preflight passes
   * when allowed; a public path passes without its credentials being looked at; otherwise the one
   * access token the request carries (RFC 6750 section 2) is verified with the requirement of the
   * most specific rule for the path ({@link Requirement#none()} for a path no rule covers), and the
   * request passes with the verified token or is refused with its RFC 6750 answer. A rejected token
   * never throws.
   *
   * @param request the request, as the adapter exposes it
   * @return the decision; never null
   * @throws NullPointerException when {@code request} or its {@link ResourceRequest#path()} is null
   * @throws IOException when reading the form body fails (only with {@link Builder#acceptFormBody()})
   */
  public Decision decide(ResourceRequest request) throws IOException {
    Objects.requireNonNull(request, "request");
    if (allowPreflight && isCorsPreflight(request)) {
      return Decision.allowPublic();
    }
    String path = Objects.requireNonNull(request.path(), "request.path()");
    if (metadataAnswer != null && metadataPaths.contains(path) && ("GET".equals(request.method()) || "HEAD".equals(request.method()))) {
      return Decision.answered(metadataAnswer);
    }
    AccessRules.Rule rule = rules.match(path.isEmpty() ? "/" : path);
    if (rule.isPublic) {
      return Decision.allowPublic();
    }

    return decideWith(request, rule.requirement, rule);
  }

  /**
   * Decides whether {@code request} may reach the application, with {@code requirement} in place
   * of the path rules: for an adapter whose framework has already chosen the code that serves the
   * request and knows what that code requires (a Jakarta REST resource method's annotations, for
   * example), so the decision binds to that code, whatever path spelled the request. The path
   * rules given to the builder, public ones included, are not consulted, and {@link
   * ResourceRequest#path()} is not read. Everything else is as in {@link #decide(ResourceRequest)}:
   * a CORS preflight passes when allowed; otherwise the one access token the request carries (RFC
   * 6750 section 2) is verified with {@code requirement}, and the request passes with the verified
   * token or is refused with its RFC 6750 section 3 answer (400, 401, 403 {@code
   * insufficient_scope} naming the requirement's scopes, or 503). A rejected token never throws.
   * A request that needs no token at all should not be decided: the adapter lets it through.
   *
   * @param request the request, as the adapter exposes it
   * @param requirement what a valid token must meet for this request; {@link Requirement#none()}
   *     for any valid token
   * @return the decision; never null
   * @throws NullPointerException when {@code request} or {@code requirement} is null
   * @throws IOException when reading the form body fails (only with {@link Builder#acceptFormBody()})
   */
  public Decision decide(ResourceRequest request, Requirement requirement) throws IOException {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(requirement, "requirement");
    if (allowPreflight && isCorsPreflight(request)) {
      return Decision.allowPublic();
    }
    return decideWith(request, requirement, requirement);
  }

  /** Extracts and verifies the token against {@code requirement}; {@code source} names it in logs. */
  private Decision decideWith(ResourceRequest request, Requirement requirement, Object source) throws IOException {
    boolean dpopOnly = dpopAccepted && (dpopEverywhere || requirement.dpopRequired());
    Refusals refusals = !dpopAccepted ? bearerRefusals : dpopOnly ? dpopRefusals : bothRefusals;
    TokenExtractor.Result found =
        extractor.extract(request, dpopAccepted ? TokenExtractor.BEARER_AND_DPOP : TokenExtractor.BEARER_ONLY);
    Answer noToken = extractionRefusal(found, refusals);
    if (noToken != null) {
      return Decision.refuse(noToken, found.body);
    }
    Presented presented = tokenRequest(request, found, refusals);
    if (presented.refusal() != null) {
      return Decision.refuse(presented.refusal(), found.body);
    }
    AccessToken token;
    try {
      token = verifier.verify(presented.tokenRequest().requiring(requirement));
    } catch (TokenVerificationException e) {
      return Decision.refuse(refusals.refused(e, refusalReason(e, source), found.scheme), found.body);
    }
    boolean dpop = Challenge.DPOP.equals(found.scheme);
    return Decision.allow(token, dpop ? Challenge.DPOP : Challenge.BEARER, allowedHeaders(found, dpop), found.body);
  }

  /** The answer when the extractor found no single usable token (none, a malformed request or token); null when it found one. */
  private static Answer extractionRefusal(TokenExtractor.Result found, Refusals refusals) {
    switch (found.outcome) {
      case NONE:
        return refusals.noCredentials("no access token");
      case INVALID_REQUEST:
        return refusals.invalidRequest(found.description, found.scheme);
      case MALFORMED_TOKEN:
        return refusals.malformedToken(found.scheme);
      case TOKEN:
      default:
        return null;
    }
  }

  /** The verifier's request built from the extracted credentials, or the answer refusing credentials that cannot make one. */
  private record Presented(TokenRequest tokenRequest, Answer refusal) {}

  /**
   * Builds the verifier's request from the extracted token: a bearer token without a stray proof,
   * or a DPoP token with at most one proof and a usable target URI; then the client certificate.
   */
  private Presented tokenRequest(ResourceRequest request, TokenExtractor.Result found, Refusals refusals) {
    boolean dpop = Challenge.DPOP.equals(found.scheme);
    List<String> proofs = dpopAccepted ? request.headers(DPOP_HEADER) : List.of();
    TokenRequest tokenRequest;
    if (!dpop) {
      if (!proofs.isEmpty()) {
        // RFC 9449 section 7.2: a resource taking both schemes keeps them apart; a proof with a bearer token is ambiguous.
        return new Presented(null, refusals.invalidRequest(STRAY_PROOF, Refusals.EVERY_SCHEME));
      }
      tokenRequest = TokenRequest.bearer(found.token);
    } else {
      if (proofs.size() > 1) {
        return new Presented(null, refusals.invalidDpopProof(SEVERAL_PROOFS, "several DPoP header fields"));
      }
      URI target = target(request);
      if (target == null) {
        return new Presented(null, refusals.invalidDpopProof(NO_TARGET, "the adapter gives no usable request target"));
      }
      try {
        tokenRequest = TokenRequest.dpop(found.token, proofs.isEmpty() ? null : proofs.get(0), request.method(), target);
      } catch (IllegalArgumentException | NullPointerException e) {
        return new Presented(null, refusals.invalidDpopProof(NO_TARGET, "no usable method or target URI"));
      }
    }
    Optional<X509Certificate> certificate = request.clientCertificate();
    if (certificate.isPresent()) {
      tokenRequest = tokenRequest.withClientCertificate(certificate.get());
    }
    return new Presented(tokenRequest, null);
  }

  /** What a refusal is logged with: the reason, and for an unmet requirement the rule ({@code source}) it came from. */
  private static String refusalReason(TokenVerificationException e, Object source) {
    return e.reason() == TokenVerificationException.Reason.INSUFFICIENT_SCOPE
        || e.reason() == TokenVerificationException.Reason.INSUFFICIENT_USER_AUTHENTICATION
        ? e.reason().name() + ", rule " + source
        : e.reason().name();
  }

  /** The response headers of an allowed request: Cache-Control private for a query token, the DPoP nonce with no-store. */
  private Map<String, List<String>> allowedHeaders(TokenExtractor.Result found, boolean dpop) {
    if (found.fromQuery) {
      // RFC 6750 2.3: a response to a request carrying the token in the URI should not be shared.
      return Map.of("Cache-Control", List.of("private"));
    }
    if (dpop && nonces != null) {
      // RFC 9449 8.2 and 9: the nonce for the next proof, and no cache may serve this answer with a stale one.
      Map<String, List<String>> nonce = new LinkedHashMap<>();
      nonce.put(Refusals.DPOP_NONCE, List.of(nonces.current()));
      nonce.put("Cache-Control", List.of("no-store"));
      return Collections.unmodifiableMap(nonce);
    }
    return Map.of();
  }

  /**
   * The order in which the accepted proof algorithms are named ({@code algs}, {@code
   * dpop_signing_alg_values_supported}): elliptic curves first (small proofs, quick to sign), then
   * RSA; the order tells clients nothing binding (RFC 9449 section 7.1).
   */
  private static final List<Algorithm> PROOF_ALGORITHM_ORDER = List.of(Algorithm.ES256, Algorithm.ES384, Algorithm.ES512,
      Algorithm.EdDSA, Algorithm.Ed25519, Algorithm.PS256, Algorithm.PS384, Algorithm.PS512, Algorithm.RS256,
      Algorithm.RS384, Algorithm.RS512);

  /** The names of the proof algorithms {@code policy} accepts, in {@link #PROOF_ALGORITHM_ORDER}. */
  static List<String> proofAlgorithms(DpopPolicy policy) {
    List<String> names = new ArrayList<>();
    for (Algorithm a : PROOF_ALGORITHM_ORDER) {
      if (policy.algorithms().contains(a)) {
        names.add(a.name());
      }
    }
    for (Algorithm a : policy.algorithms()) {
      if (!PROOF_ALGORITHM_ORDER.contains(a)) {
        names.add(a.name()); // one added to Algorithm later
      }
    }
    return names;
  }

  /** The request's target URI for {@code htu}: the public URL and the raw path; null when the adapter gives none. */
  private URI target(ResourceRequest request) {
    String rawPath = request.rawPath().orElse(null);
    if (rawPath == null || !rawPath.startsWith("/")) {
      return null;
    }
    try {
      return new URI(publicUrl + rawPath);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  /**
   * The protected-resource metadata this resource publishes (RFC 9728), as it serves it: the
   * document given to {@link Builder#publishMetadata}, with {@code scopes_supported} from the
   * access rules (every scope a requirement names, in the order the rules were added) unless it
   * names its own, and {@code bearer_methods_supported} as this resource accepts tokens ({@code
   * header}, and {@code body} and {@code query} when enabled).
   *
   * @return the document, or empty when none is published
   */
  public Optional<ProtectedResourceMetadata> metadata() {
    return Optional.ofNullable(metadata);
  }

  /**
   * The absolute URL of the metadata document that challenges name in {@code resource_metadata}
   * (RFC 9728 section 5.1): the {@link Builder#publicUrl public URL} (by default the origin of the
   * resource identifier) followed by {@link ProtectedResourceMetadata#wellKnownPath()}.
   *
   * @return the URL, or empty when no metadata is published
   */
  public Optional<URI> metadataUrl() {
    return Optional.ofNullable(metadataUrl);
  }

  /**
   * Closes the verifier when this resource owns it (it was built by {@link
   * ConfigurationReader#protectedResource()}), stopping its key-fetch thread; does nothing for a
   * verifier given to {@link #builder(AccessTokenVerifier)}. Idempotent; never throws.
   */
  @Override
  public void close() {
    if (ownsVerifier) {
      verifier.close();
    }
  }

  /** The realm and the rules, for logs. */
  @Override
  public String toString() {
    return "ProtectedResource{realm=" + realm + ", rules=" + rules + (metadataUrl == null ? "" : ", metadata=" + metadataUrl) + "}";
  }

  /** {@code scheme://authority} of {@code uri}, as written in it. */
  private static String origin(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  private static boolean isCorsPreflight(ResourceRequest request) {
    return "OPTIONS".equals(request.method())
        && !request.headers("Origin").isEmpty()
        && !request.headers("Access-Control-Request-Method").isEmpty();
  }

  /**
   * Configures a {@link ProtectedResource}. Not thread-safe. Setters check their arguments at once
   * and throw {@link IllegalArgumentException} (or {@link NullPointerException} for a null);
   * setting the realm or the retry delay twice throws {@link IllegalStateException}, and giving one
   * path two rules is refused: an error rather than a silent overwrite.
   *
   * <p><b>Path patterns</b> are matched against {@link ResourceRequest#path()}, and fail safe:
   *
   * <ul>
   *   <li>A requirement ({@link #requireScopes}, {@link #requireAnyScope}, {@link #require})
   *       protects its path and everything below it: {@code /api/orders} covers {@code
   *       /api/orders}, {@code /api/orders/} and {@code /api/orders/42} (but not {@code
   *       /api/ordersX}); {@code /api/orders/*} means the same, so giving both is refused.
   *   <li>A public pattern ({@link #permit}) opens exactly its path ({@code /api/public} does not
   *       open {@code /api/public/x}), unless it ends in {@code /*}: {@code /docs/*} opens {@code
   *       /docs} and everything below it. Opening more than was written is the unsafe direction.
   *   <li>The most specific rule wins: an exact public pattern beats every prefix, a longer prefix a
   *       shorter one; the order of the calls does not matter. A public exact pattern may open a
   *       path below a requirement ({@code /api/*} required, {@code /api/health} public), but not
   *       the path a requirement names itself ({@code /api/orders} both public and required is
   *       refused).
   *   <li>A path no rule covers needs a valid token.
   * </ul>
   *
   * A pattern starts with {@code /}, may end in {@code /*} (its only {@code *}), and holds no
   * spaces, controls, {@code ?}, {@code #}, {@code ;} or empty segment.
   */
  public static final class Builder {
    private final AccessTokenVerifier verifier;
    private final AccessRules.Builder rules = new AccessRules.Builder();
    private String realm;
    private Duration retryAfter;
    private boolean allowPreflight;
    private boolean acceptQuery;
    private boolean acceptForm;
    private boolean ownsVerifier;
    private ProtectedResourceMetadata metadata;
    private String publicUrl;

    private Builder(AccessTokenVerifier verifier) {
      this.verifier = verifier;
    }

    /**
     * The {@code realm} of every challenge (RFC 9110 section 11.5; default {@code api}): printable
     * ASCII; quotes and backslashes are escaped on output.
     *
     * @param realm the realm, e.g. {@code health-api}
     * @return this builder
     * @throws IllegalArgumentException when empty or not printable ASCII
     * @throws IllegalStateException when the realm was already set
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

    /**
     * Paths that need no token; their credentials are not looked at. Each pattern opens exactly its
     * path, or with a final {@code /*} its path and everything below it.
     *
     * @param patterns one or more path patterns, e.g. {@code /api/public} or {@code /docs/*}
     * @return this builder
     * @throws IllegalArgumentException when no pattern is given, a pattern is malformed, or a path
     *     already has a rule
     */
    public Builder permit(String... patterns) {
      Objects.requireNonNull(patterns, "patterns");
      if (patterns.length == 0) {
        throw new IllegalArgumentException("permit needs at least one path pattern");
      }
      for (String pattern : patterns) {
        rules.permit(pattern);
      }
      return this;
    }

    /**
     * The path {@code pattern} and everything below it need a token carrying every one of {@code
     * scopes} ({@link Requirement#allScopes(String...)}).
     *
     * @param pattern a path pattern, e.g. {@code /api/patients} (same as {@code /api/patients/*})
     * @param scopes one or more RFC 6750 scope tokens
     * @return this builder
     * @throws IllegalArgumentException when the pattern is malformed or already has a rule, or
     *     there is no scope or a scope is not an RFC 6750 section 3 scope token
     */
    public Builder requireScopes(String pattern, String... scopes) {
      return require(pattern, Requirement.allScopes(scopes));
    }

    /**
     * The path {@code pattern} and everything below it need a token carrying at least one of
     * {@code scopes} ({@link Requirement#anyScope(String...)}).
     *
     * @param pattern a path pattern, e.g. {@code /api/reports}
     * @param scopes one or more RFC 6750 scope tokens
     * @return this builder
     * @throws IllegalArgumentException as {@link #requireScopes(String, String...)}
     */
    public Builder requireAnyScope(String pattern, String... scopes) {
      return require(pattern, Requirement.anyScope(scopes));
    }

    /**
     * The path {@code pattern} and everything below it need a token meeting {@code requirement}
     * ({@link Requirement#none()}: any valid token, which also keeps a shorter public prefix from
     * opening them).
     *
     * @param pattern a path pattern, e.g. {@code /api/records}
     * @param requirement what a valid token must meet there
     * @return this builder
     * @throws IllegalArgumentException when the pattern is malformed or already has a rule
     */
    public Builder require(String pattern, Requirement requirement) {
      rules.require(pattern, Objects.requireNonNull(requirement, "requirement"));
      return this;
    }

    /**
     * Lets CORS preflight requests ({@code OPTIONS} with {@code Origin} and {@code
     * Access-Control-Request-Method}) through without a token, for whatever answers CORS behind
     * the filter. Other {@code OPTIONS} requests still need a token. Default: off. Any client can
     * send such a request, so whatever answers {@code OPTIONS} must answer the preflight only and
     * serve no data.
     *
     * @return this builder
     */
    public Builder permitCorsPreflight() {
      this.allowPreflight = true;
      return this;
    }

    /**
     * Also accepts the token in the {@code access_token} URI query parameter (RFC 6750 section
     * 2.3); an allowed request then asks for {@code Cache-Control: private} on its response.
     * Default: off, since URIs end up in logs and {@code Referer} headers (OAuth 2.1 removes this
     * method). While off, a request with that parameter gets 400 {@code invalid_request}.
     *
     * @return this builder
     */
    public Builder acceptQueryParameter() {
      this.acceptQuery = true;
      return this;
    }

    /**
     * Also accepts the token in the {@code access_token} parameter of an {@code
     * application/x-www-form-urlencoded} body of a POST, PUT or PATCH (RFC 6750 section 2.2). Such
     * bodies (up to 64 KiB) are then read through {@link ResourceRequest#body()}, and the adapter
     * replays them ({@link Decision#consumedBody()}). Default: off.
     *
     * @return this builder
     */
    public Builder acceptFormBody() {
      this.acceptForm = true;
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

    /**
     * Publishes {@code metadata} (RFC 9728): the resource answers a {@code GET} or {@code HEAD} of
     * its {@link ProtectedResourceMetadata#wellKnownPath() well-known path}, and of the bare {@code
     * /.well-known/oauth-protected-resource}, itself, without a token and before any access rule,
     * with 200 and the JSON document ({@code Content-Type: application/json}, {@code
     * Cache-Control: public, max-age=3600}, {@code Access-Control-Allow-Origin: *} so browser-based
     * clients can read it); other methods on those paths go through the access rules like any
     * request. {@code scopes_supported} is filled in from the access rules unless the document
     * names its own, and {@code bearer_methods_supported} from the methods this resource accepts
     * (see {@link ProtectedResource#metadata()}). Every challenge then carries {@code
     * resource_metadata} with the document's absolute URL (see {@link #publicUrl(URI)}).
     *
     * <p>The paths are matched against {@link ResourceRequest#path()}, the path within the
     * application: an application mounted below the host root (a servlet context path) serves the
     * document below that prefix too, so its {@link #publicUrl(URI) public URL} must include the
     * prefix, and clients find the document through the challenges rather than at the host's
     * well-known location.
     *
     * @param metadata the document; for an MCP server with {@code authorization_servers} set
     * @return this builder
     * @throws NullPointerException when {@code metadata} is null
     * @throws IllegalStateException when metadata was already published
     */
    public Builder publishMetadata(ProtectedResourceMetadata metadata) {
      Objects.requireNonNull(metadata, "metadata");
      if (this.metadata != null) {
        throw new IllegalStateException("metadata was already published for " + this.metadata.resource());
      }
      this.metadata = metadata;
      return this;
    }

    /**
     * The absolute URL at which clients reach this application's paths (the paths of {@link
     * ResourceRequest#path()}): the base of the {@code resource_metadata} URL in every challenge
     * ({@code publicUrl + wellKnownPath}), and the base of the target URI a DPoP proof's {@code
     * htu} must name ({@code publicUrl + }{@link ResourceRequest#rawPath()}, RFC 9449 section 4.3
     * check 9). Default: the origin of the published metadata's resource identifier ({@code
     * https://mcp.example.com} for {@code https://mcp.example.com/mcp}), which is the URL RFC 9728
     * section 3 derives; without metadata, none, and then the resource does not accept the {@code
     * DPoP} scheme. Set it when the API is reached elsewhere (another host or port, a local address
     * during development, a path prefix such as a servlet context path or a proxy's). Never taken
     * from a request: a {@code Host} or {@code X-Forwarded-Host} header is whatever the client
     * says, and would let it point other clients' discovery anywhere, or make a proof made for
     * another server match this one.
     *
     * @param publicUrl an absolute https URL (http only for a loopback host) without user info,
     *     query or fragment, e.g. {@code https://api.example.com} or {@code
     *     http://127.0.0.1:8080}; a trailing slash is dropped
     * @return this builder
     * @throws NullPointerException when {@code publicUrl} is null
     * @throws IllegalArgumentException when not such a URL
     * @throws IllegalStateException when the public URL was already set
     */
    public Builder publicUrl(URI publicUrl) {
      Objects.requireNonNull(publicUrl, "publicUrl");
      if (this.publicUrl != null) {
        throw new IllegalStateException("publicUrl was already set to " + this.publicUrl);
      }
      String value = publicUrl.toString();
      Urls.check("publicUrl", value, false);
      this.publicUrl = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
      return this;
    }

    /** For {@link ConfigurationReader}: the resource owns the verifier and closes it. */
    Builder ownsVerifier() {
      this.ownsVerifier = true;
      return this;
    }

    /**
     * Builds the resource. The builder may be used again.
     *
     * @return the resource; immutable and thread-safe
     * @throws IllegalStateException when DPoP is required (by the verifier's {@link
     *     DpopPolicy#required()} or a path's {@link Requirement#withDpop()}) and cannot be
     *     accepted: the verifier has DPoP {@link DpopPolicy#disabled() disabled}, or the resource
     *     has no public URL to check a proof's {@code htu} against (neither {@link #publicUrl} nor
     *     metadata)
     */
    public ProtectedResource build() {
      DpopPolicy policy = verifier.dpopPolicy();
      List<String> dpopPaths = rules.build().dpopPatterns();
      if (policy.isRequired() || !dpopPaths.isEmpty()) {
        String who = policy.isRequired() ? "the verifier's DPoP policy requires DPoP" : "the paths " + dpopPaths + " require DPoP";
        if (!policy.isEnabled()) {
          throw new IllegalStateException(who + " and the verifier has DPoP disabled (DpopPolicy.disabled())");
        }
        if (publicUrl == null && metadata == null) {
          throw new IllegalStateException(who + ": set the public URL clients reach this API at (publicUrl, or the public-url"
              + " setting), the base of"
              + " the target URI a DPoP proof's htu must name (RFC 9449 section 4.3)");
        }
      }
      return new ProtectedResource(this);
    }
  }
}
