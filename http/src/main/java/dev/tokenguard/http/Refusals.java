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
 * Scheme}), so a second scheme (RFC 9449's {@code DPoP}, with its {@code algs}) adds a challenge to
 * every answer and a header such as {@code DPoP-Nonce} through {@link Refusal#headers}, without a
 * second mapping. Immutable and thread-safe.
 */
final class Refusals {
  static final String INVALID_REQUEST = "invalid_request";

  static final String NO_CREDENTIALS_DESCRIPTION = "This request requires an access token.";

  /** Refusals are logged at DEBUG under the name of {@link ProtectedResource}, never with the token. */
  private static final Logger LOG = LoggerFactory.getLogger(ProtectedResource.class);

  /**
   * One authentication scheme the resource accepts and challenges with, and the auth-params its
   * challenge always carries after the realm (RFC 9449 section 7.1: {@code DPoP} names its {@code
   * algs}). Immutable.
   */
  static final class Scheme {
    static final Scheme BEARER = new Scheme(Challenge.BEARER, List.of());

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
    /** The scheme whose credentials were refused, or null when no challenge names an error. */
    final String scheme;
    /** Header fields besides the fixed ones (issue 12: {@code DPoP-Nonce}), in order. */
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

    /** A refusal of the bearer credentials with nothing a requirement names. */
    static Refusal bearer(String why, int status, String error, String description) {
      return new Refusal(why, status, error, description, List.of(), List.of(), -1, false, Challenge.BEARER, List.of());
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

  /** A malformed request (RFC 6750 section 3.1 {@code invalid_request}): 400. */
  Answer invalidRequest(String description) {
    return answer(Refusal.bearer(description, 400, INVALID_REQUEST, description));
  }

  /**
   * A presented token whose characters are not a {@code b64token} (RFC 6750 section 2.1): the
   * request is well-formed, the credential is not, so 401 with core's answer to a malformed token.
   */
  Answer malformedToken() {
    TokenVerificationException.Reason reason = TokenVerificationException.Reason.MALFORMED;
    return answer(Refusal.bearer("characters outside b64token", reason.httpStatus(), reason.errorCode(), reason.safeDescription()));
  }

  /**
   * A token the verifier refused. Retryable (the issuer's keys unavailable): 503 with {@code
   * Retry-After} and a challenge that blames nobody; the client is not at fault. A valid token that
   * does not meet the path's {@link Requirement}: for the user's authentication, 401 {@code
   * insufficient_user_authentication} with {@code acr_values} and {@code max_age} (RFC 9470 section
   * 3) and {@code scope} when the token lacks scopes too; for the scopes, 403 {@code
   * insufficient_scope} naming the scopes of the unmet requirement (RFC 6750 section 3.1), the
   * description saying whether all or one of them is needed. Anything else: the status and code
   * core gives, 401 {@code invalid_token}.
   */
  Answer refused(TokenVerificationException e, String why) {
    if (e.isRetryable()) {
      return answer(new Refusal(why, 503, e.errorCode(), e.safeDescription(), List.of(), List.of(), -1, true, null, List.of()));
    }
    List<String> scopes = List.of();
    List<String> acrValues = List.of();
    long maxAge = -1;
    switch (e.reason()) {
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
        Challenge.BEARER, List.of()));
  }

  /** The answer to {@code refusal}: one challenge per scheme, in order, then the fixed header fields and the body. */
  Answer answer(Refusal refusal) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("Refused a request: {} {} ({})", refusal.status, refusal.error != null ? refusal.error : "no credentials",
          refusal.why);
    }
    Answer.Builder answer = new Answer.Builder(refusal.status);
    for (Scheme scheme : schemes) {
      answer.header("WWW-Authenticate", challenge(scheme, refusal).render());
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

  /**
   * {@code scheme realm="..."[, scheme params][, error="...", error_description="..."[, scope="..."][,
   * acr_values="..."][, max_age=N]][, resource_metadata="..."]}: the error only on the challenge of
   * the scheme whose credentials were refused, and never on a retryable refusal.
   */
  private Challenge challenge(Scheme scheme, Refusal refusal) {
    Challenge.Builder challenge = Challenge.of(scheme.name, realm);
    scheme.params.forEach(p -> challenge.param(p.getKey(), p.getValue()));
    if (refusal.error != null && !refusal.retry && scheme.name.equals(refusal.scheme)) {
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
