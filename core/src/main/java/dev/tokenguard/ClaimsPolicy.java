package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.EXPIRED;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.MISSING_CLAIM;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_YET_VALID;
import static dev.tokenguard.TokenVerificationException.Reason.TOO_OLD;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_AUDIENCE;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The checks a token's claims must pass before any key is looked up, once its issuer is known to
 * be trusted: what kind of token it is ({@link IdTokenEvidence}), {@code aud} (RFC 7519 section
 * 4.1.3, RFC 9068 section 4), {@code exp}, {@code nbf} and {@code iat} with the clock skew (RFC
 * 7519 sections 4.1.4-4.1.6), the maximum token age, the claims that must be strings, the shapes
 * of {@code auth_time}, {@code acr} and {@code amr} (RFC 9068 section 2.2.1), the strict RFC 9068
 * profile's required claims (section 2.2) and the API's required claims. Immutable and
 * thread-safe.
 */
final class ClaimsPolicy {
  /** 9999-12-31T23:59:59Z: a NumericDate beyond it is not a date any issuer means. */
  private static final long MAX_NUMERIC_DATE = 253_402_300_799L;

  private final List<String> audiences;
  private final long skewMillis;
  private final long maxTokenAgeMillis;
  private final List<String> requiredClaims;

  ClaimsPolicy(VerifierConfig.Shared config) {
    this.audiences = config.audiences;
    this.skewMillis = config.skewMillis;
    this.maxTokenAgeMillis = config.maxTokenAgeMillis;
    this.requiredClaims = List.copyOf(config.requiredClaims);
  }

  long skewMillis() {
    return skewMillis;
  }

  long maxTokenAgeMillis() {
    return maxTokenAgeMillis;
  }

  /**
   * Runs every claim check for a token of {@code issuer}, cheapest and most telling first.
   *
   * @throws TokenVerificationException naming the first check that failed
   */
  ValidClaims check(String headerTyp, Map<String, Object> claims, Issuer issuer, long nowMillis) {
    IdTokenEvidence.check(headerTyp, claims, issuer.scopeClaims, issuer.config.strictRfc9068);
    List<String> audience = checkAudience(claims);
    Long exp = numericDate(claims, "exp");
    if (exp == null) {
      throw reject(MISSING_CLAIM, "exp is missing or null; every access token must expire");
    }
    if (nowMillis >= exp * 1000 + skewMillis) {
      throw reject(EXPIRED, "expired at " + Instant.ofEpochSecond(exp) + ", now " + Instant.ofEpochMilli(nowMillis));
    }
    Long nbf = numericDate(claims, "nbf");
    if (nbf != null && nowMillis + skewMillis < nbf * 1000) {
      throw reject(NOT_YET_VALID, "nbf " + Instant.ofEpochSecond(nbf) + " is in the future");
    }
    Long iat = numericDate(claims, "iat");
    if (iat != null && iat * 1000 > nowMillis + skewMillis) {
      throw reject(NOT_YET_VALID, "iat " + Instant.ofEpochSecond(iat) + " is in the future");
    }
    if (maxTokenAgeMillis >= 0) {
      if (iat == null) {
        throw reject(MISSING_CLAIM, "iat is required to enforce the maximum token age");
      }
      if (nowMillis - iat * 1000 > maxTokenAgeMillis + skewMillis) {
        throw reject(TOO_OLD, "issued at " + Instant.ofEpochSecond(iat) + ", older than the maximum token age");
      }
    }
    checkAuthenticationClaims(claims);
    ValidClaims valid = new ValidClaims(
        requiredString(claims, "sub"), optionalString(claims, "client_id"), optionalString(claims, "azp"),
        optionalString(claims, "jti"), optionalString(claims, "gty"), audience, exp, nbf, iat);
    if (issuer.config.strictRfc9068) {
      requireForRfc9068(valid);
    }
    for (String name : requiredClaims) {
      if (claims.get(name) == null) {
        throw reject(MISSING_CLAIM, name + " is missing or null");
      }
    }
    // Only checked here: the set of scopes is built once the signature has verified
    // (ValidClaims.toAccessToken), so a forged or unknown-key token does not pay for it.
    issuer.scopeClaims.check(claims);
    return valid;
  }

  /**
   * The claims about the user's authentication (RFC 9068 section 2.2.1), which step-up
   * requirements rely on (RFC 9470 section 6.1): {@code auth_time} a NumericDate, {@code acr} a
   * string, {@code amr} an array of strings, each when present.
   */
  private static void checkAuthenticationClaims(Map<String, Object> claims) {
    numericDate(claims, "auth_time");
    optionalString(claims, "acr");
    Object amr = claims.get("amr");
    if (amr != null) {
      if (!(amr instanceof List)) {
        throw reject(MALFORMED, "amr is not an array of strings");
      }
      for (Object method : (List<?>) amr) {
        if (!(method instanceof String)) {
          throw reject(MALFORMED, "amr is not an array of strings");
        }
      }
    }
  }

  private static void requireForRfc9068(ValidClaims valid) {
    if (valid.clientIdClaim == null) {
      throw reject(MISSING_CLAIM, "client_id is required by RFC 9068");
    }
    if (valid.jti == null) {
      throw reject(MISSING_CLAIM, "jti is required by RFC 9068");
    }
    if (valid.iat == null) {
      throw reject(MISSING_CLAIM, "iat is required by RFC 9068");
    }
  }

  /** The audience values when one of them is this API's; refuses otherwise. */
  private List<String> checkAudience(Map<String, Object> claims) {
    Object aud = claims.get("aud");
    if (aud == null) {
      throw reject(MISSING_CLAIM, "aud is missing");
    }
    List<String> values = StringOrArray.read(aud);
    if (values == null) {
      throw reject(MALFORMED, "aud is neither a string nor an array of strings");
    }
    for (String accepted : audiences) {
      if (values.contains(accepted)) {
        return values;
      }
    }
    throw reject(WRONG_AUDIENCE, "expected aud containing " + audiences + ", got " + Detail.quote(values));
  }

  /** A NumericDate claim in whole seconds, or null when absent; refuses null values and non-numbers. */
  static Long numericDate(Map<String, Object> claims, String name) {
    if (!claims.containsKey(name)) {
      return null;
    }
    Object value = claims.get(name);
    if (!(value instanceof Number)) {
      throw reject(MALFORMED, name + " is " + (value == null ? "null" : "not a number") + "; it must be a NumericDate");
    }
    double seconds = ((Number) value).doubleValue();
    if (!(seconds >= 0 && seconds <= MAX_NUMERIC_DATE)) {
      throw reject(MALFORMED, name + " is out of the range of dates");
    }
    return value instanceof Long ? (Long) value : (long) Math.floor(seconds);
  }

  private static String requiredString(Map<String, Object> claims, String name) {
    String value = optionalString(claims, name);
    if (value == null) {
      throw reject(MISSING_CLAIM, name + " is missing");
    }
    return value;
  }

  static String optionalString(Map<String, Object> claims, String name) {
    Object value = claims.get(name);
    if (value != null && !(value instanceof String)) {
      throw reject(MALFORMED, name + " is not a string");
    }
    return (String) value;
  }

  private static TokenVerificationException reject(TokenVerificationException.Reason reason, String detail) {
    return new TokenVerificationException(reason, detail);
  }
}
