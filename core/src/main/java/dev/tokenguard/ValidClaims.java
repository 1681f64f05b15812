package dev.tokenguard;

import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
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
   * The verified token. Takes ownership of {@code claims} (the freshly parsed map, whose lists and
   * objects nothing else holds) and freezes it in place; the scopes are read from it with {@code
   * scopeClaims}, which {@link ClaimsPolicy} checked them against; {@code clock} and {@code
   * skewMillis} are the verifier's, for the maximum authentication age a {@link Requirement} may
   * check on every request.
   */
  AccessToken toAccessToken(String issuer, Map<String, Object> claims, ScopeClaims scopeClaims, Clock clock,
      long skewMillis) {
    Set<String> scopes = scopeClaims.read(claims);
    String clientId = clientId(claims);
    Instant expiresAt = Instant.ofEpochSecond(exp);
    Instant issuedAt = iat == null ? null : Instant.ofEpochSecond(iat);
    boolean machineToMachine = isMachineToMachine(clientId, claims);
    return new AccessToken(
        issuer,
        sub,
        audience,
        clientId,
        scopes,
        expiresAt,
        issuedAt,
        jti,
        machineToMachine,
        publicClaims(claims, expiresAt, issuedAt),
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
    for (String name : OTHER_CLIENT_CLAIMS) {
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
        || (clientId != null && isServiceAccountOf(clientId, claims.get("preferred_username")))
        || "app".equals(claims.get("idtyp"));
  }

  /** Okta's and Entra ID v1's claims naming the client, in that order. */
  private static final String[] OTHER_CLIENT_CLAIMS = {"cid", "appid"};

  /** Whether {@code username} is {@code "service-account-" + clientId} (Keycloak), compared without building it. */
  private static boolean isServiceAccountOf(String clientId, Object username) {
    if (!(username instanceof String)) {
      return false;
    }
    String name = (String) username;
    return name.length() == SERVICE_ACCOUNT.length() + clientId.length() && name.startsWith(SERVICE_ACCOUNT)
        && name.endsWith(clientId);
  }

  private static final String SERVICE_ACCOUNT = "service-account-";

  /**
   * The claims as users see them: dates as Instant ({@code expiresAt} and {@code issuedAt} are the
   * token's own), everything unmodifiable all the way down. Lists and objects are wrapped where
   * they are, not copied: the parser made them for this token alone.
   */
  private Map<String, Object> publicClaims(Map<String, Object> claims, Instant expiresAt, Instant issuedAt) {
    for (Map.Entry<String, Object> e : claims.entrySet()) {
      Object value = e.getValue();
      if (value instanceof List || value instanceof Map) {
        e.setValue(freeze(value));
      }
    }
    claims.put("exp", expiresAt);
    if (nbf != null) {
      claims.put("nbf", Instant.ofEpochSecond(nbf));
    }
    if (issuedAt != null) {
      claims.put("iat", issuedAt);
    }
    return Collections.unmodifiableMap(claims);
  }

  @SuppressWarnings("unchecked")
  private static Object freeze(Object value) {
    if (value instanceof List) {
      List<Object> list = (List<Object>) value;
      for (int i = 0, n = list.size(); i < n; i++) {
        Object item = list.get(i);
        if (item instanceof List || item instanceof Map) {
          list.set(i, freeze(item));
        }
      }
      return Collections.unmodifiableList(list);
    }
    if (value instanceof Map) {
      for (Map.Entry<String, Object> e : ((Map<String, Object>) value).entrySet()) {
        Object item = e.getValue();
        if (item instanceof List || item instanceof Map) {
          e.setValue(freeze(item));
        }
      }
      return Collections.unmodifiableMap((Map<String, Object>) value);
    }
    return value;
  }
}
