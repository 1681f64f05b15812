package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.BAD_SIGNATURE;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_A_JWS;
import static dev.tokenguard.TokenVerificationException.Reason.UNKNOWN_KEY;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_ALGORITHM;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_HEADER;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_TYPE;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JWS layer: a compact JWS checked against the strict grammar, its header parsed and held to
 * a {@link HeaderPolicy} (one for access tokens, one for DPoP proofs), and its signature checked
 * with a key. Claims are the caller's business. An instance belongs to one verification (it is not
 * shared between threads); a {@link HeaderCache} is shared by a verifier's threads.
 */
final class CompactJws {
  /** JWE-only and unsupported JWS header parameters. */
  private static final List<String> REFUSED_HEADERS =
      List.of("crit", "b64", "cty", "zip", "epk", "p2c", "p2s", "iv", "tag", "apu", "apv");

  /**
   * What a kind of JWS must look like beyond the compact grammar, and how it is refused. Both
   * kinds refuse {@code crit}, {@code b64}, {@code cty} and JWE parameters, {@code none} and any
   * {@code alg} not allowed, and a {@code kid} or {@code typ} that is not a string (a {@code kid}
   * is bounded, used only as an exact lookup key). Immutable.
   */
  static final class HeaderPolicy {
    /**
     * Access tokens: any {@code typ} (judged later with the claims, {@link IdTokenEvidence}); the
     * key comes from the issuer's key set by {@code kid}, so a header {@code jwk} is ignored; each
     * refusal has its own reason; an opaque or encrypted token gets a hint for Auth0 users.
     */
    static final HeaderPolicy ACCESS_TOKEN = new HeaderPolicy("access tokens", null, false, null);
    /**
     * DPoP proofs (RFC 9449 sections 4.2 and 4.3): {@code typ} must be {@code dpop+jwt} (section
     * 4.3 check 4; compared as a media type, RFC 7515 section 4.1.9: case-insensitive, {@code
     * application/} optional); {@code jwk} must be a JSON object (the key is that one, checked by
     * the caller); every refusal is INVALID_DPOP_PROOF. Never used with a {@link HeaderCache}: each
     * client key makes its own header.
     */
    static final HeaderPolicy DPOP_PROOF =
        new HeaderPolicy("DPoP proofs", "dpop+jwt", true, TokenVerificationException.Reason.INVALID_DPOP_PROOF);

    /** What the JWS is, for messages ("... is not accepted in access tokens"). */
    final String kind;
    /** The one accepted {@code typ} (without {@code application/}), or null when any string passes. */
    final String requiredType;
    final boolean requiresJwk;
    /** The reason of every refusal, or null for each check's own reason. */
    final TokenVerificationException.Reason refusal;

    private HeaderPolicy(String kind, String requiredType, boolean requiresJwk, TokenVerificationException.Reason refusal) {
      this.kind = kind;
      this.requiredType = requiredType;
      this.requiresJwk = requiresJwk;
      this.refusal = refusal;
    }

    TokenVerificationException reject(TokenVerificationException.Reason reason, String detail) {
      return refusal == null
          ? new TokenVerificationException(reason, detail)
          : new TokenVerificationException(refusal, "in the DPoP proof, " + detail);
    }

    /** Whether {@code typ} is the required type, as a media type (RFC 7515 section 4.1.9). */
    boolean acceptsType(String typ) {
      if (requiredType == null) {
        return true;
      }
      if (typ == null) {
        return false;
      }
      String type = typ.toLowerCase(java.util.Locale.ROOT);
      return type.equals(requiredType) || type.equals("application/" + requiredType);
    }
  }
  private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();
  /** Longest encoded header accepted, whatever the token size limit (RFC 8725 3.x: bound the header). */
  static final int MAX_HEADER_CHARS = 20_000;
  /** What to do about an opaque or encrypted token from Auth0. */
  private static final String AUDIENCE_HINT = "with Auth0: request the token with an audience parameter naming this API";
  /** The base64url alphabet, indexed by byte value (0-255: bytes above 0x7f are not in it). */
  private static final boolean[] BASE64URL_ALPHABET = new boolean[256];

  static {
    for (char c = 'A'; c <= 'Z'; c++) {
      BASE64URL_ALPHABET[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      BASE64URL_ALPHABET[c] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      BASE64URL_ALPHABET[c] = true;
    }
    BASE64URL_ALPHABET['-'] = true;
    BASE64URL_ALPHABET['_'] = true;
  }

  final String token;
  final int dot1;
  final int dot2;
  final Map<String, Object> header;
  final Algorithm algorithm;
  final String kid;
  final String typ;
  private final Header parsedHeader;
  private final HeaderPolicy policy;
  /** The token's characters as bytes (it is pure ASCII once parsed). */
  private final byte[] ascii;

  private CompactJws(String token, byte[] ascii, int dot1, int dot2, Header parsedHeader, HeaderPolicy policy) {
    this.token = token;
    this.ascii = ascii;
    this.dot1 = dot1;
    this.dot2 = dot2;
    this.parsedHeader = parsedHeader;
    this.policy = policy;
    this.header = parsedHeader.json;
    this.algorithm = parsedHeader.algorithm;
    this.kid = parsedHeader.kid;
    this.typ = parsedHeader.typ;
  }

  /**
   * A header that passed the header policy, with its Nimbus form built once. Immutable: shared
   * by every token that carries the same encoded header.
   */
  static final class Header {
    final String encoded;
    final Map<String, Object> json;
    final Algorithm algorithm;
    final String kid;
    final String typ;
    /** The {@code jwk} object when the policy requires one, else null. */
    final Map<String, Object> jwk;
    /** Nimbus's view of the header, or null when Nimbus refuses it (then the signature check fails as malformed). */
    final JWSHeader jwsHeader;

    Header(String encoded, Map<String, Object> json, Algorithm algorithm, String kid, String typ, Map<String, Object> jwk) {
      this.encoded = encoded;
      this.json = Collections.unmodifiableMap(json);
      this.algorithm = algorithm;
      this.kid = kid;
      this.typ = typ;
      this.jwk = jwk == null ? null : Collections.unmodifiableMap(jwk);
      JWSHeader parsed;
      try {
        parsed = JWSHeader.parse(json, new Base64URL(encoded));
      } catch (ParseException | RuntimeException e) {
        parsed = null;
      }
      this.jwsHeader = parsed;
    }
  }

  /**
   * Remembers the last few headers that passed the policy for one set of allowed algorithms, so
   * that tokens from the same issuer and key (which share their header byte for byte) skip
   * decoding and re-checking it. A miss costs what parsing always costs; a header only enters
   * after passing every header check, and is matched on its exact encoded form. Thread-safe:
   * slots hold immutable objects, and a lost race only costs a miss.
   */
  static final class HeaderCache {
    private static final int SLOTS = 4;
    private final Header[] slots = new Header[SLOTS];
    private int next;

    Header find(String token, int dot1) {
      for (Header h : slots) {
        if (h != null && h.encoded.length() == dot1 && token.startsWith(h.encoded)) {
          return h;
        }
      }
      return null;
    }

    void remember(Header h) {
      int i = next;
      next = (i + 1) % SLOTS;
      slots[i] = h;
    }
  }

  /**
   * Checks the compact form (three non-empty base64url parts, canonical, nothing else) and the
   * header of an access token (an allowed {@code alg}, no {@code crit}, {@code b64}, {@code cty} or
   * JWE parameters, {@code kid} and {@code typ} strings).
   */
  static CompactJws parse(String token, Set<Algorithm> allowed) {
    return parse(token, allowed, null);
  }

  /** As {@link #parse(String, Set)}, reusing headers remembered in {@code cache} (for {@code allowed} only). */
  static CompactJws parse(String token, Set<Algorithm> allowed, HeaderCache cache) {
    return parse(token, allowed, cache, HeaderPolicy.ACCESS_TOKEN);
  }

  /**
   * Checks the compact form and holds the header to {@code policy}; {@code cache} may be non-null
   * only for {@link HeaderPolicy#ACCESS_TOKEN}. Longer than most methods on purpose: one pass over
   * the token's bytes finds the dots, refuses foreign characters and locates the parts, and every
   * later step reads that one copy in place (issue 15's allocation budget).
   */
  static CompactJws parse(String token, Set<Algorithm> allowed, HeaderCache cache, HeaderPolicy policy) {
    // One copy of the token as bytes, scanned here and then read in place by the base64url decoder
    // and the signature check. Latin-1 copies the string's own bytes; any character outside
    // ASCII becomes a byte the scan refuses (a byte above 0x7f, or '?' beyond Latin-1).
    byte[] ascii = token.getBytes(StandardCharsets.ISO_8859_1);
    int dot1 = -1;
    int dot2 = -1;
    int dots = 0;
    for (int i = 0; i < ascii.length; i++) {
      int b = ascii[i] & 0xff;
      if (BASE64URL_ALPHABET[b]) {
        continue;
      }
      char c = token.charAt(i);
      if (c == '.') {
        dots++;
        if (dots == 1) {
          dot1 = i;
        } else if (dots == 2) {
          dot2 = i;
        }
      } else if (dots == 0 && token.charAt(0) != '{' && token.indexOf('.', i) < 0) {
        throw opaque(policy); // no dot at all: not a JWT, whatever its characters (a JSON serialization aside)
      } else {
        throw policy.reject(MALFORMED, "character " + describeChar(c) + " at position " + i + " is outside the base64url alphabet");
      }
    }
    if (dots == 0) {
      throw opaque(policy);
    }
    if (dots == 4) {
      throw policy.reject(NOT_A_JWS, "the token is an encrypted JWT (JWE), which this API does not accept"
          + (policy.refusal == null ? " (" + AUDIENCE_HINT + ")" : ""));
    }
    if (dots != 2) {
      throw policy.reject(MALFORMED, "a signed JWT has 3 dot-separated parts, this token has " + (dots + 1));
    }
    if (dot1 == 0 || dot2 == dot1 + 1) {
      throw policy.reject(MALFORMED, "the header or payload part is empty");
    }
    if (dot1 > MAX_HEADER_CHARS) {
      throw policy.reject(MALFORMED, "the header has " + dot1 + " characters, more than " + MAX_HEADER_CHARS);
    }
    Header h = cache == null ? null : cache.find(token, dot1);
    if (h == null) {
      h = parseHeader(token, ascii, dot1, dot2 == token.length() - 1, allowed, policy);
      if (cache != null) {
        cache.remember(h);
      }
    } else if (dot2 == token.length() - 1) {
      throw policy.reject(MALFORMED, "the signature is empty");
    }
    checkCanonical(token, dot2 + 1, token.length(), "signature", policy);
    return new CompactJws(token, ascii, dot1, dot2, h, policy);
  }

  /** Decodes the header and holds it to {@code policy}, in the order the checks always ran. */
  private static Header parseHeader(String token, byte[] ascii, int dot1, boolean signatureEmpty, Set<Algorithm> allowed,
      HeaderPolicy policy) {
    Map<String, Object> header = parseJson(token, 0, dot1, "header", ascii, policy);
    Object alg = header.get("alg");
    if (!(alg instanceof String)) {
      throw policy.reject(MALFORMED, "the header has no alg string");
    }
    String algName = (String) alg;
    if (header.containsKey("enc")) {
      throw policy.reject(NOT_A_JWS, "the header is a JWE header (enc)");
    }
    if (algName.equalsIgnoreCase("none")) {
      throw policy.reject(UNSUPPORTED_ALGORITHM, "unsecured JWTs (alg " + Detail.quote(algName) + ") are never accepted");
    }
    Algorithm algorithm = null;
    for (Algorithm a : allowed) {
      if (a.name().equals(algName)) {
        algorithm = a;
      }
    }
    if (algorithm == null) {
      throw policy.reject(UNSUPPORTED_ALGORITHM, "alg " + Detail.quote(algName) + " is not one of " + new TreeSet<>(allowed));
    }
    if (signatureEmpty) {
      throw policy.reject(MALFORMED, "the signature is empty");
    }
    for (String name : REFUSED_HEADERS) {
      if (header.containsKey(name)) {
        throw policy.reject(UNSUPPORTED_HEADER, "header parameter " + name + " is not accepted in " + policy.kind);
      }
    }
    Object kid = header.get("kid");
    if (kid != null && !(kid instanceof String)) {
      throw policy.reject(MALFORMED, "kid is not a string");
    }
    if (kid != null && (((String) kid).isEmpty() || ((String) kid).length() > VerificationKey.MAX_KID_LENGTH)) {
      throw policy.reject(UNKNOWN_KEY, "kid is empty or longer than " + VerificationKey.MAX_KID_LENGTH + " characters");
    }
    Object typ = header.get("typ");
    if (typ != null && !(typ instanceof String)) {
      throw policy.reject(MALFORMED, "typ is not a string");
    }
    if (!policy.acceptsType((String) typ)) {
      throw policy.reject(WRONG_TYPE, "typ is " + (typ == null ? "missing" : Detail.quote(typ)) + ", not "
          + policy.requiredType + " (RFC 9449 section 4.3 check 4)");
    }
    Object jwk = header.get("jwk");
    if (policy.requiresJwk && !(jwk instanceof Map)) {
      throw policy.reject(MALFORMED, "the header has " + (jwk == null ? "no jwk" : "a jwk that is not a JSON object")
          + " (RFC 9449 section 4.2)");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> publicJwk = policy.requiresJwk ? (Map<String, Object>) jwk : null;
    return new Header(token.substring(0, dot1), header, algorithm, (String) kid, (String) typ, publicJwk);
  }

  /** The payload parsed as a JSON object (strict UTF-8, no byte order mark). */
  Map<String, Object> claims() {
    return parseJson(token, dot1 + 1, dot2, "payload", ascii, policy);
  }

  /** For {@link HeaderPolicy#DPOP_PROOF}: the header's {@code jwk} object (unmodifiable); null for access tokens. */
  Map<String, Object> jwk() {
    return parsedHeader.jwk;
  }

  /**
   * Checks the signature with {@code key}.
   *
   * @throws TokenVerificationException {@code UNKNOWN_KEY} when the key cannot verify this
   *     algorithm, {@code BAD_SIGNATURE} when the signature does not verify
   */
  void verifySignature(VerificationKey key) {
    verifySignature(List.of(key));
  }

  /**
   * Checks the signature with each of {@code candidates} in turn (the keys {@link KeySet#keysFor}
   * returned, in JWKS order) and returns the first key it verifies with. The signature is decoded
   * once; each further candidate costs one signature check.
   *
   * @throws TokenVerificationException {@code UNKNOWN_KEY} when a candidate cannot verify this
   *     algorithm, {@code BAD_SIGNATURE} when the signature verifies with none of them
   */
  VerificationKey verifySignature(List<VerificationKey> candidates) {
    int count = candidates.size();
    for (int i = 0; i < count; i++) { // indexed: no iterator on the per-token path
      VerificationKey key = candidates.get(i);
      if (!key.allows(algorithm)) {
        throw policy.reject(UNKNOWN_KEY, "key " + Detail.quote(key.kid) + " cannot verify " + algorithm + " signatures");
      }
    }
    JWSHeader jwsHeader = parsedHeader.jwsHeader;
    if (jwsHeader == null) {
      throw policy.reject(MALFORMED, "the header is not a valid JWS header");
    }
    byte[] bytes = ascii;
    byte[] raw;
    try {
      ByteBuffer decoded = BASE64URL.decode(ByteBuffer.wrap(bytes, dot2 + 1, bytes.length - dot2 - 1));
      raw = decoded.limit() == decoded.capacity() ? decoded.array() : Arrays.copyOf(decoded.array(), decoded.limit());
    } catch (IllegalArgumentException e) {
      throw policy.reject(MALFORMED, "the signature is not base64url");
    }
    // Made only for a key that goes through a Nimbus verifier (RSA keys check RS256, RS384 and
    // RS512 over the token's own bytes).
    byte[] signingInput = null;
    DecodedSignature signature = null;
    String uncheckable = null;
    for (int i = 0; i < count; i++) {
      VerificationKey key = candidates.get(i);
      try {
        boolean verified;
        if (key.verifiesPkcs1(algorithm)) {
          verified = key.verifyPkcs1(algorithm, bytes, 0, dot2, raw);
        } else {
          if (signingInput == null) {
            signingInput = Arrays.copyOf(bytes, dot2);
            signature = new DecodedSignature(token.substring(dot2 + 1), raw);
          }
          verified = key.verifier.verify(jwsHeader, signingInput, signature);
        }
        if (verified) {
          return key;
        }
      } catch (JOSEException e) {
        uncheckable = e.getClass().getSimpleName();
      } catch (IllegalArgumentException e) {
        throw policy.reject(MALFORMED, "the signature could not be checked (" + e.getClass().getSimpleName() + ")");
      }
    }
    if (count == 1) {
      if (uncheckable != null) {
        throw policy.reject(BAD_SIGNATURE, "the signature could not be checked (" + uncheckable + ")");
      }
      throw policy.reject(BAD_SIGNATURE, "the signature does not verify with key " + Detail.quote(candidates.get(0).kid));
    }
    throw policy.reject(BAD_SIGNATURE, "the signature does not verify with any of the " + count
        + " different keys with kid " + Detail.quote(candidates.get(0).kid) + " usable with " + algorithm);
  }

  /**
   * Decodes one base64url part and parses it as a JSON object ({@link Json}: strict UTF-8, no byte
   * order mark, no duplicate member names at any depth). {@code ascii} is the token as bytes, read
   * in place.
   */
  private static Map<String, Object> parseJson(String token, int from, int to, String what, byte[] ascii,
      HeaderPolicy policy) {
    checkCanonical(token, from, to, what, policy);
    ByteBuffer decoded;
    try {
      decoded = BASE64URL.decode(ByteBuffer.wrap(ascii, from, to - from));
    } catch (IllegalArgumentException e) {
      throw policy.reject(MALFORMED, "the " + what + " is not base64url");
    }
    try {
      return Json.parseObject(decoded.array(), decoded.arrayOffset() + decoded.position(), decoded.remaining());
    } catch (ParseException e) {
      throw policy.reject(MALFORMED, "the " + what + " " + e.getMessage());
    }
  }

  /**
   * A signature already decoded with the JDK's base64url decoder, handed to Nimbus's verifier,
   * which only asks for its bytes. Nimbus's own decoder costs several times more per call.
   */
  private static final class DecodedSignature extends Base64URL {
    private static final long serialVersionUID = 1L;
    private final transient byte[] bytes;

    DecodedSignature(String encoded, byte[] bytes) {
      super(encoded);
      this.bytes = bytes;
    }

    /** The decoded bytes themselves: the verifier reads them once and does not modify them. */
    @Override
    public byte[] decode() {
      return bytes;
    }
  }

  /**
   * A base64url part must have a possible length, and the unused low bits of its last character
   * must be zero, so that each byte string has exactly one encoding.
   */
  private static void checkCanonical(String token, int from, int to, String what, HeaderPolicy policy) {
    int rem = (to - from) % 4;
    boolean ok;
    if (rem == 0) {
      ok = true;
    } else if (rem == 1) {
      ok = false;
    } else {
      int value = base64Value(token.charAt(to - 1));
      ok = rem == 2 ? (value & 0x0f) == 0 : (value & 0x03) == 0;
    }
    if (!ok) {
      throw policy.reject(MALFORMED, "the " + what + " is not canonical base64url");
    }
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

  private static String describeChar(char c) {
    return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private static TokenVerificationException opaque(HeaderPolicy policy) {
    return policy.refusal == null
        ? policy.reject(NOT_A_JWS, "the token is opaque, not a JWT (" + AUDIENCE_HINT + ")")
        : policy.reject(NOT_A_JWS, "the value is not a JWT");
  }
}
