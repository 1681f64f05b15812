package dev.tokenguard;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The claims of a token that passed {@link ClaimsPolicy}, read once, and how they become the
 * {@link AccessToken} users see. Belongs to one verification.
 */
final class ValidClaims {
  final String sub;
  /** The {@code client_id} claim itself (RFC 9068 section 2.2), or null. */
  final String clientIdClaim;
  final String azp;
  final String jti;
  final String gty;
  final List<String> audience;
  final long exp;
  final Long nbf;
  final Long iat;
  Set<String> scopes = Set.of();

  ValidClaims(String sub, String clientIdClaim, String azp, String jti, String gty, List<String> audience, long exp,
      Long nbf, Long iat) {
    this.sub = sub;
    this.clientIdClaim = clientIdClaim;
    this.azp = azp;
    this.jti = jti;
    this.gty = gty;
    this.audience = audience;
    this.exp = exp;
    this.nbf = nbf;
    this.iat = iat;
  }

  /**
   * The verified token. Takes ownership of {@code claims} (the freshly parsed map nothing else
   * holds) and freezes it in place; {@code clock} and {@code skewMillis} are the verifier's, for
   * the maximum authentication age a {@link Requirement} may check on every request.
   */
  AccessToken toAccessToken(String issuer, Map<String, Object> claims, Clock clock, long skewMillis) {
    String clientId = clientId(claims);
    return new AccessToken(
        issuer,
        sub,
        audience,
        clientId,
        scopes,
        Instant.ofEpochSecond(exp),
        iat == null ? null : Instant.ofEpochSecond(iat),
        jti,
        isMachineToMachine(clientId, claims),
        publicClaims(claims),
        clock,
        skewMillis);
  }

  /**
   * The client the token was issued to: {@code client_id} (RFC 9068), else {@code azp} (OpenID
   * Connect; Auth0, Keycloak, Entra ID v2), else Okta's {@code cid}, else Entra ID v1's {@code
   * appid}. Only strings count.
   */
  private String clientId(Map<String, Object> claims) {
    if (clientIdClaim != null) {
      return clientIdClaim;
    }
    if (azp != null) {
      return azp;
    }
    for (String name : new String[] {"cid", "appid"}) {
      Object value = claims.get(name);
      if (value instanceof String) {
        return (String) value;
      }
    }
    return null;
  }

  /**
   * True when the token was issued to a client acting on its own behalf (no resource owner, RFC
   * 9068 section 2.2), by each issuer's marker: Auth0's {@code gty: client-credentials} or {@code
   * sub} ending in {@code @clients}; {@code sub} equal to the client id (RFC 9068: Okta,
   * oidc-provider); for a token naming no client at all, {@code sub} among the audiences (Spring
   * Authorization Server names the client in {@code aud}); Keycloak's service-account user {@code
   * preferred_username: service-account-<client>}; Entra ID's {@code idtyp: app}.
   */
  private boolean isMachineToMachine(String clientId, Map<String, Object> claims) {
    return "client-credentials".equals(gty)
        || sub.endsWith("@clients")
        || sub.equals(clientId)
        || (clientId == null && audience.contains(sub))
        || (clientId != null && ("service-account-" + clientId).equals(claims.get("preferred_username")))
        || "app".equals(claims.get("idtyp"));
  }

  /** The claims as users see them: dates as Instant, everything unmodifiable all the way down. */
  private Map<String, Object> publicClaims(Map<String, Object> claims) {
    for (Map.Entry<String, Object> e : claims.entrySet()) {
      Object value = e.getValue();
      if (value instanceof List || value instanceof Map) {
        e.setValue(freeze(value));
      }
    }
    claims.put("exp", Instant.ofEpochSecond(exp));
    if (nbf != null) {
      claims.put("nbf", Instant.ofEpochSecond(nbf));
    }
    if (iat != null) {
      claims.put("iat", Instant.ofEpochSecond(iat));
    }
    return Collections.unmodifiableMap(claims);
  }

  @SuppressWarnings("unchecked")
  private static Object freeze(Object value) {
    if (value instanceof List) {
      List<Object> copy = new ArrayList<>(((List<?>) value).size());
      for (Object item : (List<?>) value) {
        copy.add(freeze(item));
      }
      return Collections.unmodifiableList(copy);
    }
    if (value instanceof Map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<String, Object> e : ((Map<String, Object>) value).entrySet()) {
        copy.put(e.getKey(), freeze(e.getValue()));
      }
      return Collections.unmodifiableMap(copy);
    }
    return value;
  }
}
