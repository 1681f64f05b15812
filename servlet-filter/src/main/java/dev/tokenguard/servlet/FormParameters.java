package dev.tokenguard.servlet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameters of a query string and of an {@code application/x-www-form-urlencoded} body, as a
 * servlet container decodes them for {@code getParameterMap()}: for {@link FormBodyRequest}, which
 * answers the parameter methods once the form body was read to look for a token. Finding the token
 * itself is the HTTP layer's job ({@code dev.tokenguard.http}); this class only serves the
 * application.
 */
final class FormParameters {
  private FormParameters() {}

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
