package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.BAD_SIGNATURE;
import static dev.tokenguard.TokenVerificationException.Reason.EXPIRED;
import static dev.tokenguard.TokenVerificationException.Reason.ID_TOKEN_PRESENTED;
import static dev.tokenguard.TokenVerificationException.Reason.INSUFFICIENT_SCOPE;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_CLAIM;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.MISSING_CLAIM;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_A_JWS;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_YET_VALID;
import static dev.tokenguard.TokenVerificationException.Reason.TOO_OLD;
import static dev.tokenguard.TokenVerificationException.Reason.UNKNOWN_KEY;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_ALGORITHM;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_HEADER;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_AUDIENCE;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_ISSUER;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_TYPE;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
  /** JWE-only and unsupported JWS header parameters. */
  private static final List<String> REFUSED_HEADERS = List.of("crit", "b64", "cty", "zip", "epk", "p2c", "p2s", "iv", "tag", "apu", "apv");
  /** 9999-12-31T23:59:59Z: a NumericDate beyond it is not a date any issuer means. */
  private static final long MAX_NUMERIC_DATE = 253_402_300_799L;
  private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

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

  /** A cache entry: the verified token, the key that verified it, and its time bounds. */
  private static final class Verified {
    final AccessToken token;
    final VerificationKey key;
    final long expMillis;
    final long nbfMillis;

    Verified(AccessToken token, VerificationKey key, long expMillis, long nbfMillis) {
      this.token = token;
      this.key = key;
      this.expMillis = expMillis;
      this.nbfMillis = nbfMillis;
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
    List<String> required = new ArrayList<>(b.requiredClaims);
    this.requiredClaims = List.copyOf(required);
    this.claimRules = List.copyOf(b.claimRules);
    this.scopeClaims = List.copyOf(b.scopeClaims);
    this.strict = b.strictRfc9068;
    this.keySource = keySource;
    // Only verified tokens enter; weight bounds memory by token length (about 4 KiB per entry on average).
    this.verified =
        b.verifiedTokenCacheSize == 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(b.verifiedTokenCacheSize * 4096L)
                .weigher((String token, Verified v) -> token.length() + 1024)
                .build();
  }

  @Override
  public AccessToken verify(String token) {
    return verify(token, new String[0]);
  }

  @Override
  public AccessToken verify(String token, String... requiredScopes) {
    Objects.requireNonNull(requiredScopes, "requiredScopes");
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
      if (!token.hasScope(Objects.requireNonNull(scope, "required scope"))) {
        throw new TokenVerificationException(
            INSUFFICIENT_SCOPE, INSUFFICIENT_SCOPE.safeDescription(),
            "missing scope " + Detail.quote(scope) + "; granted " + token.scopes(), List.of(requiredScopes));
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
        return revalidate(hit);
      }
    }
    int dot1 = -1;
    int dot2 = -1;
    int dots = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        dots++;
        if (dots == 1) {
          dot1 = i;
        } else if (dots == 2) {
          dot2 = i;
        }
      } else if (!isBase64UrlChar(c)) {
        throw reject(MALFORMED, "character " + describeChar(c) + " at position " + i + " is outside the base64url alphabet");
      }
    }
    if (dots == 0) {
      throw reject(NOT_A_JWS, "the token is opaque, not a JWT (with Auth0: request the token with an audience parameter naming this API)");
    }
    if (dots == 4) {
      throw reject(NOT_A_JWS, "the token is an encrypted JWT (JWE), which this API does not accept");
    }
    if (dots != 2) {
      throw reject(MALFORMED, "a signed JWT has 3 dot-separated parts, this token has " + (dots + 1));
    }
    String headerPart = token.substring(0, dot1);
    String payloadPart = token.substring(dot1 + 1, dot2);
    String signaturePart = token.substring(dot2 + 1);
    if (headerPart.isEmpty() || payloadPart.isEmpty()) {
      throw reject(MALFORMED, "the header or payload part is empty");
    }

    Map<String, Object> header = parseJsonPart(headerPart, "header");
    Object alg = header.get("alg");
    if (!(alg instanceof String)) {
      throw reject(MALFORMED, "the header has no alg string");
    }
    String algName = (String) alg;
    if (header.containsKey("enc")) {
      throw reject(NOT_A_JWS, "the header is a JWE header (enc)");
    }
    if (algName.equalsIgnoreCase("none")) {
      throw reject(UNSUPPORTED_ALGORITHM, "unsecured JWTs (alg " + Detail.quote(algName) + ") are never accepted");
    }
    Algorithm algorithm = allowed(algName);
    if (algorithm == null) {
      throw reject(UNSUPPORTED_ALGORITHM, "alg " + Detail.quote(algName) + " is not one of " + new java.util.TreeSet<>(algorithms));
    }
    if (signaturePart.isEmpty()) {
      throw reject(MALFORMED, "the signature is empty");
    }
    for (String name : REFUSED_HEADERS) {
      if (header.containsKey(name)) {
        throw reject(UNSUPPORTED_HEADER, "header parameter " + name + " is not accepted in access tokens");
      }
    }
    Object kidValue = header.get("kid");
    if (kidValue != null && !(kidValue instanceof String)) {
      throw reject(MALFORMED, "kid is not a string");
    }
    String kid = (String) kidValue;
    if (kid != null && (kid.isEmpty() || kid.length() > VerificationKey.MAX_KID_LENGTH)) {
      throw reject(UNKNOWN_KEY, "kid is empty or longer than " + VerificationKey.MAX_KID_LENGTH + " characters");
    }
    Object typ = header.get("typ");
    if (typ != null && !(typ instanceof String)) {
      throw reject(MALFORMED, "typ is not a string");
    }

    Map<String, Object> claims = parseJsonPart(payloadPart, "payload");
    for (String name : ID_TOKEN_CLAIMS) {
      if (claims.containsKey(name)) {
        throw reject(ID_TOKEN_PRESENTED, "the token carries " + name + ", a claim only ID tokens have; send the access token instead");
      }
    }
    checkType((String) typ);

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

    VerificationKey key = findKey(kid, algorithm);
    verifySignature(token, dot2, header, headerPart, signaturePart, key);

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
    if (verified != null) {
      verified.put(token, new Verified(accessToken, key, expMillis, nbfMillis));
    }
    return accessToken;
  }

  /** A cache hit: time bounds and key presence are checked again, on the verifier's clock. */
  private AccessToken revalidate(Verified hit) {
    long nowMillis = clock.millis();
    if (nowMillis >= hit.expMillis + skewMillis) {
      throw reject(EXPIRED, "expired at " + hit.token.expiresAt());
    }
    if (nowMillis + skewMillis < hit.nbfMillis) {
      throw reject(NOT_YET_VALID, "nbf is in the future");
    }
    if (!keySource.keys().contains(hit.key)) {
      throw reject(UNKNOWN_KEY, "the key that signed this token is no longer published");
    }
    return hit.token;
  }

  private VerificationKey findKey(String kid, Algorithm algorithm) {
    KeySet keys = keySource.keys();
    if (kid == null) {
      VerificationKey only = keys.onlyKeyFor(algorithm);
      if (only == null) {
        throw reject(UNKNOWN_KEY, "the token has no kid and the issuer publishes more or fewer than one " + algorithm + " key");
      }
      return only;
    }
    VerificationKey key = keys.byKid(kid);
    if (key == null) {
      key = keySource.keysAfterMiss(kid, keys).byKid(kid);
      if (key == null) {
        throw reject(UNKNOWN_KEY, "no key with kid " + Detail.quote(kid) + " in the issuer's key set");
      }
    }
    if (!key.allows(algorithm)) {
      throw reject(UNKNOWN_KEY, "key " + Detail.quote(kid) + " cannot verify " + algorithm + " signatures");
    }
    return key;
  }

  private void verifySignature(
      String token, int dot2, Map<String, Object> header, String headerPart, String signaturePart, VerificationKey key) {
    boolean valid;
    try {
      JWSHeader jwsHeader = JWSHeader.parse(header, new Base64URL(headerPart));
      byte[] signingInput = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
      valid = key.verifier.verify(jwsHeader, signingInput, new Base64URL(signaturePart));
    } catch (ParseException e) {
      throw reject(MALFORMED, "the header is not a valid JWS header");
    } catch (JOSEException e) {
      throw reject(BAD_SIGNATURE, "the signature could not be checked (" + e.getClass().getSimpleName() + ")");
    }
    if (!valid) {
      throw reject(BAD_SIGNATURE, "the signature does not verify with key " + Detail.quote(key.kid));
    }
  }

  private Algorithm allowed(String name) {
    for (Algorithm a : algorithms) {
      if (a.name().equals(name)) {
        return a;
      }
    }
    return null;
  }

  private void checkType(String typ) {
    String normalized = typ == null ? null : typ.toLowerCase(Locale.ROOT);
    if (normalized != null && normalized.startsWith("application/")) {
      normalized = normalized.substring("application/".length());
    }
    if ("at+jwt".equals(normalized)) {
      return;
    }
    if (normalized == null || normalized.equals("jwt")) {
      if (strict) {
        throw reject(WRONG_TYPE, "typ " + (typ == null ? "absent" : Detail.quote(typ)) + "; the RFC 9068 profile requires at+jwt");
      }
      return;
    }
    throw reject(ID_TOKEN_PRESENTED, "typ " + Detail.quote(typ) + " marks another kind of JWT (such as an ID token), not an access token");
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
    boolean noScope = true;
    for (String name : scopeClaims) {
      noScope &= claims.get(name) == null;
    }
    if (values.size() == 1 && values.get(0).equals(azp) && noScope) {
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
        for (String scope : ((String) value).split(" ")) {
          if (!scope.isEmpty()) {
            scopes.add(scope);
          }
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

  /** The claims as users see them: dates as Instant, everything unmodifiable all the way down. */
  private static Map<String, Object> publicClaims(Map<String, Object> claims, Long exp, Long nbf, Long iat) {
    Map<String, Object> out = new LinkedHashMap<>(claims.size() * 2);
    for (Map.Entry<String, Object> e : claims.entrySet()) {
      out.put(e.getKey(), freeze(e.getValue()));
    }
    out.put("exp", Instant.ofEpochSecond(exp));
    if (nbf != null) {
      out.put("nbf", Instant.ofEpochSecond(nbf));
    }
    if (iat != null) {
      out.put("iat", Instant.ofEpochSecond(iat));
    }
    return Collections.unmodifiableMap(out);
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

  /** Decodes one base64url part as strict UTF-8 and parses it as a JSON object. */
  private static Map<String, Object> parseJsonPart(String part, String what) {
    if (part.length() % 4 == 1 || !canonicalTail(part)) {
      throw reject(MALFORMED, "the " + what + " is not canonical base64url");
    }
    String json;
    try {
      byte[] bytes = BASE64URL.decode(part);
      json = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (IllegalArgumentException e) {
      throw reject(MALFORMED, "the " + what + " is not base64url");
    } catch (CharacterCodingException e) {
      throw reject(MALFORMED, "the " + what + " is not valid UTF-8");
    }
    if (!json.isEmpty() && json.charAt(0) == '\uFEFF') {
      throw reject(MALFORMED, "the " + what + " starts with a byte order mark");
    }
    try {
      return JSONObjectUtils.parse(json);
    } catch (ParseException e) {
      throw reject(MALFORMED, "the " + what + " is not a JSON object");
    }
  }

  /** The unused low bits of the last base64url character must be zero (no second encoding of the same bytes). */
  private static boolean canonicalTail(String part) {
    int rem = part.length() % 4;
    if (rem == 0) {
      return true;
    }
    int value = base64Value(part.charAt(part.length() - 1));
    return rem == 2 ? (value & 0x0f) == 0 : (value & 0x03) == 0;
  }

  private static int base64Value(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : 63;
  }

  private static boolean isBase64UrlChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }

  private static String describeChar(char c) {
    return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
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
