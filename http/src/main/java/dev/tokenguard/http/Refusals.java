package dev.tokenguard.http;

import dev.tokenguard.Requirement;
import dev.tokenguard.TokenVerificationException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from why a request is refused to its answer (RFC 6750 section 3, RFC 9110
 * section 11.6.1): the status, the {@code Bearer} challenge with the realm and, when the client is
 * at fault, the error; {@code Retry-After} on a 503; the JSON body. Descriptions of token refusals
 * come from core ({@link TokenVerificationException#safeDescription()}); only the request-level
 * descriptions (no credentials, malformed requests) are written here. Immutable and thread-safe.
 */
final class Refusals {
  static final String INVALID_REQUEST = "invalid_request";

  static final String NO_CREDENTIALS_DESCRIPTION = "This request requires an access token.";

  /** Refusals are logged at DEBUG under the name of {@link ProtectedResource}, never with the token. */
  private static final Logger LOG = LoggerFactory.getLogger(ProtectedResource.class);

  private final String realm;
  private final long retryAfterSeconds;

  Refusals(String realm, long retryAfterSeconds) {
    this.realm = realm;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** No credentials of an accepted scheme: 401 and a challenge without error information (RFC 6750 section 3.1). */
  Answer noCredentials(String why) {
    return answer(why, 401, challenge().build(), null, NO_CREDENTIALS_DESCRIPTION, List.of(), false);
  }

  /** A malformed request (RFC 6750 section 3.1 {@code invalid_request}): 400. */
  Answer invalidRequest(String description) {
    return answer(description, 400, challenge().error(INVALID_REQUEST, description).build(), INVALID_REQUEST, description, List.of(), false);
  }

  /**
   * A presented token whose characters are not a {@code b64token} (RFC 6750 section 2.1): the
   * request is well-formed, the credential is not, so 401 with core's answer to a malformed token.
   */
  Answer malformedToken() {
    TokenVerificationException.Reason reason = TokenVerificationException.Reason.MALFORMED;
    return answer("characters outside b64token", reason.httpStatus(), challenge().error(reason.errorCode(), reason.safeDescription()).build(),
        reason.errorCode(), reason.safeDescription(), List.of(), false);
  }

  /**
   * A token the verifier refused. Retryable (the issuer's keys unavailable): 503 with {@code
   * Retry-After} and a challenge that blames nobody; the client is not at fault. A valid token that
   * does not meet the path's {@link Requirement}: 403 {@code insufficient_scope} naming the scopes
   * of the unmet requirement (RFC 6750 section 3.1); the description says whether all or one of
   * them is needed. Anything else: the status and code core gives, 401 {@code invalid_token}.
   */
  Answer refused(TokenVerificationException e, String why) {
    if (e.isRetryable()) {
      return answer(why, 503, challenge().build(), e.errorCode(), e.safeDescription(), List.of(), true);
    }
    List<String> scopes = e.reason() == TokenVerificationException.Reason.INSUFFICIENT_SCOPE
        ? e.unmetRequirement().map(Requirement::scopes).orElse(e.requiredScopes())
        : List.of();
    Challenge challenge = challenge().error(e.errorCode(), e.safeDescription()).scope(scopes).build();
    return answer(why, e.httpStatus(), challenge, e.errorCode(), e.safeDescription(), scopes, false);
  }

  private Challenge.Builder challenge() {
    return Challenge.of(Challenge.BEARER, realm);
  }

  private Answer answer(String why, int status, Challenge challenge, String error, String description, List<String> scopes,
      boolean retry) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("Refused a request: {} {} ({})", status, error != null ? error : "no credentials", why);
    }
    Answer.Builder answer = new Answer.Builder(status).header("WWW-Authenticate", challenge.render());
    if (retry) {
      answer.header("Retry-After", Long.toString(retryAfterSeconds));
    }
    return answer.header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
        .body(body(error, description, scopes))
        .build();
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
