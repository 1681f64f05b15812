package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.ID_TOKEN_PRESENTED;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_TYPE;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one rule that tells an OpenID Connect ID token (or another JWT that is not an access token)
 * from an access token, by weighing evidence rather than trusting one claim. An ID token is meant
 * for the client that asked for it (OpenID Connect Core 1.0 section 2); accepting one as an access
 * token lets any client that got a user's ID token call the API as that user.
 *
 * <ol>
 *   <li><b>Conclusive</b>, refused whatever else the token carries: {@code at_hash}, {@code c_hash}
 *       or {@code s_hash} (OpenID Connect Core 1.0 sections 3.1.3.6, 3.3.2.11; FAPI), or the
 *       payload {@code typ} {@code "ID"} (Keycloak's ID tokens): ID_TOKEN_PRESENTED. A header
 *       {@code typ} other than {@code at+jwt}, {@code application/at+jwt}, {@code JWT} or absent
 *       (RFC 9068 section 2.1, RFC 8725 section 3.11), or Keycloak's payload {@code typ} {@code
 *       Refresh}, {@code Offline} or {@code Logout}: WRONG_TYPE.
 *   <li><b>Weighed.</b> Evidence of an ID token: {@code nonce} (section 2, echoed from the
 *       authentication request), {@code azp} among the audiences (section 2: the client the token
 *       was issued to), {@code auth_time} with {@code sid} and no scope claim. Evidence of an
 *       access token: header {@code typ} {@code at+jwt}, payload {@code typ} {@code "Bearer"}
 *       (Keycloak), a scope claim, {@code client_id} (RFC 9068 section 2.2), {@code gty} (Auth0).
 *       A token with evidence of an ID token and none of an access token is refused as
 *       ID_TOKEN_PRESENTED; access-token evidence outweighs it (older Keycloak copies the login
 *       {@code nonce} into its access tokens).
 *   <li>The strict RFC 9068 profile then refuses {@code typ} {@code JWT} or absent as WRONG_TYPE.
 * </ol>
 *
 * <p>A bare {@code {iss, sub, aud, exp, iat}} ID token issued to a client whose client_id is the
 * API's own identifier carries no evidence either way; the strict RFC 9068 profile (which requires
 * {@code typ: at+jwt}) is the defence against it.
 */
final class IdTokenEvidence {
  private static final List<String> HASH_CLAIMS = List.of("at_hash", "c_hash", "s_hash");
  /** Keycloak's payload {@code typ} values of tokens that are not access tokens (besides "ID"). */
  private static final List<String> OTHER_KEYCLOAK_TYPES = List.of("Refresh", "Offline", "Logout");

  /** What the header {@code typ} says. */
  enum HeaderType {
    /** {@code at+jwt} or {@code application/at+jwt}, any case: an access token (RFC 9068). */
    ACCESS_TOKEN,
    /** {@code JWT} or absent: says nothing about the kind of token. */
    UNSPECIFIC,
    /** Anything else: another kind of JWT. */
    FOREIGN
  }

  private IdTokenEvidence() {}

  /** Classifies a header {@code typ} (RFC 7515 section 4.1.9: a media type, case-insensitive, {@code application/} optional). */
  static HeaderType classify(String typ) {
    if (typ == null || typ.equals("JWT")) {
      return HeaderType.UNSPECIFIC;
    }
    if (typ.equals("at+jwt")) {
      return HeaderType.ACCESS_TOKEN;
    }
    String type = typ.toLowerCase(Locale.ROOT);
    if (type.startsWith("application/")) {
      type = type.substring("application/".length());
    }
    if (type.equals("at+jwt")) {
      return HeaderType.ACCESS_TOKEN;
    }
    return type.equals("jwt") ? HeaderType.UNSPECIFIC : HeaderType.FOREIGN;
  }

  /**
   * Refuses a token that is not an access token, as the class description says.
   *
   * @throws TokenVerificationException ID_TOKEN_PRESENTED or WRONG_TYPE
   */
  static void check(String headerTyp, Map<String, Object> claims, ScopeClaims scopeClaims, boolean strict) {
    for (String name : HASH_CLAIMS) {
      if (claims.containsKey(name)) {
        throw reject(ID_TOKEN_PRESENTED, "the token carries " + name + ", a claim only ID tokens have; send the access token instead");
      }
    }
    Object payloadTyp = claims.get("typ");
    if ("ID".equals(payloadTyp)) {
      throw reject(ID_TOKEN_PRESENTED, "the payload typ \"ID\" marks an ID token; send the access token instead");
    }
    HeaderType header = classify(headerTyp);
    if (header == HeaderType.FOREIGN) {
      throw reject(WRONG_TYPE, "typ " + Detail.quote(headerTyp) + " marks another kind of JWT, not an access token");
    }
    if (payloadTyp instanceof String && OTHER_KEYCLOAK_TYPES.contains(payloadTyp)) {
      throw reject(WRONG_TYPE, "the payload typ " + Detail.quote(payloadTyp) + " marks another kind of token, not an access token");
    }
    boolean scopeClaim = scopeClaims.presentIn(claims) || hasAny(claims, ScopeClaims.DEFAULT);
    boolean accessTokenEvidence = header == HeaderType.ACCESS_TOKEN
        || (payloadTyp instanceof String && ((String) payloadTyp).equalsIgnoreCase("Bearer"))
        || scopeClaim
        || claims.get("client_id") != null
        || claims.get("gty") != null;
    if (!accessTokenEvidence) {
      String idTokenEvidence = idTokenEvidence(claims);
      if (idTokenEvidence != null) {
        throw reject(ID_TOKEN_PRESENTED, "the token " + idTokenEvidence
            + " and nothing marks it as an access token: this is an ID token, not an access token for this API");
      }
    }
    if (strict && header != HeaderType.ACCESS_TOKEN) {
      throw reject(WRONG_TYPE, "typ " + (headerTyp == null ? "absent" : Detail.quote(headerTyp)) + "; the RFC 9068 profile requires at+jwt");
    }
  }

  /** A description of the ID-token evidence in {@code claims}, or null when there is none. */
  private static String idTokenEvidence(Map<String, Object> claims) {
    if (claims.containsKey("nonce")) {
      return "carries nonce";
    }
    Object azp = claims.get("azp");
    List<String> audience = StringOrArray.read(claims.get("aud"));
    if (azp instanceof String && audience != null && audience.contains(azp)) {
      return "names its authorized party " + Detail.quote(azp) + " among its audiences";
    }
    if (claims.get("auth_time") != null && claims.get("sid") != null) {
      return "carries auth_time and sid without any scope";
    }
    return null;
  }

  private static boolean hasAny(Map<String, Object> claims, List<String> names) {
    for (String name : names) {
      if (claims.get(name) != null) {
        return true;
      }
    }
    return false;
  }

  private static TokenVerificationException reject(TokenVerificationException.Reason reason, String detail) {
    return new TokenVerificationException(reason, detail);
  }
}
