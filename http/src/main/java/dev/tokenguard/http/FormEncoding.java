package dev.tokenguard.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the values of one parameter in {@code application/x-www-form-urlencoded} text (a query
 * string, or an ASCII form body), names and values percent- and {@code +}-decoded as UTF-8.
 */
final class FormEncoding {
  private FormEncoding() {}

  /**
   * Every value of parameter {@code name} in {@code encoded}, in order; a value whose
   * percent-encoding is broken is returned as null, a name whose encoding is broken matches
   * nothing.
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

  /** Percent- and {@code +}-decoding as UTF-8; null when an escape is broken. */
  static String decode(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
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
      } else if (c < 0x80) {
        out.write(c);
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
