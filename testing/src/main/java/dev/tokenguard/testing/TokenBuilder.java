package dev.tokenguard.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints one token for a {@link FakeIssuer}. Starts valid (signed with the issuer's current key,
 * its issuer and default audience, expiring in an hour); each method changes one thing, including
 * the ways attackers and misconfigured clients break tokens. Not thread-safe; {@link #sign()}
 * may be called more than once.
 */
public final class TokenBuilder {
  private enum Signing {
    ISSUER_KEY, UNKNOWN_KEY, TEST_KEY, NONE, HS256_WITH_PUBLIC_KEY
  }

  /** Where and how an issuer puts scopes: the claim name and whether it is a string or an array. */
  private enum ScopeStyle {
    SCOPE_STRING("scope", false), SCOPE_ARRAY("scope", true), SCP_STRING("scp", false), SCP_ARRAY("scp", true);

    final String claim;
    final boolean array;

    ScopeStyle(String claim, boolean array) {
      this.claim = claim;
      this.array = array;
    }
  }

  private final FakeIssuer issuer;
  private final Map<String, Object> header = new LinkedHashMap<>();
  private final Map<String, Object> claims = new LinkedHashMap<>();
  private Signing signing = Signing.ISSUER_KEY;
  private ScopeStyle scopeStyle = ScopeStyle.SCOPE_STRING;
  /** Scopes every token of this shape carries before {@link #scopes(String...)} adds its own. */
  private List<String> baseScopes = List.of();
  private TestKey testKey;
  private boolean keyIdSet;
  private boolean tampered;
  private String rawPayload;

  private TokenBuilder(FakeIssuer issuer) {
    this.issuer = issuer;
    long now = issuer.clock().instant().getEpochSecond();
    header.put("alg", "RS256");
    claims.put("iss", issuer.issuer());
    claims.put("sub", "auth0|" + FakeIssuer.randomId());
    claims.put("aud", issuer.audience());
    claims.put("iat", now);
    claims.put("exp", now + 3600);
  }

  static TokenBuilder auth0AccessToken(FakeIssuer issuer) {
    TokenBuilder b = new TokenBuilder(issuer);
    b.header.put("typ", "JWT");
    b.claims.put("azp", "client-" + FakeIssuer.randomId().substring(0, 8));
    return b;
  }

  static TokenBuilder rfc9068AccessToken(FakeIssuer issuer) {
    TokenBuilder b = new TokenBuilder(issuer);
    b.header.put("typ", "at+jwt");
    b.claims.put("client_id", "client-" + FakeIssuer.randomId().substring(0, 8));
    b.claims.put("jti", FakeIssuer.randomId());
    return b;
  }

  static TokenBuilder machineToMachine(FakeIssuer issuer) {
    TokenBuilder b = auth0AccessToken(issuer);
    String client = (String) b.claims.get("azp");
    b.claims.put("sub", client + "@clients");
    b.claims.put("gty", "client-credentials");
    return b;
  }

  static TokenBuilder oktaAccessToken(FakeIssuer issuer) {
    TokenBuilder b = new TokenBuilder(issuer);
    String user = "00u" + FakeIssuer.randomId().substring(0, 10);
    b.claims.put("ver", 1);
    b.claims.put("jti", "AT." + FakeIssuer.randomId());
    b.claims.put("cid", "0oa" + FakeIssuer.randomId().substring(0, 10));
    b.claims.put("uid", user);
    b.claims.put("sub", "user." + user + "@example.com");
    b.scopeStyle = ScopeStyle.SCP_ARRAY;
    return b;
  }

  static TokenBuilder entraIdAccessToken(FakeIssuer issuer) {
    TokenBuilder b = new TokenBuilder(issuer);
    b.header.put("typ", "JWT");
    b.claims.put("azp", java.util.UUID.randomUUID().toString());
    b.claims.put("azpacr", "0");
    String oid = java.util.UUID.randomUUID().toString();
    b.claims.put("oid", oid);
    b.claims.put("sub", FakeIssuer.randomId());
    b.claims.put("tid", java.util.UUID.randomUUID().toString());
    b.claims.put("ver", "2.0");
    b.scopeStyle = ScopeStyle.SCP_STRING;
    return b;
  }

  static TokenBuilder keycloakAccessToken(FakeIssuer issuer) {
    TokenBuilder b = new TokenBuilder(issuer);
    b.header.put("typ", "JWT");
    b.claims.put("jti", "onrtac:" + java.util.UUID.randomUUID());
    b.claims.put("aud", List.of(issuer.audience(), "account"));
    b.claims.put("sub", java.util.UUID.randomUUID().toString());
    b.claims.put("typ", "Bearer");
    b.claims.put("azp", "client-" + FakeIssuer.randomId().substring(0, 8));
    b.claims.put("sid", FakeIssuer.randomId());
    b.claims.put("acr", "1");
    b.claims.put("realm_access", Map.of("roles", List.of("offline_access", "uma_authorization")));
    b.claims.put("preferred_username", "alice");
    b.baseScopes = List.of("openid", "profile", "email");
    b.claims.put("scope", "openid profile email");
    return b;
  }

  static TokenBuilder springAuthorizationServerAccessToken(FakeIssuer issuer) {
    TokenBuilder b = new TokenBuilder(issuer);
    b.claims.put("sub", "user-" + FakeIssuer.randomId().substring(0, 8));
    b.claims.put("aud", List.of("client-" + FakeIssuer.randomId().substring(0, 8), issuer.audience()));
    b.claims.put("nbf", b.claims.get("iat"));
    b.claims.put("jti", java.util.UUID.randomUUID().toString());
    b.scopeStyle = ScopeStyle.SCOPE_ARRAY;
    return b;
  }

  static TokenBuilder idToken(FakeIssuer issuer) {
    TokenBuilder b = new TokenBuilder(issuer);
    String client = "client-" + FakeIssuer.randomId().substring(0, 8);
    b.header.put("typ", "JWT");
    b.claims.put("aud", client);
    b.claims.put("azp", client);
    b.claims.put("nonce", FakeIssuer.randomId());
    b.claims.put("at_hash", FakeIssuer.randomId());
    b.claims.put("name", "Test User");
    return b;
  }

  /**
   * Sets {@code sub}.
   *
   * @param subject the {@code sub}
   * @return this builder
   */
  public TokenBuilder subject(String subject) {
    return claim("sub", subject);
  }

  /**
   * Sets {@code aud} to one string, or to an array when given several.
   *
   * @param audience one or more audiences
   * @return this builder
   */
  public TokenBuilder audience(String... audience) {
    Objects.requireNonNull(audience, "audience");
    return claim("aud", audience.length == 1 ? audience[0] : List.of(audience));
  }

  /**
   * Sets the granted scopes where this token's issuer puts them: the space-delimited {@code scope}
   * claim by default; the {@code scp} array for {@link FakeIssuer#oktaAccessToken()}, the {@code
   * scp} string for {@link FakeIssuer#entraIdAccessToken()}, a {@code scope} array for {@link
   * FakeIssuer#springAuthorizationServerAccessToken()}; Keycloak's {@code openid profile email}
   * stay in front.
   *
   * @param scopes the scopes to grant
   * @return this builder
   */
  public TokenBuilder scopes(String... scopes) {
    List<String> all = new java.util.ArrayList<>(baseScopes);
    all.addAll(List.of(scopes));
    return claim(scopeStyle.claim, scopeStyle.array ? List.copyOf(all) : String.join(" ", all));
  }

  /**
   * Sets Auth0's RBAC {@code permissions} array.
   *
   * @param permissions the permissions to grant
   * @return this builder
   */
  public TokenBuilder permissions(String... permissions) {
    return claim("permissions", List.of(permissions));
  }

  /**
   * Sets the client where this token names it: {@code client_id} (RFC 9068), Okta's {@code cid}, else {@code azp}.
   *
   * @param clientId the client id
   * @return this builder
   */
  public TokenBuilder clientId(String clientId) {
    for (String name : new String[] {"client_id", "cid", "azp"}) {
      if (claims.containsKey(name)) {
        return claim(name, clientId);
      }
    }
    return claim("azp", clientId);
  }

  /**
   * Sets {@code iss} (to test a wrong or near-miss issuer).
   *
   * @param iss the {@code iss} to write
   * @return this builder
   */
  public TokenBuilder issuer(String iss) {
    return claim("iss", iss);
  }

  /**
   * Sets {@code exp} to now plus {@code duration}; a negative duration makes an expired token.
   *
   * @param duration from now to {@code exp}; negative for an expired token
   * @return this builder
   */
  public TokenBuilder expiresIn(Duration duration) {
    return claim("exp", issuer.clock().instant().plus(duration).getEpochSecond());
  }

  /**
   * An expired token: {@code exp} ten minutes ago, {@code iat} an hour before that.
   *
   * @return this builder
   */
  public TokenBuilder expired() {
    Instant now = issuer.clock().instant();
    claim("iat", now.minus(Duration.ofMinutes(70)).getEpochSecond());
    return claim("exp", now.minus(Duration.ofMinutes(10)).getEpochSecond());
  }

  /**
   * Sets {@code nbf}.
   *
   * @param notBefore the {@code nbf} instant
   * @return this builder
   */
  public TokenBuilder notBefore(Instant notBefore) {
    return claim("nbf", notBefore.getEpochSecond());
  }

  /**
   * Sets {@code iat}.
   *
   * @param issuedAt the {@code iat} instant
   * @return this builder
   */
  public TokenBuilder issuedAt(Instant issuedAt) {
    return claim("iat", issuedAt.getEpochSecond());
  }

  /**
   * Sets {@code acr}, the authentication context class the user's login satisfied (RFC 9068
   * section 2.2.1), for step-up tests (RFC 9470), e.g. {@code
   * http://schemas.openid.net/pape/policies/2007/06/multi-factor}.
   *
   * @param acr the {@code acr} value
   * @return this builder
   */
  public TokenBuilder acr(String acr) {
    return claim("acr", Objects.requireNonNull(acr, "acr"));
  }

  /**
   * Sets {@code amr}, the methods the user authenticated with (RFC 8176 section 2), e.g. {@code "pwd", "otp"}.
   *
   * @param methods the {@code amr} values, e.g. {@code pwd} and {@code otp}
   * @return this builder
   */
  public TokenBuilder amr(String... methods) {
    return claim("amr", List.of(methods));
  }

  /**
   * Sets {@code auth_time}, when the user last actively authenticated (RFC 9068 section 2.2.1),
   * as whole seconds; for step-up tests of a maximum authentication age (RFC 9470), e.g. {@code
   * authTime(issuer.clock().instant().minusSeconds(400))} for a login 400 s ago.
   *
   * @param authTime when the user last authenticated
   * @return this builder
   */
  public TokenBuilder authTime(Instant authTime) {
    return claim("auth_time", authTime.getEpochSecond());
  }

  /**
   * Binds the token to {@code holder}'s DPoP key: {@code cnf.jkt} is the key's RFC 7638 thumbprint
   * (RFC 9449 section 6.1), kept beside a certificate binding. A verifier then accepts it only with
   * the {@code DPoP} scheme and a proof {@code holder} signed ({@link FakeIssuer#dpopProof}).
   *
   * @param holder the DPoP key the token is bound to
   * @return this builder
   */
  public TokenBuilder dpopBound(TestKey holder) {
    return confirmation("jkt", Objects.requireNonNull(holder, "holder").thumbprint());
  }

  /**
   * Binds the token to {@code certificate}: {@code cnf["x5t#S256"]} is base64url(SHA-256(DER))
   * (RFC 8705 section 3.1), kept beside a DPoP binding. A verifier then accepts it only from a
   * request carrying that TLS client certificate. {@link TestKey#certificate()} makes one.
   *
   * @param certificate the client certificate the token is bound to
   * @return this builder
   * @throws IllegalArgumentException when the certificate cannot be DER-encoded
   */
  public TokenBuilder certificateBound(X509Certificate certificate) {
    Objects.requireNonNull(certificate, "certificate");
    try {
      return confirmation("x5t#S256", encode(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded())));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot encode the certificate", e);
    }
  }

  private TokenBuilder confirmation(String member, String value) {
    Map<String, Object> cnf = new LinkedHashMap<>();
    if (claims.get("cnf") instanceof Map) {
      for (Map.Entry<?, ?> e : ((Map<?, ?>) claims.get("cnf")).entrySet()) {
        cnf.put((String) e.getKey(), e.getValue());
      }
    }
    cnf.put(member, value);
    return claim("cnf", cnf);
  }

  /**
   * Sets any claim to any JSON value (String, Number, Boolean, List, Map, or null for JSON null).
   *
   * @param name the claim name
   * @param value its JSON value
   * @return this builder
   */
  public TokenBuilder claim(String name, Object value) {
    claims.put(Objects.requireNonNull(name, "name"), value);
    return this;
  }

  /**
   * Removes a claim.
   *
   * @param name the claim name
   * @return this builder
   */
  public TokenBuilder withoutClaim(String name) {
    claims.remove(name);
    return this;
  }

  /**
   * Sets the {@code typ} header ({@code null} removes it).
   *
   * @param typ the {@code typ}, or {@code null}
   * @return this builder
   */
  public TokenBuilder type(String typ) {
    if (typ == null) {
      header.remove("typ");
    } else {
      header.put("typ", typ);
    }
    return this;
  }

  /**
   * Sets the {@code kid} header.
   *
   * @param kid the {@code kid}
   * @return this builder
   */
  public TokenBuilder keyId(String kid) {
    keyIdSet = true;
    return header("kid", kid);
  }

  /**
   * Leaves {@code kid} out of the header.
   *
   * @return this builder
   */
  public TokenBuilder withoutKeyId() {
    keyIdSet = true;
    header.remove("kid");
    return this;
  }

  /**
   * Sets any header parameter to any JSON value (for {@code crit}, {@code jku}, {@code jwk} ... attacks).
   *
   * @param name the header parameter name
   * @param value its JSON value
   * @return this builder
   */
  public TokenBuilder header(String name, Object value) {
    header.put(Objects.requireNonNull(name, "name"), value);
    return this;
  }

  /**
   * Signs these exact characters (as UTF-8) as the payload instead of the claims: for nested JWTs
   * ({@code cty: JWT}) and payloads that are not JSON objects.
   *
   * @param raw the payload text
   * @return this builder
   */
  public TokenBuilder payload(String raw) {
    rawPayload = Objects.requireNonNull(raw, "raw");
    return this;
  }

  /**
   * Signs with a fresh key the issuer never published (under a random {@code kid}).
   *
   * @return this builder
   */
  public TokenBuilder signedWithUnknownKey() {
    signing = Signing.UNKNOWN_KEY;
    return this;
  }

  /**
   * Signs with {@code key} (publish it with {@link FakeIssuer#publishKey(TestKey)} first, or not).
   * Unless {@code alg} was set, a P-256 key signs ES256 and an Ed25519 key EdDSA (or Ed25519 when
   * it is published with that {@code alg}, see {@link TestKey#ed25519()}).
   *
   * @param key the key to sign with
   * @return this builder
   */
  public TokenBuilder signedWith(TestKey key) {
    signing = Signing.TEST_KEY;
    testKey = Objects.requireNonNull(key, "key");
    if (!key.isRsa() && "RS256".equals(header.get("alg"))) {
      header.put("alg", key.tokenAlgorithm());
    }
    return this;
  }

  /**
   * Signs correctly (with the issuer's key, or the key given to {@link #signedWith(TestKey)} or
   * {@link #signedWithUnknownKey()}), then flips a bit of the signature.
   *
   * @return this builder
   */
  public TokenBuilder tamperedSignature() {
    tampered = true;
    return this;
  }

  /**
   * An unsecured JWT: {@code alg: none} and an empty signature.
   *
   * @return this builder
   */
  public TokenBuilder algNone() {
    signing = Signing.NONE;
    header.put("alg", "none");
    return this;
  }

  /**
   * The RS256-to-HS256 confusion attack: HMAC-SHA256 keyed with the issuer's public key (PEM).
   *
   * @return this builder
   */
  public TokenBuilder hs256WithPublicKey() {
    signing = Signing.HS256_WITH_PUBLIC_KEY;
    header.put("alg", "HS256");
    return this;
  }

  /**
   * The compact serialization {@code header.payload.signature}.
   *
   * @return the signed token, {@code header.payload.signature}
   * @throws IllegalStateException when the JOSE library cannot sign (for example a key that
   *     cannot make the chosen algorithm's signature)
   */
  public String sign() {
    JWK key;
    switch (signing) {
      case UNKNOWN_KEY:
        key = FakeIssuer.newKey(2048);
        break;
      case TEST_KEY:
        key = testKey.privateJwk();
        break;
      default:
        key = issuer.signingKey();
    }
    Map<String, Object> h = new LinkedHashMap<>(header);
    if (!keyIdSet) {
      h.put("kid", signing == Signing.TEST_KEY ? testKey.keyId() : key.getKeyID());
    }
    String signingInput = encode(JSONObjectUtils.toJSONString(h)) + "."
        + encode(rawPayload != null ? rawPayload : JSONObjectUtils.toJSONString(claims));
    byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
    try {
      switch (signing) {
        case NONE:
          return signingInput + ".";
        case HS256_WITH_PUBLIC_KEY:
          Mac mac = Mac.getInstance("HmacSHA256");
          mac.init(new SecretKeySpec(publicKeyPem(issuer.signingKey()).getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
          return signingInput + "." + encode(mac.doFinal(input));
        default:
          byte[] signature = JwsSigning.sign(key, header.get("alg"), input);
          if (tampered) {
            signature = Arrays.copyOf(signature, signature.length);
            signature[signature.length / 2] ^= 0x01;
          }
          return signingInput + "." + encode(signature);
      }
    } catch (JOSEException | GeneralSecurityException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  /** The issuer key's SubjectPublicKeyInfo in PEM, as attackers feed it to HMAC. */
  static String publicKeyPem(RSAKey key) throws JOSEException {
    String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.toRSAPublicKey().getEncoded());
    return "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";
  }

  private static String encode(String json) {
    return JwsSigning.encode(json);
  }

  private static String encode(byte[] bytes) {
    return JwsSigning.encode(bytes);
  }
}
