package dev.tokenguard;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why an access token was refused.
 *
 * <p>Every rejection made by {@link AccessTokenVerifier#verify(TokenRequest)} is an instance of this
 * one unchecked class: a forgotten {@code catch} still refuses the request. The {@link #reason()} says
 * what went wrong, {@link #errorCode()} and {@link #httpStatus()} say how to answer per RFC 6750
 * and, for DPoP, RFC 9449 (an HTTP layer adds what its scheme needs, such as the {@code DPoP-Nonce}
 * header from {@link #dpopNonce()}),
 * {@link #safeDescription()} is a fixed sentence safe to send to a client, and {@link #getMessage()}
 * is a detail for your logs (expected and actual issuer, audience, key id or algorithm). Neither
 * ever contains the token, a signature or a key.
 *
 * <p>Rejections are routine and an attacker decides how many happen, so instances are created
 * without a stack trace. Instances are immutable and thread-safe.
 */
public final class TokenVerificationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * What went wrong. Each reason maps to one RFC 6750 error code and one HTTP status. Immutable
   * and thread-safe.
   */
  public enum Reason {
    /** Not a well-formed signed JWT: bad encoding, bad JSON, a claim of the wrong type, too large. */
    MALFORMED("invalid_token", 401, "The access token is malformed."),
    /** The token is not a JWS at all (an opaque token or an encrypted JWE). */
    NOT_A_JWS("invalid_token", 401, "The access token is not a signed JWT."),
    /** The {@code alg} is not on the verifier's allow-list (including {@code none} and HMAC). */
    UNSUPPORTED_ALGORITHM("invalid_token", 401, "The access token is signed with an algorithm this API does not accept."),
    /** A header that must not be present ({@code crit}, {@code b64}, {@code cty}, JWE parameters). */
    UNSUPPORTED_HEADER("invalid_token", 401, "The access token carries a header parameter this API does not accept."),
    /** The signature does not verify with the issuer's key. */
    BAD_SIGNATURE("invalid_token", 401, "The access token signature is invalid."),
    /** No key of the issuer's key set matches the token's {@code kid} (or it has none and several keys fit). */
    UNKNOWN_KEY("invalid_token", 401, "The access token is signed with an unknown key."),
    /** The token's {@code exp} has passed (beyond the allowed clock skew). */
    EXPIRED("invalid_token", 401, "The access token has expired."),
    /** The token's {@code nbf} or {@code iat} lies in the future (beyond the allowed clock skew). */
    NOT_YET_VALID("invalid_token", 401, "The access token is not valid yet."),
    /** The token is older than the configured maximum token age. */
    TOO_OLD("invalid_token", 401, "The access token is too old."),
    /** {@code iss} is not exactly the configured issuer. */
    WRONG_ISSUER("invalid_token", 401, "The access token was issued by an untrusted issuer."),
    /** {@code aud} does not contain this API's identifier. */
    WRONG_AUDIENCE("invalid_token", 401, "The access token is not meant for this API."),
    /** An OpenID Connect ID token (or another non-access JWT) was presented instead of an access token. */
    ID_TOKEN_PRESENTED("invalid_token", 401, "An ID token was presented where an access token is required."),
    /** The {@code typ} header is not an accepted access-token type. */
    WRONG_TYPE("invalid_token", 401, "The access token has the wrong type (typ)."),
    /** A required claim is absent. */
    MISSING_CLAIM("invalid_token", 401, "The access token lacks a required claim."),
    /** A claim failed one of the API's own rules. */
    INVALID_CLAIM("invalid_token", 401, "The access token has a claim this API does not accept."),
    /**
     * The token is sender-constrained ({@code cnf}) and the request does not prove possession of
     * what it is bound to, or it is presented in a way its binding does not allow: a DPoP-bound
     * token ({@code cnf.jkt}) presented as a bearer token (RFC 9449 section 7.2) or with a proof
     * signed by another key (section 4.3 check 12, section 6); a token that is not DPoP-bound
     * presented with the {@code DPoP} scheme (section 7.1); a certificate-bound token ({@code
     * cnf["x5t#S256"]}) without the client certificate it is bound to (RFC 8705 section 3); a
     * {@code cnf} naming no confirmation method the verifier can check. The {@code invalid_token}
     * answer of RFC 9449 section 7.1 (Figure 16) and RFC 8705 section 3.
     */
    BINDING_MISMATCH("invalid_token", 401, "The access token's binding to a key or certificate does not match how this request presents it."),
    /**
     * The resource requires DPoP ({@link Requirement#withDpop()} or {@link DpopPolicy#required()})
     * and the request presents its token as a bearer token: the token is not sufficient for
     * access (RFC 9449 section 7.1). The answer challenges with the {@code DPoP} scheme.
     */
    DPOP_REQUIRED("invalid_token", 401, "This resource requires a DPoP-bound access token sent with the DPoP scheme."),
    /**
     * The DPoP proof is missing or fails a check of RFC 9449 section 4.3 (its shape, type,
     * algorithm, key, signature, {@code htm}, {@code htu}, age, {@code ath}), or it was already
     * used (its {@code jti} was seen within the proof window, section 11.1). The error code
     * {@code invalid_dpop_proof} belongs in a {@code DPoP} challenge (section 7.1).
     */
    INVALID_DPOP_PROOF("invalid_dpop_proof", 401, "The DPoP proof is missing or invalid."),
    /**
     * The verifier requires server-provided nonces (RFC 9449 section 9) and the proof carries no
     * nonce or one that is no longer accepted. {@link TokenVerificationException#dpopNonce()} is
     * the nonce to send in the {@code DPoP-Nonce} header of the 401 answer; the client retries
     * with it.
     */
    USE_DPOP_NONCE("use_dpop_nonce", 401, "The DPoP proof must carry the nonce this resource server provides."),
    /** The token is valid but lacks a scope the request needs (HTTP 403). */
    INSUFFICIENT_SCOPE("insufficient_scope", 403, "The access token lacks the scope this request requires."),
    /**
     * The token is valid but the user's authentication behind it does not meet the request's
     * {@link Requirement#acrValues()} or {@link Requirement#maxAge()} (HTTP 401, RFC 9470 section
     * 3): the client must have the user authenticate again as {@link
     * TokenVerificationException#unmetRequirement()} says and present a new token.
     */
    INSUFFICIENT_USER_AUTHENTICATION("insufficient_user_authentication", 401,
        "The user's authentication does not meet this request's requirements."),
    /**
     * The issuer's keys could not be obtained and no cached key fits: the issuer's fault, not the
     * client's. Answer 503, never 401. Its error code is not an RFC 6750 code.
     */
    KEYS_UNAVAILABLE("temporarily_unavailable", 503, "The issuer's signing keys are temporarily unavailable."),
    /**
     * The DPoP replay store ({@link dev.tokenguard.dpop.ReplayStore}) could not say in time
     * whether the proof was used before, so the request is refused rather than risk accepting a
     * replayed proof: fail closed. Answer 503, never 401; the client may retry. Its error code
     * is not an RFC 6750 code.
     */
    REPLAY_CHECK_UNAVAILABLE("temporarily_unavailable", 503, "The DPoP replay check is temporarily unavailable.");

    private final String errorCode;
    private final int httpStatus;
    private final String safeDescription;

    Reason(String errorCode, int httpStatus, String safeDescription) {
      this.errorCode = errorCode;
      this.httpStatus = httpStatus;
      this.safeDescription = safeDescription;
    }

    /**
     * The error code for the answer: the RFC 6750 section 3.1 code {@code invalid_token} or
     * {@code insufficient_scope}; the RFC 9470 section 3 code {@code insufficient_user_authentication};
     * the RFC 9449 section 7.1 code {@code invalid_dpop_proof} or section 9 {@code use_dpop_nonce}
     * (for a {@code DPoP} challenge); or {@code temporarily_unavailable} for {@link
     * #KEYS_UNAVAILABLE} and {@link #REPLAY_CHECK_UNAVAILABLE} (not an RFC 6750 code: it belongs in a
     * 503 body, not in a challenge).
     *
     * @return the error code, e.g. {@code invalid_token}
     */
    public String errorCode() {
      return errorCode;
    }

    /**
     * The HTTP status to answer with: 401, 403 or 503.
     *
     * @return 401, 403 or 503
     */
    public int httpStatus() {
      return httpStatus;
    }

    /**
     * A fixed sentence safe to return to a client in {@code error_description}.
     *
     * @return a fixed sentence for {@code error_description}
     */
    public String safeDescription() {
      return safeDescription;
    }
  }

  /** Why the token was refused. */
  private final Reason reason;
  /** The sentence for {@code error_description}. */
  private final String safeDescription;
  /** The requirement a valid token did not meet, for INSUFFICIENT_SCOPE and INSUFFICIENT_USER_AUTHENTICATION; else null. */
  private final Requirement unmetRequirement;
  /** The nonce to send in {@code DPoP-Nonce}, for USE_DPOP_NONCE; else null. */
  private final String dpopNonce;

  TokenVerificationException(Reason reason, String detail) {
    this(reason, reason.safeDescription(), detail, null);
  }

  TokenVerificationException(Reason reason, String safeDescription, String detail, Requirement unmetRequirement) {
    this(reason, safeDescription, detail, unmetRequirement, null);
  }

  private TokenVerificationException(Reason reason, String safeDescription, String detail, Requirement unmetRequirement,
      String dpopNonce) {
    super(reason + ": " + detail, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.safeDescription = safeDescription;
    this.unmetRequirement = unmetRequirement;
    this.dpopNonce = dpopNonce;
  }

  /** A {@link Reason#USE_DPOP_NONCE} refusal telling the client to use {@code nonce}. */
  static TokenVerificationException useDpopNonce(String nonce, String detail) {
    return new TokenVerificationException(Reason.USE_DPOP_NONCE, Reason.USE_DPOP_NONCE.safeDescription(), detail, null,
        Objects.requireNonNull(nonce, "nonce"));
  }

  /**
   * What went wrong.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * The error code of the answer: {@code invalid_token} or {@code insufficient_scope} (RFC 6750
   * section 3.1) or {@code insufficient_user_authentication} (RFC 9470 section 3) for the {@code
   * WWW-Authenticate} challenge; {@code invalid_dpop_proof} or {@code use_dpop_nonce} (RFC 9449
   * sections 7.1 and 9) for a {@code DPoP} challenge; for {@code KEYS_UNAVAILABLE} and {@code
   * REPLAY_CHECK_UNAVAILABLE} it is {@code temporarily_unavailable}, which is not an RFC 6750 code
   * and belongs in a 503 body, not in the challenge. Same as {@code reason().errorCode()}.
   *
   * @return the error code, e.g. {@code invalid_token}
   */
  public String errorCode() {
    return reason.errorCode();
  }

  /**
   * The HTTP status to answer with: 401, 403 or 503.
   *
   * @return 401, 403 or 503
   */
  public int httpStatus() {
    return reason.httpStatus();
  }

  /**
   * A description safe to send to a client (printable ASCII, no quotes or backslashes, nothing
   * taken from the token).
   *
   * @return a fixed sentence for {@code error_description}
   */
  public String safeDescription() {
    return safeDescription;
  }

  /**
   * The scopes the answer names in the RFC 6750 section 3 {@code scope} attribute, all of them or
   * any one as {@link #unmetRequirement()} says: for {@link Reason#INSUFFICIENT_SCOPE} the scopes
   * the request required; for {@link Reason#INSUFFICIENT_USER_AUTHENTICATION} the same when the
   * token lacks them too (RFC 9470 section 3), else none; empty for every other reason.
   *
   * @return the scopes to name, in order; empty when none
   */
  public List<String> requiredScopes() {
    return unmetRequirement == null ? List.of() : unmetRequirement.scopes();
  }

  /**
   * What the answer must name, from the request's requirement that the (valid) token does not
   * meet: for {@link Reason#INSUFFICIENT_SCOPE} its scopes; for {@link
   * Reason#INSUFFICIENT_USER_AUTHENTICATION} all of its {@link Requirement#acrValues()} (the
   * challenge's {@code acr_values}, in order of preference) and its {@link Requirement#maxAge()}
   * ({@code max_age}, in seconds), both whichever one failed, and its scopes only when the token
   * lacks them too. Empty for every other reason.
   *
   * @return the unmet requirement; empty for every other reason
   */
  public Optional<Requirement> unmetRequirement() {
    return Optional.ofNullable(unmetRequirement);
  }

  /**
   * For {@link Reason#USE_DPOP_NONCE}: the nonce the client must put in its next DPoP proof, to
   * send in the answer's {@code DPoP-Nonce} header (RFC 9449 sections 8 and 9; {@code 1*NQCHAR},
   * section 8.1); empty for every other reason.
   *
   * @return the nonce for {@code DPoP-Nonce}; empty for every other reason
   */
  public Optional<String> dpopNonce() {
    return Optional.ofNullable(dpopNonce);
  }

  /**
   * True when the client is not at fault and should retry later ({@link Reason#KEYS_UNAVAILABLE},
   * {@link Reason#REPLAY_CHECK_UNAVAILABLE}).
   *
   * @return true only for {@link Reason#KEYS_UNAVAILABLE} and {@link Reason#REPLAY_CHECK_UNAVAILABLE}
   */
  public boolean isRetryable() {
    return reason == Reason.KEYS_UNAVAILABLE || reason == Reason.REPLAY_CHECK_UNAVAILABLE;
  }
}
