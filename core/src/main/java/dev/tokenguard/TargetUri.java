package dev.tokenguard;

import java.util.Locale;

/**
 * The form in which a DPoP proof's {@code htu} and the request's target URI are compared (RFC 9449
 * section 4.3 check 9 and the paragraph after the checks): the query and fragment are dropped, then
 * RFC 3986 section 6.2.2 syntax-based normalisation (scheme and host in lower case, percent
 * encodings in upper case, percent-encoded unreserved characters decoded, dot segments removed)
 * and section 6.2.3 scheme-based normalisation (an empty or default port dropped, an empty path
 * written {@code /}). Only absolute {@code http} and {@code https} URIs with a host have a form;
 * anything else, including characters RFC 3986 does not allow, has none. Stateless.
 */
final class TargetUri {
  /** Longest URI given a form; a proof is bounded anyway, this bounds the request's side too. */
  static final int MAX_LENGTH = 4096;
  private static final String SUB_DELIMS = "!$&'()*+,;=";
  private static final String HEX = "0123456789ABCDEF";

  private TargetUri() {}

  /** The comparison form of {@code uri}, or null when it is not an absolute http(s) URI with a host. */
  static String normalize(String uri) {
    if (uri.length() > MAX_LENGTH) {
      return null;
    }
    int end = uri.length();
    int hash = uri.indexOf('#');
    if (hash >= 0) {
      end = hash;
    }
    int question = uri.indexOf('?');
    if (question >= 0 && question < end) {
      end = question;
    }
    int colon = uri.indexOf(':');
    if (colon <= 0 || colon >= end || !uri.startsWith("//", colon + 1)) {
      return null;
    }
    String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return null;
    }
    int authorityStart = colon + 3;
    int pathStart = uri.indexOf('/', authorityStart);
    if (pathStart < 0 || pathStart > end) {
      pathStart = end;
    }
    String authority = authority(uri.substring(authorityStart, pathStart), scheme);
    String path = normalizePercent(uri.substring(pathStart, end), false, ":@/");
    if (authority == null || path == null) {
      return null;
    }
    path = removeDotSegments(path);
    return scheme + "://" + authority + (path.isEmpty() ? "/" : path);
  }

  /**
   * The comparison form of an authority ({@code [userinfo@]host[:port]}) under {@code scheme}, or
   * null when it has no host or a part that is not what RFC 3986 section 3.2 allows.
   */
  private static String authority(String authority, String scheme) {
    String userinfo = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      userinfo = normalizePercent(authority.substring(0, at), false, ":");
      authority = authority.substring(at + 1);
      if (userinfo == null) {
        return null;
      }
    }
    String host;
    String port = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = literal(authority.substring(0, close + 1));
      String rest = authority.substring(close + 1);
      if (!rest.isEmpty()) {
        if (rest.charAt(0) != ':') {
          return null;
        }
        port = rest.substring(1);
      }
    } else {
      int portColon = authority.lastIndexOf(':');
      if (portColon >= 0) {
        port = authority.substring(portColon + 1);
        authority = authority.substring(0, portColon);
      }
      host = normalizePercent(authority, true, "");
    }
    String normalizedPort = port == null ? "" : port(port, scheme);
    if (host == null || host.isEmpty() || normalizedPort == null) {
      return null;
    }
    return (userinfo != null ? userinfo + "@" : "") + host + normalizedPort;
  }

  /** An IP literal in brackets, in lower case, or null when it has a character no IP literal has. */
  private static String literal(String bracketed) {
    for (int i = 1; i < bracketed.length() - 1; i++) {
      char c = bracketed.charAt(i);
      if (!(isUnreserved(c) || SUB_DELIMS.indexOf(c) >= 0 || c == ':')) {
        return null;
      }
    }
    return bracketed.length() > 2 ? bracketed.toLowerCase(Locale.ROOT) : null;
  }

  /** {@code ":port"} without leading zeros, "" for an empty or default port, null for a port that is not one. */
  private static String port(String port, String scheme) {
    if (port.isEmpty()) {
      return "";
    }
    int value = 0;
    for (int i = 0; i < port.length(); i++) {
      char c = port.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      value = value * 10 + (c - '0');
      if (value > 65535) {
        return null;
      }
    }
    boolean isDefault = (scheme.equals("http") && value == 80) || (scheme.equals("https") && value == 443);
    return isDefault ? "" : ":" + value;
  }

  /**
   * {@code s} with each percent encoding in upper case and decoded when it encodes an unreserved
   * character (RFC 3986 sections 6.2.2.1 and 6.2.2.2), in lower case when {@code lowerCase} (the
   * host); null when it holds a character outside unreserved, sub-delims and {@code also}, or a
   * broken percent encoding.
   */
  private static String normalizePercent(String s, boolean lowerCase, String also) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = hexValue(s.charAt(i + 1));
        int lo = hexValue(s.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          return null;
        }
        char decoded = (char) (hi * 16 + lo);
        if (isUnreserved(decoded)) {
          out.append(lowerCase ? Character.toLowerCase(decoded) : decoded);
        } else {
          out.append('%').append(HEX.charAt(hi)).append(HEX.charAt(lo));
        }
        i += 2;
      } else if (isUnreserved(c) || SUB_DELIMS.indexOf(c) >= 0 || also.indexOf(c) >= 0) {
        out.append(lowerCase && c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
      } else {
        return null;
      }
    }
    return out.toString();
  }

  /** An ASCII hex digit's value, or -1 (Character.digit also takes other scripts' digits). */
  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
        || c == '~';
  }

  /** RFC 3986 section 5.2.4, for a path that is empty or starts with {@code /}. */
  static String removeDotSegments(String path) {
    StringBuilder out = new StringBuilder(path.length());
    String in = path;
    while (!in.isEmpty()) {
      if (in.startsWith("../")) {
        in = in.substring(3);
      } else if (in.startsWith("./")) {
        in = in.substring(2);
      } else if (in.startsWith("/./")) {
        in = in.substring(2);
      } else if (in.equals("/.")) {
        in = "/";
      } else if (in.startsWith("/../")) {
        in = in.substring(3);
        removeLastSegment(out);
      } else if (in.equals("/..")) {
        in = "/";
        removeLastSegment(out);
      } else if (in.equals(".") || in.equals("..")) {
        in = "";
      } else {
        int next = in.indexOf('/', 1);
        if (next < 0) {
          next = in.length();
        }
        out.append(in, 0, next);
        in = in.substring(next);
      }
    }
    return out.toString();
  }

  private static void removeLastSegment(StringBuilder out) {
    int slash = out.lastIndexOf("/");
    out.setLength(Math.max(slash, 0));
  }
}
