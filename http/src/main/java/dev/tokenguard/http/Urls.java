package dev.tokenguard.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * Checks of the URLs the HTTP layer publishes (resource identifiers, the public base URL,
 * authorization server identifiers): absolute, https (plain http only for a loopback host, as the
 * core accepts for issuers), no user info, no fragment. Stateless.
 */
final class Urls {
  private Urls() {}

  /**
   * {@code value} parsed as an absolute https URL (http only for {@code localhost}, 127.0.0.0/8 and
   * ::1) with a host, without user info or fragment, and, unless {@code queryAllowed}, without a
   * query; the message names {@code what}.
   */
  static URI check(String what, String value, boolean queryAllowed) {
    Objects.requireNonNull(value, what);
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(what + " is not a URI: " + e.getMessage(), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
      throw new IllegalArgumentException(what + " must be an absolute https URL: " + value);
    }
    if (scheme.equals("http") && !isLoopback(uri.getHost())) {
      throw new IllegalArgumentException(what + " must use https (plain http is allowed only for loopback hosts): " + value);
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(what + " must not hold user info: " + value);
    }
    if (uri.getRawFragment() != null || value.contains("#")) {
      throw new IllegalArgumentException(what + " must not have a fragment: " + value);
    }
    if (!queryAllowed && (uri.getRawQuery() != null || value.contains("?"))) {
      throw new IllegalArgumentException(what + " must not have a query: " + value);
    }
    return uri;
  }

  /** True for {@code localhost}, 127.0.0.0/8 and ::1, decided without a DNS lookup. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost")) {
      return true;
    }
    if (!(h.matches("[0-9.]+") || h.contains(":"))) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }
}
