package dev.tokenguard;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An access token that passed every check of an {@link AccessTokenVerifier}.
 *
 * <p>Only a verifier can create one, so holding an {@code AccessToken} means the token was
 * verified. It is immutable and thread-safe. {@link #toString()} shows the subject, client, scopes
 * and expiry, never the raw token or its signature.
 */
public final class AccessToken {
  private final String issuer;
  private final String subject;
  private final List<String> audience;
  private final String clientId;
  private final Set<String> scopes;
  private final Instant expiresAt;
  private final Instant issuedAt;
  private final String jwtId;
  private final boolean machineToMachine;
  private final Map<String, Object> claims;
  /** The clock and clock skew of the verifier that verified it: for a {@link Requirement}'s maximum authentication age. */
  private final Clock clock;
  private final long skewMillis;

  AccessToken(
      String issuer,
      String subject,
      List<String> audience,
      String clientId,
      Set<String> scopes,
      Instant expiresAt,
      Instant issuedAt,
      String jwtId,
      boolean machineToMachine,
      Map<String, Object> claims,
      Clock clock,
      long skewMillis) {
    this.issuer = issuer;
    this.subject = subject;
    this.audience = audience;
    this.clientId = clientId;
    this.scopes = scopes;
    this.expiresAt = expiresAt;
    this.issuedAt = issuedAt;
    this.jwtId = jwtId;
    this.machineToMachine = machineToMachine;
    this.claims = claims;
    this.clock = clock;
    this.skewMillis = skewMillis;
  }

  /**
   * The {@code iss} claim: exactly the identifier of the trusted issuer whose key verified the
   * token, or one of that issuer's {@linkplain TrustedIssuer.Builder#alias aliases}.
   *
   * @return the {@code iss} the token carries
   */
  public String issuer() {
    return issuer;
  }

  /**
   * The {@code sub} claim (always present: a token without it is refused): a user id, or for
   * machine-to-machine tokens the client's id (see {@link #isMachineToMachine()}).
   *
   * @return the {@code sub} claim
   */
  public String subject() {
    return subject;
  }

  /**
   * The {@code aud} values, in token order (a single string becomes a one-element list).
   *
   * @return the audiences in token order; never empty
   */
  public List<String> audience() {
    return audience;
  }

  /**
   * The client the token was issued to: {@code client_id} (RFC 9068 section 2.2), else {@code azp}
   * (OpenID Connect; Auth0, Keycloak, Entra ID v2), else {@code cid} (Okta), else {@code appid}
   * (Entra ID v1). Empty when the token names none (Spring Authorization Server names the client
   * only in {@code aud}).
   *
   * @return the client id; empty when the token names no client
   */
  public Optional<String> clientId() {
    return Optional.ofNullable(clientId);
  }

  /**
   * The granted scopes, from the claims the verifier reads (by default {@code scope}, {@code scp}
   * and {@code permissions}, each a space-delimited string or an array of strings), merged in claim
   * order without repeats. Unmodifiable.
   *
   * @return the granted scopes in claim order; unmodifiable, empty when none
   */
  public Set<String> scopes() {
    return scopes;
  }

  /**
   * Whether {@link #scopes()} contains {@code scope} (exact, case-sensitive).
   *
   * @param scope the scope, e.g. {@code read:patients}
   * @return true when the token carries {@code scope}
   * @throws NullPointerException when {@code scope} is null
   */
  public boolean hasScope(String scope) {
    Objects.requireNonNull(scope, "scope");
    return scopes.contains(scope);
  }

  /**
   * The {@code exp} claim (always present: a token without it is refused).
   *
   * @return the {@code exp} instant
   */
  public Instant expiresAt() {
    return expiresAt;
  }

  /**
   * The {@code iat} claim, if present.
   *
   * @return the {@code iat} instant; empty when absent
   */
  public Optional<Instant> issuedAt() {
    return Optional.ofNullable(issuedAt);
  }

  /**
   * The {@code nbf} claim (RFC 7519 section 4.1.5): the token is not valid before it; empty when absent.
   *
   * @return the {@code nbf} instant; empty when absent
   */
  public Optional<Instant> notBefore() {
    Object nbf = claims.get("nbf");
    return nbf instanceof Instant ? Optional.of((Instant) nbf) : Optional.empty();
  }

  /**
   * The {@code jti} claim, if present.
   *
   * @return the {@code jti} claim; empty when absent
   */
  public Optional<String> jwtId() {
    return Optional.ofNullable(jwtId);
  }

  /**
   * The {@code acr} claim (RFC 9068 section 2.2.1, OpenID Connect Core 1.0 section 2): the
   * authentication context class reference the user's authentication satisfied, such as {@code
   * http://schemas.openid.net/pape/policies/2007/06/multi-factor} or Keycloak's {@code "1"}: what
   * {@link Requirement#withAcrValues(String...)} checks (RFC 9470 section 6.1). Empty when absent
   * (a token whose {@code acr} is not a string is refused as {@code MALFORMED} at verification).
   *
   * @return the {@code acr}; empty when absent
   */
  public Optional<String> acr() {
    Object acr = claims.get("acr");
    return acr instanceof String ? Optional.of((String) acr) : Optional.empty();
  }

  /**
   * The {@code amr} claim (RFC 9068 section 2.2.1, OpenID Connect Core 1.0 section 2): the
   * methods the user authenticated with, such as {@code pwd}, {@code otp} or {@code mfa} (RFC 8176
   * section 2), in token order. Unmodifiable; empty when absent (a token whose {@code amr} is not
   * an array of strings is refused as {@code MALFORMED} at verification).
   *
   * @return the authentication methods in token order; unmodifiable, empty when absent
   */
  public List<String> amr() {
    Object amr = claims.get("amr");
    if (!(amr instanceof List)) {
      return List.of();
    }
    @SuppressWarnings("unchecked")
    List<String> methods = (List<String>) amr;
    return methods;
  }

  /**
   * The {@code auth_time} claim (RFC 9068 section 2.2.1, OpenID Connect Core 1.0 section 2): when
   * the user last actively authenticated, to the second (a fractional NumericDate is rounded down,
   * which can only make the authentication look older): what {@link
   * Requirement#withMaxAge(java.time.Duration)} checks (RFC 9470 section 6.1). Empty when absent
   * (a token whose {@code auth_time} is not a NumericDate is refused as {@code MALFORMED} at
   * verification).
   *
   * @return when the user last authenticated; empty when the token has no {@code auth_time}
   */
  public Optional<Instant> authTime() {
    long seconds = authTimeSeconds();
    return seconds == NO_AUTH_TIME ? Optional.empty() : Optional.of(Instant.ofEpochSecond(seconds));
  }

  static final long NO_AUTH_TIME = Long.MIN_VALUE;

  /** {@code auth_time} in whole seconds (rounded down), or {@link #NO_AUTH_TIME}. */
  long authTimeSeconds() {
    Object value = claims.get("auth_time");
    if (value instanceof Long) {
      return (Long) value;
    }
    return value instanceof Number ? (long) Math.floor(((Number) value).doubleValue()) : NO_AUTH_TIME;
  }

  /** Now, in epoch milliseconds, on the clock of the verifier that verified this token. */
  long nowMillis() {
    return clock.millis();
  }

  /** The clock skew of the verifier that verified this token, in milliseconds. */
  long skewMillis() {
    return skewMillis;
  }

  /**
   * True when the token was issued to a client acting on its own behalf (client credentials, no
   * resource owner: RFC 9068 section 2.2), by each issuer's marker: Auth0's {@code gty:
   * client-credentials} or a {@code sub} ending in {@code @clients}; a {@code sub} equal to {@link
   * #clientId()} (Okta, oidc-provider and other RFC 9068 issuers); for a token naming no client,
   * a {@code sub} among the audiences (Spring Authorization Server); Keycloak's service-account
   * user ({@code preferred_username} {@code service-account-<client>}); Entra ID's {@code idtyp:
   * app}. Never treat such a {@code sub} as a user id.
   *
   * @return true for a machine-to-machine token, by the markers above
   */
  public boolean isMachineToMachine() {
    return machineToMachine;
  }

  /**
   * A claim as {@code type}, or empty when the claim is absent or cannot be had as that type. JSON
   * strings are {@link String}, integers in the range of {@code long} {@link Long}, other numbers
   * {@link Double}, booleans {@link Boolean}, arrays {@link List}, objects {@link Map}; {@code exp},
   * {@code nbf} and {@code iat} are {@link Instant}. A JSON integer is also given as {@link Integer}
   * when it fits in an {@code int} (empty when it does not: nothing is truncated), and any number
   * as {@link Number}. A token in which a member name appears twice in the same object, at the top
   * or inside a claim, is refused at verification.
   *
   * @param <T> the type asked for
   * @param name the claim name, e.g. {@code org_id}
   * @param type the class to have it as, e.g. {@code String.class}
   * @return the claim as {@code type}; empty when absent or of another type
   * @throws NullPointerException when {@code name} or {@code type} is null
   */
  public <T> Optional<T> claim(String name, Class<T> type) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Object value = claims.get(name);
    if (type == Integer.class && value instanceof Long) {
      long l = (Long) value;
      return l == (int) l ? Optional.of(type.cast((int) l)) : Optional.empty();
    }
    return type.isInstance(value) ? Optional.of(type.cast(value)) : Optional.empty();
  }

  /**
   * A claim holding a string or an array of strings, as a list; empty when absent or of another
   * shape (for custom claims such as roles or groups).
   *
   * @param name the claim name, e.g. {@code groups}
   * @return the claim's strings in order; empty when the claim is absent or holds anything else
   * @throws NullPointerException when {@code name} is null
   */
  public List<String> stringListClaim(String name) {
    Object value = claims.get(Objects.requireNonNull(name, "name"));
    if (value instanceof String) {
      return List.of((String) value);
    }
    if (value instanceof List) {
      List<String> out = new ArrayList<>();
      for (Object item : (List<?>) value) {
        if (!(item instanceof String)) {
          return List.of();
        }
        out.add((String) item);
      }
      return Collections.unmodifiableList(out);
    }
    return List.of();
  }

  /**
   * True when the token is sender-constrained: it has a {@code cnf} (confirmation) claim (RFC 7800),
   * binding it to a DPoP key ({@link #dpopKeyThumbprint()}) or a client certificate ({@link
   * #certificateThumbprint()}). The verifier returned it only because the request proved
   * possession of what it is bound to.
   *
   * @return true when the token has a {@code cnf} claim
   */
  public boolean isSenderConstrained() {
    return claims.containsKey("cnf");
  }

  /**
   * The RFC 7638 SHA-256 thumbprint of the DPoP key the token is bound to ({@code cnf.jkt}, RFC 9449
   * section 6.1): base64url without padding, 43 characters for a well-formed token. When present,
   * the verifier accepted the token only with the {@code DPoP} scheme and a valid proof signed
   * with that key. Empty for a token not bound to a DPoP key.
   *
   * @return the {@code cnf.jkt} thumbprint; empty for a token not bound to a DPoP key
   */
  public Optional<String> dpopKeyThumbprint() {
    return confirmation("jkt");
  }

  /**
   * The SHA-256 thumbprint of the X.509 client certificate the token is bound to ({@code
   * cnf["x5t#S256"]}, RFC 8705 section 3.1): base64url without padding of the hash of the
   * certificate's DER encoding, 43 characters for a well-formed token. When present, the verifier
   * accepted the token only from a request carrying that certificate. Empty for a token not bound
   * to a certificate.
   *
   * @return the {@code cnf["x5t#S256"]} thumbprint; empty for a token not bound to a certificate
   */
  public Optional<String> certificateThumbprint() {
    return confirmation("x5t#S256");
  }

  private Optional<String> confirmation(String member) {
    Object cnf = claims.get("cnf");
    Object value = cnf instanceof Map ? ((Map<?, ?>) cnf).get(member) : null;
    return value instanceof String ? Optional.of((String) value) : Optional.empty();
  }

  /**
   * All claims, unmodifiable, with the value types described at {@link #claim(String, Class)}.
   *
   * @return every claim by name; unmodifiable
   */
  public Map<String, Object> claims() {
    return claims;
  }

  @Override
  public String toString() {
    return "AccessToken{sub=" + subject + ", client=" + clientId + ", scopes=" + scopes
        + ", expiresAt=" + expiresAt + (machineToMachine ? ", machineToMachine" : "") + "}";
  }
}
