package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.BAD_SIGNATURE;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_A_JWS;
import static dev.tokenguard.TokenVerificationException.Reason.UNKNOWN_KEY;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_ALGORITHM;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_HEADER;

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
 * the header policy, and its signature checked with a key from the key set. Claims are the
 * verifier's business. An instance belongs to one verification (it is not shared between threads);
 * a {@link HeaderCache} is shared by a verifier's threads.
 */
final class CompactJws {
  /** JWE-only and unsupported JWS header parameters. */
  private static final List<String> REFUSED_HEADERS =
      List.of("crit", "b64", "cty", "zip", "epk", "p2c", "p2s", "iv", "tag", "apu", "apv");
  private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();
  /** Longest encoded header accepted, whatever the token size limit (RFC 8725 3.x: bound the header). */
  static final int MAX_HEADER_CHARS = 20_000;
  /** What to do about an opaque or encrypted token from Auth0. */
  private static final String AUDIENCE_HINT = "with Auth0: request the token with an audience parameter naming this API";
  /** The base64url alphabet, indexed by character (ASCII only). */
  private static final boolean[] BASE64URL_ALPHABET = new boolean[128];

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
  /** The token's characters as bytes (it is pure ASCII once parsed); made on first use. */
  private byte[] ascii;

  private CompactJws(String token, int dot1, int dot2, Header parsedHeader) {
    this.token = token;
    this.dot1 = dot1;
    this.dot2 = dot2;
    this.parsedHeader = parsedHeader;
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
    /** Nimbus's view of the header, or null when Nimbus refuses it (then the signature check fails as malformed). */
    final JWSHeader jwsHeader;

    Header(String encoded, Map<String, Object> json, Algorithm algorithm, String kid, String typ) {
      this.encoded = encoded;
      this.json = Collections.unmodifiableMap(json);
      this.algorithm = algorithm;
      this.kid = kid;
      this.typ = typ;
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
   * header (an allowed {@code alg}, no {@code crit}, {@code b64}, {@code cty} or JWE parameters,
   * {@code kid} and {@code typ} strings).
   */
  static CompactJws parse(String token, Set<Algorithm> allowed) {
    return parse(token, allowed, null);
  }

  /** As {@link #parse(String, Set)}, reusing headers remembered in {@code cache} (for {@code allowed} only). */
  static CompactJws parse(String token, Set<Algorithm> allowed, HeaderCache cache) {
    int dot1 = -1;
    int dot2 = -1;
    int dots = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 128 && BASE64URL_ALPHABET[c]) {
        continue;
      }
      if (c == '.') {
        dots++;
        if (dots == 1) {
          dot1 = i;
        } else if (dots == 2) {
          dot2 = i;
        }
      } else if (dots == 0 && token.charAt(0) != '{' && token.indexOf('.', i) < 0) {
        throw opaque(); // no dot at all: not a JWT, whatever its characters (a JSON serialization aside)
      } else {
        throw reject(MALFORMED, "character " + describeChar(c) + " at position " + i + " is outside the base64url alphabet");
      }
    }
    if (dots == 0) {
      throw opaque();
    }
    if (dots == 4) {
      throw reject(NOT_A_JWS, "the token is an encrypted JWT (JWE), which this API does not accept (" + AUDIENCE_HINT + ")");
    }
    if (dots != 2) {
      throw reject(MALFORMED, "a signed JWT has 3 dot-separated parts, this token has " + (dots + 1));
    }
    if (dot1 == 0 || dot2 == dot1 + 1) {
      throw reject(MALFORMED, "the header or payload part is empty");
    }
    if (dot1 > MAX_HEADER_CHARS) {
      throw reject(MALFORMED, "the header has " + dot1 + " characters, more than " + MAX_HEADER_CHARS);
    }
    Header h = cache == null ? null : cache.find(token, dot1);
    if (h == null) {
      h = parseHeader(token, dot1, dot2 == token.length() - 1, allowed);
      if (cache != null) {
        cache.remember(h);
      }
    } else if (dot2 == token.length() - 1) {
      throw reject(MALFORMED, "the signature is empty");
    }
    checkCanonical(token, dot2 + 1, token.length(), "signature");
    return new CompactJws(token, dot1, dot2, h);
  }

  /** Decodes the header and holds it to the header policy, in the order the checks always ran. */
  private static Header parseHeader(String token, int dot1, boolean signatureEmpty, Set<Algorithm> allowed) {
    Map<String, Object> header = parseJson(token, 0, dot1, "header", null);
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
    Algorithm algorithm = null;
    for (Algorithm a : allowed) {
      if (a.name().equals(algName)) {
        algorithm = a;
      }
    }
    if (algorithm == null) {
      throw reject(UNSUPPORTED_ALGORITHM, "alg " + Detail.quote(algName) + " is not one of " + new TreeSet<>(allowed));
    }
    if (signatureEmpty) {
      throw reject(MALFORMED, "the signature is empty");
    }
    for (String name : REFUSED_HEADERS) {
      if (header.containsKey(name)) {
        throw reject(UNSUPPORTED_HEADER, "header parameter " + name + " is not accepted in access tokens");
      }
    }
    Object kid = header.get("kid");
    if (kid != null && !(kid instanceof String)) {
      throw reject(MALFORMED, "kid is not a string");
    }
    if (kid != null && (((String) kid).isEmpty() || ((String) kid).length() > VerificationKey.MAX_KID_LENGTH)) {
      throw reject(UNKNOWN_KEY, "kid is empty or longer than " + VerificationKey.MAX_KID_LENGTH + " characters");
    }
    Object typ = header.get("typ");
    if (typ != null && !(typ instanceof String)) {
      throw reject(MALFORMED, "typ is not a string");
    }
    return new Header(token.substring(0, dot1), header, algorithm, (String) kid, (String) typ);
  }

  /** The payload parsed as a JSON object (strict UTF-8, no byte order mark). */
  Map<String, Object> claims() {
    return parseJson(token, dot1 + 1, dot2, "payload", ascii());
  }

  private byte[] ascii() {
    if (ascii == null) {
      ascii = token.getBytes(StandardCharsets.US_ASCII);
    }
    return ascii;
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
        throw reject(UNKNOWN_KEY, "key " + Detail.quote(key.kid) + " cannot verify " + algorithm + " signatures");
      }
    }
    JWSHeader jwsHeader = parsedHeader.jwsHeader;
    if (jwsHeader == null) {
      throw reject(MALFORMED, "the header is not a valid JWS header");
    }
    byte[] signingInput;
    DecodedSignature signature;
    try {
      byte[] bytes = ascii();
      signingInput = Arrays.copyOf(bytes, dot2);
      ByteBuffer decoded = BASE64URL.decode(ByteBuffer.wrap(bytes, dot2 + 1, bytes.length - dot2 - 1));
      byte[] raw = decoded.limit() == decoded.capacity() ? decoded.array() : Arrays.copyOf(decoded.array(), decoded.limit());
      signature = new DecodedSignature(token.substring(dot2 + 1), raw);
    } catch (IllegalArgumentException e) {
      throw reject(MALFORMED, "the signature is not base64url");
    }
    String uncheckable = null;
    for (int i = 0; i < count; i++) {
      VerificationKey key = candidates.get(i);
      try {
        if (key.verifier.verify(jwsHeader, signingInput, signature)) {
          return key;
        }
      } catch (JOSEException e) {
        uncheckable = e.getClass().getSimpleName();
      } catch (IllegalArgumentException e) {
        throw reject(MALFORMED, "the signature could not be checked (" + e.getClass().getSimpleName() + ")");
      }
    }
    if (count == 1) {
      if (uncheckable != null) {
        throw reject(BAD_SIGNATURE, "the signature could not be checked (" + uncheckable + ")");
      }
      throw reject(BAD_SIGNATURE, "the signature does not verify with key " + Detail.quote(candidates.get(0).kid));
    }
    throw reject(BAD_SIGNATURE, "the signature does not verify with any of the " + count
        + " different keys with kid " + Detail.quote(candidates.get(0).kid) + " usable with " + algorithm);
  }

  /**
   * Decodes one base64url part and parses it as a JSON object ({@link Json}: strict UTF-8, no byte
   * order mark, no duplicate member names at any depth). {@code ascii} is the token as bytes when
   * the caller has them (saves copying the part), else null.
   */
  private static Map<String, Object> parseJson(String token, int from, int to, String what, byte[] ascii) {
    checkCanonical(token, from, to, what);
    ByteBuffer decoded;
    try {
      decoded = BASE64URL.decode(ascii != null
          ? ByteBuffer.wrap(ascii, from, to - from)
          : ByteBuffer.wrap(token.substring(from, to).getBytes(StandardCharsets.US_ASCII)));
    } catch (IllegalArgumentException e) {
      throw reject(MALFORMED, "the " + what + " is not base64url");
    }
    try {
      return Json.parseObject(decoded.array(), decoded.arrayOffset() + decoded.position(), decoded.remaining());
    } catch (ParseException e) {
      throw reject(MALFORMED, "the " + what + " " + e.getMessage());
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
  private static void checkCanonical(String token, int from, int to, String what) {
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
      throw reject(MALFORMED, "the " + what + " is not canonical base64url");
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

  private static TokenVerificationException opaque() {
    return reject(NOT_A_JWS, "the token is opaque, not a JWT (" + AUDIENCE_HINT + ")");
  }

  private static TokenVerificationException reject(TokenVerificationException.Reason reason, String detail) {
    return new TokenVerificationException(reason, detail);
  }
}
