package dev.tokenguard.http;

import java.util.List;

/**
 * One {@code Authorization} header value, parsed strictly and aware of its scheme (RFC 9110
 * section 11.6.2, {@code credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]}). For each
 * scheme the resource accepts ({@code Bearer}, RFC 6750 section 2.1; {@code DPoP}, RFC 9449
 * section 7.1, which has the same shape) the grammar is {@code scheme 1*SP token68}, the scheme
 * name compared case-insensitively (RFC 9110 section 11.1). Immutable.
 *
 * <ul>
 *   <li>An accepted scheme followed by one or more spaces and something: {@link Kind#CREDENTIALS},
 *       the rest checked as a {@code b64token} later (a bad token is the token's fault, 401).
 *   <li>An empty value, an accepted scheme with nothing after it, or with anything but a space
 *       after its name ({@code Bearer<TAB>...}, {@code Bearerabc}): {@link Kind#MALFORMED}.
 *   <li>A bare token in the place of the scheme (only {@code b64token} characters with at least two
 *       dots, the shape of a JWS or JWE, which no registered scheme name has): {@link
 *       Kind#MALFORMED}, with a description telling the client to add the scheme. By RFC 9110's
 *       grammar it is a scheme without credentials, so it could be read as "another scheme"; it is
 *       answered as the malformed request it is, because that tells a client what to fix.
 *   <li>Anything else, another scheme such as {@code Basic}: {@link Kind#OTHER_SCHEME}, "no
 *       credentials of an accepted scheme" (RFC 6750 section 3.1).
 * </ul>
 */
final class AuthorizationHeader {
  enum Kind { CREDENTIALS, MALFORMED, OTHER_SCHEME }

  static final String MALFORMED_DESCRIPTION = "The Authorization header is malformed.";
  static final String RAW_TOKEN_DESCRIPTION =
      "The Authorization header lacks its scheme; send the access token as Authorization: Bearer <token>.";

  private static final AuthorizationHeader OTHER = new AuthorizationHeader(Kind.OTHER_SCHEME, null, null, null);
  private static final AuthorizationHeader MALFORMED = new AuthorizationHeader(Kind.MALFORMED, null, null, MALFORMED_DESCRIPTION);
  private static final AuthorizationHeader RAW_TOKEN = new AuthorizationHeader(Kind.MALFORMED, null, null, RAW_TOKEN_DESCRIPTION);

  final Kind kind;
  /**
   * For {@link Kind#CREDENTIALS}, and for {@link Kind#MALFORMED} when the value names an accepted
   * scheme without a token: that scheme, spelled as the resource spells it; else null.
   */
  final String scheme;
  /** For {@link Kind#CREDENTIALS}: everything after {@code scheme 1*SP}, not yet checked. */
  final String credentials;
  /** For {@link Kind#MALFORMED}: a fixed sentence for {@code error_description}. */
  final String description;

  private AuthorizationHeader(Kind kind, String scheme, String credentials, String description) {
    this.kind = kind;
    this.scheme = scheme;
    this.credentials = credentials;
    this.description = description;
  }

  /**
   * Parses {@code value} for the schemes in {@code schemes} (their names as registered, e.g.
   * {@code Bearer}).
   */
  static AuthorizationHeader parse(String value, List<String> schemes) {
    String v = value == null ? "" : value;
    if (v.isBlank()) {
      return MALFORMED;
    }
    for (String scheme : schemes) {
      int n = scheme.length();
      if (v.length() < n || !v.regionMatches(true, 0, scheme, 0, n)) {
        continue;
      }
      if (v.length() == n || v.charAt(n) != ' ') {
        // "Bearer", "Bearer\t...", "Bearer<token>": an attempt at this scheme without its token.
        return malformed(scheme);
      }
      int i = n;
      while (i < v.length() && v.charAt(i) == ' ') {
        i++;
      }
      return i == v.length() ? malformed(scheme) : new AuthorizationHeader(Kind.CREDENTIALS, scheme, v.substring(i), null);
    }
    return looksLikeABareToken(v) ? RAW_TOKEN : OTHER;
  }

  private static AuthorizationHeader malformed(String scheme) {
    return new AuthorizationHeader(Kind.MALFORMED, scheme, null, MALFORMED_DESCRIPTION);
  }

  /** The scheme position holds only b64token characters with at least two dots (a compact JWS or JWE). */
  private static boolean looksLikeABareToken(String v) {
    int end = v.indexOf(' ');
    String first = end < 0 ? v : v.substring(0, end);
    int dots = 0;
    for (int i = 0; i < first.length(); i++) {
      char c = first.charAt(i);
      if (c == '.') {
        dots++;
      } else if (!isB64TokenChar(c) && c != '=') {
        return false;
      }
    }
    return dots >= 2;
  }

  /** {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="} (RFC 6750 section 2.1). */
  static boolean isB64Token(String s) {
    int i = 0;
    int n = s.length();
    while (i < n && isB64TokenChar(s.charAt(i))) {
      i++;
    }
    if (i == 0) {
      return false;
    }
    while (i < n && s.charAt(i) == '=') {
      i++;
    }
    return i == n;
  }

  /**
   * One look-up per character: this scan runs over the whole token on every request, cache hits
   * included, and a chain of range tests made it the filter's largest cost per request.
   */
  private static boolean isB64TokenChar(char c) {
    return c < B64TOKEN_CHARS.length && B64TOKEN_CHARS[c];
  }

  /** Indexed by character: true for {@code ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"}. */
  private static final boolean[] B64TOKEN_CHARS = new boolean[128];

  static {
    for (char c = 'A'; c <= 'Z'; c++) {
      B64TOKEN_CHARS[c] = true;
      B64TOKEN_CHARS[Character.toLowerCase(c)] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      B64TOKEN_CHARS[c] = true;
    }
    for (char c : "-._~+/".toCharArray()) {
      B64TOKEN_CHARS[c] = true;
    }
  }
}
