package dev.tokenguard;

/** Makes attacker-controlled values safe for log details: bounded length, no control characters. */
final class Detail {
  private static final int MAX = 80;

  private Detail() {}

  /** {@code value} quoted, truncated and with non-printable characters escaped; "absent" for null. */
  static String quote(Object value) {
    if (value == null) {
      return "absent";
    }
    String s = String.valueOf(value);
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX) + 8).append('"');
    for (int i = 0; i < s.length() && i < MAX; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || (c >= 0x80 && !Character.isLetterOrDigit(c))) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (s.length() > MAX) {
      out.append("...(").append(s.length()).append(" chars)");
    }
    return out.append('"').toString();
  }
}
