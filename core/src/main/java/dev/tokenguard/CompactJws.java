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
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JWS layer: a compact JWS checked against the strict grammar, its header parsed and held to
 * the header policy, and its signature checked with a key from the key set. Claims are the
 * verifier's business. Instances are immutable.
 */
final class CompactJws {
  /** JWE-only and unsupported JWS header parameters. */
  private static final List<String> REFUSED_HEADERS =
      List.of("crit", "b64", "cty", "zip", "epk", "p2c", "p2s", "iv", "tag", "apu", "apv");
  private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

  final String token;
  final int dot1;
  final int dot2;
  final Map<String, Object> header;
  final Algorithm algorithm;
  final String kid;
  final String typ;

  private CompactJws(String token, int dot1, int dot2, Map<String, Object> header, Algorithm algorithm, String kid, String typ) {
    this.token = token;
    this.dot1 = dot1;
    this.dot2 = dot2;
    this.header = header;
    this.algorithm = algorithm;
    this.kid = kid;
    this.typ = typ;
  }

  /**
   * Checks the compact form (three non-empty base64url parts, canonical, nothing else) and the
   * header (an allowed {@code alg}, no {@code crit}, {@code b64}, {@code cty} or JWE parameters,
   * {@code kid} and {@code typ} strings).
   */
  static CompactJws parse(String token, Set<Algorithm> allowed) {
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
    if (dot1 == 0 || dot2 == dot1 + 1) {
      throw reject(MALFORMED, "the header or payload part is empty");
    }
    Map<String, Object> header = parseJson(token, 0, dot1, "header");
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
    if (dot2 == token.length() - 1) {
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
    checkCanonical(token, dot2 + 1, token.length(), "signature");
    return new CompactJws(token, dot1, dot2, header, algorithm, (String) kid, (String) typ);
  }

  /** The payload parsed as a JSON object (strict UTF-8, no byte order mark). */
  Map<String, Object> claims() {
    return parseJson(token, dot1 + 1, dot2, "payload");
  }

  /**
   * Checks the signature with {@code key}.
   *
   * @throws TokenVerificationException {@code UNKNOWN_KEY} when the key cannot verify this
   *     algorithm, {@code BAD_SIGNATURE} when the signature does not verify
   */
  void verifySignature(VerificationKey key) {
    if (!key.allows(algorithm)) {
      throw reject(UNKNOWN_KEY, "key " + Detail.quote(key.kid) + " cannot verify " + algorithm + " signatures");
    }
    boolean valid;
    try {
      JWSHeader jwsHeader = JWSHeader.parse(header, new Base64URL(token.substring(0, dot1)));
      byte[] signingInput = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
      valid = key.verifier.verify(jwsHeader, signingInput, new Base64URL(token.substring(dot2 + 1)));
    } catch (ParseException e) {
      throw reject(MALFORMED, "the header is not a valid JWS header");
    } catch (JOSEException e) {
      throw reject(BAD_SIGNATURE, "the signature could not be checked (" + e.getClass().getSimpleName() + ")");
    }
    if (!valid) {
      throw reject(BAD_SIGNATURE, "the signature does not verify with key " + Detail.quote(key.kid));
    }
  }

  /** Decodes one base64url part as strict UTF-8 and parses it as a JSON object. */
  private static Map<String, Object> parseJson(String token, int from, int to, String what) {
    checkCanonical(token, from, to, what);
    String json;
    try {
      byte[] bytes = BASE64URL.decode(token.substring(from, to));
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
    // The JSON library also reads a map from an array of [name, value] pairs; a JOSE header and a
    // claims set must be a JSON object (RFC 7515 4, RFC 7519 7.2).
    if (!json.stripLeading().startsWith("{")) {
      throw reject(MALFORMED, "the " + what + " is not a JSON object");
    }
    try {
      return JSONObjectUtils.parse(json);
    } catch (ParseException e) {
      throw reject(MALFORMED, "the " + what + " is not a JSON object");
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

  private static boolean isBase64UrlChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }

  private static String describeChar(char c) {
    return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private static TokenVerificationException reject(TokenVerificationException.Reason reason, String detail) {
    return new TokenVerificationException(reason, detail);
  }
}
