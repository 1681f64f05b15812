package dev.tokenguard.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Finds the bearer token in a request, strictly per RFC 6750 section 2: the {@code Authorization}
 * header always; the {@code access_token} form-body and URI-query parameters only when enabled.
 * A request using more than one method, repeating {@code access_token}, carrying two
 * {@code Authorization} lines or a malformed one is an {@code invalid_request}. The query string
 * and the form body are parsed here, never through {@code getParameter} (which merges both and
 * would hide a second copy). Immutable and thread-safe.
 */
final class BearerTokenExtractor {
  static final String PARAMETER = "access_token";
  /** Largest form body read when looking for {@code access_token}. */
  static final int MAX_FORM_BYTES = 64 * 1024;
  /** Largest oversized form body read to its end (and dropped) before answering 400. */
  static final int MAX_DRAIN_BYTES = 1024 * 1024;

  private static final List<String> FORM_METHODS = List.of("POST", "PUT", "PATCH");

  enum Outcome {
    /** No bearer credentials (none at all, or only another scheme such as Basic). */
    NONE,
    /** One token, by one method, syntactically a b64token. */
    TOKEN,
    /** 400 invalid_request; {@link Result#description} says why. */
    INVALID_REQUEST,
    /** A token whose characters are not a b64token: 401 invalid_token. */
    MALFORMED_TOKEN
  }

  /** The outcome, the token, and the request to pass on (wrapped when the body was read). */
  static final class Result {
    final Outcome outcome;
    final String token;
    final boolean fromQuery;
    final String description;
    final HttpServletRequest request;

    private Result(Outcome outcome, String token, boolean fromQuery, String description, HttpServletRequest request) {
      this.outcome = outcome;
      this.token = token;
      this.fromQuery = fromQuery;
      this.description = description;
      this.request = request;
    }
  }

  private final boolean queryAllowed;
  private final boolean formAllowed;

  BearerTokenExtractor(boolean queryAllowed, boolean formAllowed) {
    this.queryAllowed = queryAllowed;
    this.formAllowed = formAllowed;
  }

  boolean queryAllowed() {
    return queryAllowed;
  }

  boolean formAllowed() {
    return formAllowed;
  }

  Result extract(HttpServletRequest request) throws IOException {
    List<String> headers = Collections.list(request.getHeaders("Authorization"));
    if (headers.size() > 1) {
      return invalid("The request carries more than one Authorization header.", request);
    }
    Header header = headers.isEmpty() ? Header.ABSENT : parseHeader(headers.get(0));

    List<String> queryTokens = FormEncoding.values(request.getQueryString(), PARAMETER);

    HttpServletRequest passOn = request;
    List<String> formTokens = List.of();
    if (formAllowed && isFormRequest(request)) {
      byte[] body = readBody(request);
      if (body == null) {
        return invalid("The form body is too large to look for an access token.", request);
      }
      passOn = new FormBodyRequest(request, body);
      if (isAscii(body)) {
        formTokens = FormEncoding.values(new String(body, StandardCharsets.US_ASCII), PARAMETER);
      }
    }

    if (queryTokens.size() > 1 || formTokens.size() > 1) {
      return invalid("The request repeats the access_token parameter.", passOn);
    }
    int methods = (header.kind != Header.Kind.ABSENT ? 1 : 0) + queryTokens.size() + formTokens.size();
    if (methods > 1) {
      return invalid("The request uses more than one method to send an access token.", passOn);
    }
    if (!queryTokens.isEmpty() && !queryAllowed) {
      return invalid("Access tokens in the URI query are not accepted; send an Authorization: Bearer header.", passOn);
    }
    switch (header.kind) {
      case MALFORMED_HEADER:
        return invalid("The Authorization header is malformed.", passOn);
      case TOKEN:
        return token(header.token, false, passOn);
      case ABSENT:
      default:
        break;
    }
    if (!queryTokens.isEmpty()) {
      return token(queryTokens.get(0), true, passOn);
    }
    if (!formTokens.isEmpty()) {
      return token(formTokens.get(0), false, passOn);
    }
    return new Result(Outcome.NONE, null, false, null, passOn);
  }

  private static Result token(String value, boolean fromQuery, HttpServletRequest request) {
    if (value != null && value.isEmpty()) {
      return invalid("The access_token parameter is empty.", request);
    }
    if (value == null || !isB64Token(value)) {
      return new Result(Outcome.MALFORMED_TOKEN, null, false, null, request);
    }
    return new Result(Outcome.TOKEN, value, fromQuery, null, request);
  }

  private static Result invalid(String description, HttpServletRequest request) {
    return new Result(Outcome.INVALID_REQUEST, null, false, description, request);
  }

  /** What the single {@code Authorization} header holds. */
  static final class Header {
    enum Kind { ABSENT, TOKEN, MALFORMED_HEADER }

    static final Header ABSENT = new Header(Kind.ABSENT, null);
    static final Header MALFORMED = new Header(Kind.MALFORMED_HEADER, null);

    final Kind kind;
    /** For {@link Kind#TOKEN}: everything after {@code Bearer 1*SP}, not yet checked. */
    final String token;

    private Header(Kind kind, String token) {
      this.kind = kind;
      this.token = token;
    }
  }

  /**
   * {@code credentials = "Bearer" 1*SP b64token}, scheme case-insensitive. Another scheme (Basic,
   * DPoP, ...) means no bearer credentials; an empty header, {@code Bearer} with nothing after it,
   * or {@code Bearer} followed by anything but spaces is malformed.
   */
  static Header parseHeader(String value) {
    String v = value == null ? "" : value;
    if (v.isBlank()) {
      return Header.MALFORMED;
    }
    if (v.length() < 6 || !v.regionMatches(true, 0, "Bearer", 0, 6)) {
      return Header.ABSENT;
    }
    if (v.length() == 6) {
      return Header.MALFORMED;
    }
    if (v.charAt(6) != ' ') {
      // "Bearer\t...", "Bearer<token>": a Bearer attempt without the required space.
      return Header.MALFORMED;
    }
    int i = 6;
    while (i < v.length() && v.charAt(i) == ' ') {
      i++;
    }
    if (i == v.length()) {
      return Header.MALFORMED;
    }
    return new Header(Header.Kind.TOKEN, v.substring(i));
  }

  /** {@code b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. */
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

  private static boolean isB64TokenChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  }

  /** RFC 6750 2.2: a method with body semantics and exactly the form content type. */
  private static boolean isFormRequest(HttpServletRequest request) {
    if (!FORM_METHODS.contains(request.getMethod())) {
      return false;
    }
    String type = request.getContentType();
    if (type == null) {
      return false;
    }
    int semicolon = type.indexOf(';');
    String mediaType = (semicolon >= 0 ? type.substring(0, semicolon) : type).trim().toLowerCase(Locale.ROOT);
    return mediaType.equals("application/x-www-form-urlencoded");
  }

  /**
   * The body, or null when it is larger than {@link #MAX_FORM_BYTES}. A body over the limit is
   * still read to its end (and dropped) up to {@link #MAX_DRAIN_BYTES}, so the container can send
   * the 400 on a clean connection: left unread, the connection would be closed under the client,
   * which then often sees a reset instead of the answer. A larger body is left unread.
   */
  private static byte[] readBody(HttpServletRequest request) throws IOException {
    long declared = request.getContentLengthLong();
    if (declared > MAX_DRAIN_BYTES) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 && declared <= MAX_FORM_BYTES ? (int) declared : 256);
    byte[] buffer = new byte[8192];
    long total = 0;
    try (InputStream in = request.getInputStream()) {
      int n;
      while ((n = in.read(buffer)) != -1) {
        total += n;
        if (total <= MAX_FORM_BYTES) {
          out.write(buffer, 0, n);
        } else if (total > MAX_DRAIN_BYTES) {
          return null;
        }
      }
    }
    return total > MAX_FORM_BYTES ? null : out.toByteArray();
  }

  private static boolean isAscii(byte[] body) {
    for (byte b : body) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  /** Minimal {@code application/x-www-form-urlencoded} parsing (names and values percent-decoded). */
  static final class FormEncoding {
    private FormEncoding() {}

    /**
     * Every value of parameter {@code name} in {@code encoded} (a query string or form body); a
     * value whose percent-encoding is broken is returned as null.
     */
    static List<String> values(String encoded, String name) {
      List<String> values = new ArrayList<>(1);
      if (encoded == null || encoded.isEmpty()) {
        return values;
      }
      for (String pair : encoded.split("&", -1)) {
        int eq = pair.indexOf('=');
        String rawName = eq >= 0 ? pair.substring(0, eq) : pair;
        if (name.equals(decode(rawName))) {
          values.add(eq >= 0 ? decode(pair.substring(eq + 1)) : "");
        }
      }
      return values;
    }

    /** All pairs of a query string in order, decoded as UTF-8; a broken escape decodes to the raw text. */
    static List<String[]> pairs(String encoded) {
      return pairs(encoded, StandardCharsets.UTF_8, false);
    }

    /**
     * All pairs of a form body in order, decoded in the body's {@code charset}. {@code body} holds
     * the raw bytes as ISO-8859-1 characters (one character a byte), so unescaped non-ASCII bytes
     * and percent-escapes are both decoded in {@code charset}, as the container would.
     */
    static List<String[]> bodyPairs(String body, Charset charset) {
      return pairs(body, charset, true);
    }

    private static List<String[]> pairs(String encoded, Charset charset, boolean charsAreBytes) {
      List<String[]> pairs = new ArrayList<>();
      if (encoded == null || encoded.isEmpty()) {
        return pairs;
      }
      for (String pair : encoded.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String rawName = eq >= 0 ? pair.substring(0, eq) : pair;
        String rawValue = eq >= 0 ? pair.substring(eq + 1) : "";
        String n = decode(rawName, charset, charsAreBytes);
        String v = decode(rawValue, charset, charsAreBytes);
        pairs.add(new String[] {
          n != null ? n : asText(rawName, charset, charsAreBytes),
          v != null ? v : asText(rawValue, charset, charsAreBytes)
        });
      }
      return pairs;
    }

    private static String asText(String raw, Charset charset, boolean charsAreBytes) {
      return charsAreBytes ? new String(raw.getBytes(StandardCharsets.ISO_8859_1), charset) : raw;
    }

    /** Percent- and {@code +}-decoding as UTF-8; null when an escape is broken. */
    static String decode(String s) {
      return decode(s, StandardCharsets.UTF_8, false);
    }

    /**
     * Percent- and {@code +}-decoding in {@code charset}; null when an escape is broken. With
     * {@code charsAreBytes}, each character of {@code s} is one raw byte (ISO-8859-1).
     */
    private static String decode(String s, Charset charset, boolean charsAreBytes) {
      if (s.indexOf('%') < 0 && s.indexOf('+') < 0 && !(charsAreBytes && !isAscii(s))) {
        return s;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '+') {
          out.write(' ');
        } else if (c == '%') {
          if (i + 2 >= s.length()) {
            return null;
          }
          int hi = Character.digit(s.charAt(i + 1), 16);
          int lo = Character.digit(s.charAt(i + 2), 16);
          if (hi < 0 || lo < 0) {
            return null;
          }
          out.write(hi * 16 + lo);
          i += 2;
        } else if (c < 0x80 || charsAreBytes) {
          out.write(c);
        } else {
          byte[] bytes = String.valueOf(c).getBytes(charset);
          out.write(bytes, 0, bytes.length);
        }
      }
      return out.toString(charset);
    }

    private static boolean isAscii(String s) {
      for (int i = 0; i < s.length(); i++) {
        if (s.charAt(i) >= 0x80) {
          return false;
        }
      }
      return true;
    }
  }
}
