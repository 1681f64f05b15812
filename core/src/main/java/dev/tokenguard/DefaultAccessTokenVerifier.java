package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.EXPIRED;
import static dev.tokenguard.TokenVerificationException.Reason.ID_TOKEN_PRESENTED;
import static dev.tokenguard.TokenVerificationException.Reason.INSUFFICIENT_SCOPE;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_CLAIM;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.MISSING_CLAIM;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_YET_VALID;
import static dev.tokenguard.TokenVerificationException.Reason.TOO_OLD;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_AUDIENCE;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_ISSUER;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_TYPE;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verifier. Checks run cheapest first: size and base64url grammar, header, claims, and only
 * then the key lookup (which may refetch the JWKS) and the signature. Immutable and thread-safe.
 */
final class DefaultAccessTokenVerifier implements AccessTokenVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultAccessTokenVerifier.class);
  /** Claims only OpenID Connect ID tokens carry (OIDC Core 2, 3.3.2.11; FAPI s_hash). */
  private static final List<String> ID_TOKEN_CLAIMS = List.of("nonce", "at_hash", "c_hash", "s_hash");
  /** 9999-12-31T23:59:59Z: a NumericDate beyond it is not a date any issuer means. */
  private static final long MAX_NUMERIC_DATE = 253_402_300_799L;

  private final String issuer;
  private final List<String> audiences;
  private final Set<Algorithm> algorithms;
  private final long skewMillis;
  private final Clock clock;
  private final int maxTokenBytes;
  private final long maxTokenAgeMillis;
  private final List<String> requiredClaims;
  private final List<AccessTokenVerifier.Builder.ClaimRule> claimRules;
  private final List<String> scopeClaims;
  private final boolean strict;
  private final KeySource keySource;
  private final Cache<String, Verified> verified;
  private final CompactJws.HeaderCache headers = new CompactJws.HeaderCache();
  private static final String[] NO_SCOPES = new String[0];

  /** Tokens up to this many characters weigh 1 in the verified-token cache; longer ones weigh more. */
  static final int CACHE_WEIGHT_UNIT = 2048;

  /**
   * A cache entry: the verified token, the key that verified it, and its time bounds in epoch
   * milliseconds (the first instant at which it is refused, clock skew included).
   */
  private static final class Verified {
    final AccessToken token;
    final VerificationKey key;
    final long expiredFromMillis;
    final long tooOldFromMillis;
    final long nbfMillis;

    Verified(AccessToken token, VerificationKey key, long expiredFromMillis, long tooOldFromMillis, long nbfMillis) {
      this.token = token;
      this.key = key;
      this.expiredFromMillis = expiredFromMillis;
      this.tooOldFromMillis = tooOldFromMillis;
      this.nbfMillis = nbfMillis;
    }

    long refusedFromMillis() {
      return Math.min(expiredFromMillis, tooOldFromMillis);
    }
  }

  /** Drops an entry when its token expires (or grows too old) on the verifier's clock. */
  private static final class UntilRefused implements Expiry<String, Verified> {
    @Override
    public long expireAfterCreate(String token, Verified v, long currentTime) {
      long nowMillis = TimeUnit.NANOSECONDS.toMillis(currentTime);
      long left = v.refusedFromMillis() - nowMillis;
      return left <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(Math.min(left, TimeUnit.DAYS.toMillis(365)));
    }

    @Override
    public long expireAfterUpdate(String token, Verified v, long currentTime, long currentDuration) {
      return expireAfterCreate(token, v, currentTime);
    }

    @Override
    public long expireAfterRead(String token, Verified v, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  DefaultAccessTokenVerifier(AccessTokenVerifier.Builder b, KeySource keySource) {
    this.issuer = b.issuer;
    this.audiences = List.copyOf(b.audiences);
    this.algorithms = Set.copyOf(b.algorithms);
    this.skewMillis = b.clockSkew.toMillis();
    this.clock = b.clock;
    this.maxTokenBytes = b.maxTokenBytes;
    this.maxTokenAgeMillis = b.maxTokenAge == null ? -1 : b.maxTokenAge.toMillis();
    this.requiredClaims = List.copyOf(b.requiredClaims);
    this.claimRules = List.copyOf(b.claimRules);
    this.scopeClaims = List.copyOf(b.scopeClaims);
    this.strict = b.strictRfc9068;
    this.keySource = keySource;
    // Only verified tokens enter, so rejected tokens cannot evict good ones. The size counts tokens
    // of up to 2048 characters (Auth0's are under 1,000) as one and longer ones as one per started
    // 2048 characters, so memory stays proportional to the configured size whatever the token
    // lengths (an entry holds the token and its claims: a few times the token's length).
    // Entries leave when their token expires, on the verifier's clock; a hit re-checks time
    // bounds and the signing key anyway.
    Clock c = b.clock;
    this.verified =
        b.verifiedTokenCacheSize == 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(b.verifiedTokenCacheSize)
                .weigher((String token, Verified v) -> 1 + (token.length() - 1) / CACHE_WEIGHT_UNIT)
                .expireAfter(new UntilRefused())
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(c.millis()))
                .build();
  }

  @Override
  public AccessToken verify(String token) {
    return verify(token, NO_SCOPES);
  }

  @Override
  public AccessToken verify(String token, String... requiredScopes) {
    for (String scope : Objects.requireNonNull(requiredScopes, "requiredScopes")) {
      Objects.requireNonNull(scope, "required scope");
    }
    try {
      AccessToken accessToken = verifyToken(token);
      requireScopes(accessToken, requiredScopes);
      return accessToken;
    } catch (TokenVerificationException e) {
      logRejection(token, e);
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      TokenVerificationException rejection =
          new TokenVerificationException(MALFORMED, "unexpected " + e.getClass().getSimpleName() + " while parsing");
      logRejection(token, rejection);
      throw rejection;
    }
  }

  @Override
  public void warmUp() {
    keySource.warmUp();
  }

  @Override
  public void invalidateKeys() {
    keySource.invalidate();
    if (verified != null) {
      verified.invalidateAll();
    }
  }

  @Override
  public KeySourceHealth keySourceHealth() {
    return keySource.health();
  }

  private static void requireScopes(AccessToken token, String[] requiredScopes) {
    for (String scope : requiredScopes) {
      if (!token.hasScope(scope)) {
        throw new TokenVerificationException(
            INSUFFICIENT_SCOPE, INSUFFICIENT_SCOPE.safeDescription(),
            "missing scope " + Detail.quote(scope) + "; granted " + token.scopes().size() + " scopes", List.of(requiredScopes));
      }
    }
  }

  private AccessToken verifyToken(String token) {
    if (token == null || token.isEmpty()) {
      throw reject(MALFORMED, "the token is empty");
    }
    if (token.length() > maxTokenBytes) {
      throw reject(MALFORMED, "the token has " + token.length() + " characters, more than the limit of " + maxTokenBytes);
    }
    if (verified != null) {
      Verified hit = verified.getIfPresent(token);
      if (hit != null) {
        AccessToken served = revalidate(token, hit);
        if (served != null) {
          return served;
        }
      }
    }
    CompactJws jws = CompactJws.parse(token, algorithms, headers);
    Map<String, Object> claims = jws.claims();
    for (String name : ID_TOKEN_CLAIMS) {
      if (claims.containsKey(name)) {
        throw reject(ID_TOKEN_PRESENTED, "the token carries " + name + ", a claim only ID tokens have; send the access token instead");
      }
    }
    checkType(jws.typ, claims);
    if (claims.containsKey("cnf")) {
      // RFC 9449 7.2, RFC 8705 3: a sender-constrained token must not be accepted as a bearer token.
      throw reject(INVALID_CLAIM, "the token is sender-constrained (cnf); proof of possession is not supported, so it is refused rather than accepted as a bearer token");
    }

    Object iss = claims.get("iss");
    if (iss == null) {
      throw reject(MISSING_CLAIM, "iss is missing");
    }
    if (!issuer.equals(iss)) {
      throw reject(WRONG_ISSUER, "expected iss " + Detail.quote(issuer) + ", got " + Detail.quote(iss));
    }
    List<String> audience = checkAudience(claims);

    long nowMillis = clock.millis();
    Long exp = numericDate(claims, "exp");
    if (exp == null) {
      throw reject(MISSING_CLAIM, "exp is missing or null; every access token must expire");
    }
    long expMillis = exp * 1000;
    if (nowMillis >= expMillis + skewMillis) {
      throw reject(EXPIRED, "expired at " + Instant.ofEpochSecond(exp) + ", now " + Instant.ofEpochMilli(nowMillis));
    }
    Long nbf = numericDate(claims, "nbf");
    long nbfMillis = nbf == null ? Long.MIN_VALUE : nbf * 1000;
    if (nbf != null && nowMillis + skewMillis < nbfMillis) {
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
    String sub = requiredString(claims, "sub");
    String clientId = optionalString(claims, "client_id");
    String azp = optionalString(claims, "azp");
    String jti = optionalString(claims, "jti");
    String gty = optionalString(claims, "gty");
    if (strict) {
      if (clientId == null) {
        throw reject(MISSING_CLAIM, "client_id is required by RFC 9068");
      }
      if (jti == null) {
        throw reject(MISSING_CLAIM, "jti is required by RFC 9068");
      }
      if (iat == null) {
        throw reject(MISSING_CLAIM, "iat is required by RFC 9068");
      }
    }
    for (String name : requiredClaims) {
      if (claims.get(name) == null) {
        throw reject(MISSING_CLAIM, name + " is missing or null");
      }
    }
    Set<String> scopes = scopes(claims);

    VerificationKey key = jws.verifySignature(findKeys(jws.kid, jws.algorithm));

    boolean m2m = "client-credentials".equals(gty) || sub.endsWith("@clients");
    AccessToken accessToken =
        new AccessToken(
            issuer,
            sub,
            audience,
            clientId != null ? clientId : azp,
            scopes,
            Instant.ofEpochSecond(exp),
            iat == null ? null : Instant.ofEpochSecond(iat),
            jti,
            m2m,
            publicClaims(claims, exp, nbf, iat));
    for (AccessTokenVerifier.Builder.ClaimRule rule : claimRules) {
      boolean ok;
      try {
        ok = rule.predicate.test(accessToken);
      } catch (RuntimeException e) {
        ok = false;
      }
      if (!ok) {
        throw reject(INVALID_CLAIM, "the token does not satisfy: " + rule.description);
      }
    }
    if (verified != null && jws.kid != null) {
      // A token without kid is verified by the only suitable key, which a hit could not re-check.
      long tooOldFrom = maxTokenAgeMillis >= 0 ? iat * 1000 + maxTokenAgeMillis + skewMillis + 1 : Long.MAX_VALUE;
      verified.put(token, new Verified(accessToken, key, expMillis + skewMillis, tooOldFrom, nbfMillis));
    }
    return accessToken;
  }

  /**
   * A cache hit: time bounds are checked again on the verifier's clock, and the signing key must
   * still be in the issuer's current key set (the same key material under the same kid). Returns
   * null, after dropping the entry, when the key is no longer there, so the token is verified in
   * full against the current keys: the cache never changes an outcome.
   */
  private AccessToken revalidate(String token, Verified hit) {
    long nowMillis = clock.millis();
    if (nowMillis >= hit.expiredFromMillis) {
      throw reject(EXPIRED, "expired at " + hit.token.expiresAt() + ", now " + Instant.ofEpochMilli(nowMillis));
    }
    if (nowMillis >= hit.tooOldFromMillis) {
      throw reject(TOO_OLD, "issued at " + hit.token.issuedAt().orElse(null) + ", older than the maximum token age");
    }
    if (nowMillis + skewMillis < hit.nbfMillis) {
      throw reject(NOT_YET_VALID, "nbf is in the future");
    }
    if (!keySource.keys().contains(hit.key)) {
      verified.invalidate(token);
      return null;
    }
    return hit.token;
  }

  /** The number of tokens in the verified-token cache after pending maintenance (for tests). */
  long cachedTokenCount() {
    if (verified == null) {
      return 0;
    }
    verified.cleanUp();
    return verified.estimatedSize();
  }

  /**
   * The keys to try for a token with {@code kid} and {@code algorithm} (see {@link KeySet#keysFor});
   * a {@code kid} no key carries triggers the rate-limited refetch first.
   */
  private List<VerificationKey> findKeys(String kid, Algorithm algorithm) {
    KeySet keys = keySource.keys();
    if (kid != null && !keys.containsKid(kid)) {
      keys = keySource.keysAfterMiss(kid, keys);
    }
    return keys.keysFor(kid, algorithm);
  }

  /**
   * {@code typ} {@code at+jwt} (any case, with or without {@code application/}) always passes;
   * {@code JWT} or absent passes except in the strict profile; anything else marks another kind
   * of JWT. The exact spellings issuers send skip the case folding.
   */
  private void checkType(String typ, Map<String, Object> claims) {
    if (typ != null && !typ.equals("JWT")) {
      String type = typ.equals("at+jwt") ? typ : typ.toLowerCase(Locale.ROOT);
      if (type.startsWith("application/")) {
        type = type.substring("application/".length());
      }
      if (type.equals("at+jwt")) {
        return;
      }
      if (!type.equals("jwt")) {
        throw reject(ID_TOKEN_PRESENTED, "typ " + Detail.quote(typ) + " marks another kind of JWT (such as an ID token), not an access token");
      }
    }
    if (strict) {
      refuseAsWrongType(typ, claims);
    }
  }

  /**
   * The strict profile refuses {@code typ} JWT or absent; an ID token (which carries exactly that)
   * is named as such rather than as a wrong type.
   */
  private void refuseAsWrongType(String typ, Map<String, Object> claims) {
    Object aud = claims.get("aud");
    Object single = aud instanceof List && ((List<?>) aud).size() == 1 ? ((List<?>) aud).get(0) : aud;
    if (single instanceof String && single.equals(claims.get("azp")) && hasNoScopeClaim(claims)) {
      throw reject(ID_TOKEN_PRESENTED, "aud equals azp " + Detail.quote(single) + " and there is no scope: this is an ID token for that client, not an access token for this API");
    }
    throw reject(WRONG_TYPE, "typ " + (typ == null ? "absent" : Detail.quote(typ)) + "; the RFC 9068 profile requires at+jwt");
  }

  private boolean hasNoScopeClaim(Map<String, Object> claims) {
    for (String name : scopeClaims) {
      if (claims.get(name) != null) {
        return false;
      }
    }
    return true;
  }

  private List<String> checkAudience(Map<String, Object> claims) {
    Object aud = claims.get("aud");
    if (aud == null) {
      throw reject(MISSING_CLAIM, "aud is missing");
    }
    List<String> values;
    if (aud instanceof String) {
      values = List.of((String) aud);
    } else if (aud instanceof List) {
      List<?> raw = (List<?>) aud;
      List<String> list = new ArrayList<>(raw.size());
      for (Object item : raw) {
        if (!(item instanceof String)) {
          throw reject(MALFORMED, "aud holds a value that is not a string");
        }
        list.add((String) item);
      }
      values = Collections.unmodifiableList(list);
    } else {
      throw reject(MALFORMED, "aud is neither a string nor an array of strings");
    }
    for (String accepted : audiences) {
      if (values.contains(accepted)) {
        return values;
      }
    }
    Object azp = claims.get("azp");
    if (values.size() == 1 && values.get(0).equals(azp) && hasNoScopeClaim(claims)) {
      throw reject(ID_TOKEN_PRESENTED, "aud equals azp " + Detail.quote(azp) + " and there is no scope: this is an ID token for that client, not an access token for this API");
    }
    throw reject(WRONG_AUDIENCE, "expected aud containing " + audiences + ", got " + Detail.quote(values));
  }

  /** A NumericDate claim in whole seconds, or null when absent; refuses null values and non-numbers. */
  private static Long numericDate(Map<String, Object> claims, String name) {
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

  private static String optionalString(Map<String, Object> claims, String name) {
    Object value = claims.get(name);
    if (value != null && !(value instanceof String)) {
      throw reject(MALFORMED, name + " is not a string");
    }
    return (String) value;
  }

  private Set<String> scopes(Map<String, Object> claims) {
    Set<String> scopes = null;
    for (String name : scopeClaims) {
      Object value = claims.get(name);
      if (value == null) {
        continue;
      }
      if (scopes == null) {
        scopes = new LinkedHashSet<>();
      }
      if (value instanceof String) {
        String list = (String) value;
        int start = 0;
        while (start <= list.length()) {
          int end = list.indexOf(' ', start);
          if (end < 0) {
            end = list.length();
          }
          if (end > start) {
            scopes.add(list.substring(start, end));
          }
          start = end + 1;
        }
      } else if (value instanceof List) {
        for (Object item : (List<?>) value) {
          if (!(item instanceof String)) {
            throw reject(MALFORMED, name + " holds a value that is not a string");
          }
          scopes.add((String) item);
        }
      } else {
        throw reject(MALFORMED, name + " is neither a string nor an array of strings");
      }
    }
    return scopes == null ? Set.of() : Collections.unmodifiableSet(scopes);
  }

  /**
   * The claims as users see them: dates as Instant, everything unmodifiable all the way down.
   * Converts the freshly parsed map in place (nothing else holds it) rather than copying it.
   */
  private static Map<String, Object> publicClaims(Map<String, Object> claims, Long exp, Long nbf, Long iat) {
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

  private static TokenVerificationException reject(TokenVerificationException.Reason reason, String detail) {
    return new TokenVerificationException(reason, detail);
  }

  private static void logRejection(String token, TokenVerificationException e) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("Rejected token {}: {}", fingerprint(token), e.getMessage());
    }
  }

  /** The first 8 hex digits of SHA-256(token): enough to correlate log lines, useless to replay. */
  static String fingerprint(String token) {
    if (token == null) {
      return "none";
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return String.format("%02x%02x%02x%02x", hash[0], hash[1], hash[2], hash[3]);
    } catch (NoSuchAlgorithmException e) {
      return "unavailable";
    }
  }
}
