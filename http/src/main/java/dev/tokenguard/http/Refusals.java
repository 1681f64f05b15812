package dev.tokenguard.http;

import dev.tokenguard.Requirement;
import dev.tokenguard.TokenVerificationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from why a request is refused to its answer (RFC 6750 section 3, RFC 9470
 * section 3, RFC 9728 section 5.1, RFC 9110 section 11.6.1): the status, one challenge per scheme
 * the resource accepts, each with the realm, the error (on the challenge of the scheme whose
 * credentials were refused) and the {@code resource_metadata} URL when the resource publishes its
 * metadata; {@code Retry-After} on a 503; the JSON body. Descriptions of token refusals come from
 * core ({@link TokenVerificationException#safeDescription()}); only the request-level descriptions
 * (no credentials, malformed requests) are written here.
 *
 * <p>What a refusal says ({@link Refusal}) is kept apart from how each scheme says it ({@link
 * Scheme}), so RFC 9449's {@code DPoP} scheme, with its {@code algs}, adds a challenge to every
 * answer and the {@code DPoP-Nonce} header through {@link Refusal#headers}, without a second
 * mapping. With two schemes (RFC 9449 section 7.2): no credentials, no error on either challenge;
 * credentials of one scheme refused, the error on that scheme's challenge only; an ambiguous
 * request ({@link #EVERY_SCHEME}, such as two {@code Authorization} lines), the error on both
 * (Figure 19). A refusal naming a scheme the resource does not challenge with (a bearer token on a
 * path that requires DPoP) puts its error on the first challenge. Immutable and thread-safe.
 */
final class Refusals {
  static final String INVALID_REQUEST = "invalid_request";

  static final String NO_CREDENTIALS_DESCRIPTION = "This request requires an access token.";

  /** {@link Refusal#scheme} for a refusal every challenge carries: the request was ambiguous (RFC 9449 section 7.2). */
  static final String EVERY_SCHEME = "*";

  /** The header field giving the client the nonce for its next DPoP proof (RFC 9449 sections 8 and 9). */
  static final String DPOP_NONCE = "DPoP-Nonce";

  /** Refusals are logged at DEBUG under the name of {@link ProtectedResource}, never with the token. */
  private static final Logger LOG = LoggerFactory.getLogger(ProtectedResource.class);

  /**
   * One authentication scheme the resource accepts and challenges with, and the auth-params its
   * challenge always carries after the realm (RFC 9449 section 7.1: {@code DPoP} names its {@code
   * algs}). Immutable.
   */
  static final class Scheme {
    static final Scheme BEARER = new Scheme(Challenge.BEARER, List.of());

    /** {@code DPoP} with {@code algs}, the proof algorithm names in the order given (RFC 9449 section 7.1). */
    static Scheme dpop(List<String> algorithms) {
      return new Scheme(Challenge.DPOP, List.of(Map.entry("algs", String.join(" ", algorithms))));
    }

    final String name;
    final List<Map.Entry<String, String>> params;

    Scheme(String name, List<Map.Entry<String, String>> params) {
      this.name = Objects.requireNonNull(name, "name");
      this.params = List.copyOf(params);
    }
  }

  /**
   * What one refusal says, whichever schemes say it: the status, the error (null when the request
   * had no credentials, or the client is not at fault), the description, what the unmet
   * requirement names ({@code scope}, {@code acr_values}, {@code max_age}), whether to send {@code
   * Retry-After}, the scheme whose credentials were refused (its challenge alone carries the
   * error), extra header fields, and why, for the DEBUG log. Immutable.
   */
  static final class Refusal {
    final String why;
    final int status;
    final String error;
    final String description;
    final List<String> scopes;
    final List<String> acrValues;
    /** {@code max_age} in seconds, or -1 for none. */
    final long maxAge;
    final boolean retry;
    /**
     * The scheme whose credentials were refused (its challenge alone carries the error), {@link
     * #EVERY_SCHEME} when every challenge carries it, or null when none names an error.
     */
    final String scheme;
    /** Header fields besides the fixed ones ({@code DPoP-Nonce}), in order. */
    final List<Map.Entry<String, String>> headers;

    Refusal(String why, int status, String error, String description, List<String> scopes, List<String> acrValues, long maxAge,
        boolean retry, String scheme, List<Map.Entry<String, String>> headers) {
      this.why = why;
      this.status = status;
      this.error = error;
      this.description = description;
      this.scopes = List.copyOf(scopes);
      this.acrValues = List.copyOf(acrValues);
      this.maxAge = maxAge;
      this.retry = retry;
      this.scheme = scheme;
      this.headers = List.copyOf(headers);
    }
  }

  private final String realm;
  private final long retryAfterSeconds;
  /** The absolute URL of the protected-resource metadata (RFC 9728 section 5.1), or null. */
  private final String resourceMetadata;
  private final List<Scheme> schemes;

  Refusals(String realm, long retryAfterSeconds) {
    this(realm, retryAfterSeconds, null, List.of(Scheme.BEARER));
  }

  Refusals(String realm, long retryAfterSeconds, String resourceMetadata, List<Scheme> schemes) {
    this.realm = realm;
    this.retryAfterSeconds = retryAfterSeconds;
    this.resourceMetadata = resourceMetadata;
    this.schemes = List.copyOf(schemes);
    if (this.schemes.isEmpty()) {
      throw new IllegalArgumentException("a resource challenges with at least one scheme");
    }
  }

  /** No credentials of an accepted scheme: 401 and a challenge without error information (RFC 6750 section 3.1). */
  Answer noCredentials(String why) {
    return answer(new Refusal(why, 401, null, NO_CREDENTIALS_DESCRIPTION, List.of(), List.of(), -1, false, null, List.of()));
  }

  /** A malformed bearer request (RFC 6750 section 3.1 {@code invalid_request}): 400. */
  Answer invalidRequest(String description) {
    return invalidRequest(description, Challenge.BEARER);
  }

  /**
   * A malformed request (RFC 6750 section 3.1 {@code invalid_request}): 400, the error on the
   * challenge of {@code scheme}, or on every challenge for {@link #EVERY_SCHEME}.
   */
  Answer invalidRequest(String description, String scheme) {
    return answer(new Refusal(description, 400, INVALID_REQUEST, description, List.of(), List.of(), -1, false, scheme, List.of()));
  }

  /**
   * A presented token whose characters are not a {@code b64token} (RFC 6750 section 2.1, RFC 9449
   * section 7.1 {@code token68}): the request is well-formed, the credential is not, so 401 with
   * core's answer to a malformed token, on the challenge of {@code scheme}.
   */
  Answer malformedToken(String scheme) {
    TokenVerificationException.Reason reason = TokenVerificationException.Reason.MALFORMED;
    return answer(new Refusal("characters outside b64token", reason.httpStatus(), reason.errorCode(), reason.safeDescription(),
        List.of(), List.of(), -1, false, scheme, List.of()));
  }

  /**
   * A DPoP request the HTTP layer refuses before the verifier sees it (several {@code DPoP}
   * header fields, RFC 9449 section 4.3 check 1; a request target the proof cannot be checked
   * against): 401 {@code invalid_dpop_proof} on the {@code DPoP} challenge (section 7.1).
   */
  Answer invalidDpopProof(String description, String why) {
    TokenVerificationException.Reason reason = TokenVerificationException.Reason.INVALID_DPOP_PROOF;
    return answer(new Refusal(why, reason.httpStatus(), reason.errorCode(), description, List.of(), List.of(), -1, false,
        Challenge.DPOP, List.of()));
  }

  /**
   * A token the verifier refused. Retryable (the issuer's keys unavailable): 503 with {@code
   * Retry-After} and a challenge that blames nobody; the client is not at fault. A valid token that
   * does not meet the path's {@link Requirement}: for the user's authentication, 401 {@code
   * insufficient_user_authentication} with {@code acr_values} and {@code max_age} (RFC 9470 section
   * 3) and {@code scope} when the token lacks scopes too; for the scopes, 403 {@code
   * insufficient_scope} naming the scopes of the unmet requirement (RFC 6750 section 3.1), the
   * description saying whether all or one of them is needed. A refusal of the DPoP proof ({@code
   * invalid_dpop_proof}), a nonce to use ({@code use_dpop_nonce}, with the nonce in a {@code
   * DPoP-Nonce} header, RFC 9449 section 9) and a bearer token where DPoP is required: on the
   * {@code DPoP} challenge. Anything else: the status and code core gives, 401 {@code
   * invalid_token}, on the challenge of {@code scheme}, the one the token came with.
   */
  Answer refused(TokenVerificationException e, String why) {
    return refused(e, why, Challenge.BEARER);
  }

  /** {@link #refused(TokenVerificationException, String)} for a token that came with {@code scheme}. */
  Answer refused(TokenVerificationException e, String why, String scheme) {
    if (e.isRetryable()) {
      return answer(new Refusal(why, 503, e.errorCode(), e.safeDescription(), List.of(), List.of(), -1, true, null, List.of()));
    }
    List<String> scopes = List.of();
    List<String> acrValues = List.of();
    long maxAge = -1;
    String target = scheme;
    List<Map.Entry<String, String>> headers = List.of();
    switch (e.reason()) {
      case USE_DPOP_NONCE:
        String nonce = e.dpopNonce().orElse(null);
        if (nonce != null && isNonce(nonce)) {
          headers = List.of(Map.entry(DPOP_NONCE, nonce));
        }
        target = Challenge.DPOP;
        break;
      case INVALID_DPOP_PROOF:
      case DPOP_REQUIRED:
        target = Challenge.DPOP;
        break;
      case INSUFFICIENT_SCOPE:
        scopes = e.unmetRequirement().map(Requirement::scopes).orElse(e.requiredScopes());
        break;
      case INSUFFICIENT_USER_AUTHENTICATION:
        Requirement unmet = e.unmetRequirement().orElse(Requirement.none());
        scopes = unmet.scopes();
        acrValues = unmet.acrValues();
        maxAge = unmet.maxAge().map(Duration::getSeconds).orElse(-1L);
        break;
      default:
        break;
    }
    return answer(new Refusal(why, e.httpStatus(), e.errorCode(), e.safeDescription(), scopes, acrValues, maxAge, false,
        target, headers));
  }

  /** RFC 9449 section 8.1: {@code nonce = 1*NQCHAR} (NQCHAR = %x21 / %x23-5B / %x5D-7E). */
  static boolean isNonce(String nonce) {
    if (nonce.isEmpty()) {
      return false;
    }
    for (int i = 0; i < nonce.length(); i++) {
      if (!Challenge.isScopeChar(nonce.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** The answer to {@code refusal}: one challenge per scheme, in order, then the fixed header fields and the body. */
  Answer answer(Refusal refusal) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("Refused a request: {} {} ({})", refusal.status, refusal.error != null ? refusal.error : "no credentials",
          refusal.why);
    }
    Answer.Builder answer = new Answer.Builder(refusal.status);
    String target = refusal.scheme;
    if (target != null && !EVERY_SCHEME.equals(target) && !challenges(target)) {
      target = schemes.get(0).name; // e.g. a bearer token on a path that requires DPoP: the challenge offered says why
    }
    for (Scheme scheme : schemes) {
      answer.header("WWW-Authenticate", challenge(scheme, refusal, target).render());
    }
    if (refusal.retry) {
      answer.header("Retry-After", Long.toString(retryAfterSeconds));
    }
    refusal.headers.forEach(h -> answer.header(h.getKey(), h.getValue()));
    return answer.header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
        .body(body(refusal.error, refusal.description, refusal.scopes))
        .build();
  }

  /** Whether this resource challenges with the scheme named {@code name}. */
  private boolean challenges(String name) {
    for (Scheme scheme : schemes) {
      if (scheme.name.equals(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code scheme realm="..."[, scheme params][, error="...", error_description="..."[, scope="..."][,
   * acr_values="..."][, max_age=N]][, resource_metadata="..."]}: the error only on the challenge of
   * {@code target} (the scheme whose credentials were refused, or every scheme), and never on a
   * retryable refusal.
   */
  private Challenge challenge(Scheme scheme, Refusal refusal, String target) {
    Challenge.Builder challenge = Challenge.of(scheme.name, realm);
    scheme.params.forEach(p -> challenge.param(p.getKey(), p.getValue()));
    if (refusal.error != null && !refusal.retry && (EVERY_SCHEME.equals(target) || scheme.name.equals(target))) {
      challenge.error(refusal.error, refusal.description).scope(refusal.scopes).acrValues(refusal.acrValues);
      if (refusal.maxAge >= 0) {
        challenge.maxAge(refusal.maxAge);
      }
    }
    if (resourceMetadata != null) {
      challenge.param("resource_metadata", resourceMetadata);
    }
    return challenge.build();
  }

  /** {@code {"error":"...","error_description":"..."[,"scope":"..."]}}; no {@code error} when {@code error} is null. */
  static String body(String error, String description, List<String> scopes) {
    StringBuilder sb = new StringBuilder("{");
    if (error != null) {
      sb.append("\"error\":");
      appendJsonString(sb, error);
      sb.append(',');
    }
    sb.append("\"error_description\":");
    appendJsonString(sb, description);
    if (!scopes.isEmpty()) {
      sb.append(",\"scope\":");
      appendJsonString(sb, String.join(" ", scopes));
    }
    return sb.append('}').toString();
  }

  /** A JSON string; everything outside printable ASCII, and {@code < > &}, as {@code \\uXXXX}. */
  static void appendJsonString(StringBuilder sb, String value) {
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e || c == '<' || c == '>' || c == '&') {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }
}
