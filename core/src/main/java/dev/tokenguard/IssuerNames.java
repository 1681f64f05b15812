package dev.tokenguard;

import java.net.URI;
import java.util.Locale;

/** Recognises the usual ways an issuer identifier gets misconfigured, for hints in log details. */
final class IssuerNames {
  private IssuerNames() {}

  /** Whether {@code a} and {@code b} are the same but for one trailing slash. */
  static boolean differOnlyByTrailingSlash(String a, String b) {
    return (a + "/").equals(b) || (b + "/").equals(a);
  }

  /**
   * Whether {@code issuer} is an Auth0 tenant domain ({@code *.auth0.com}) written without the
   * trailing slash every Auth0 token's {@code iss} carries.
   */
  static boolean isAuth0WithoutTrailingSlash(String issuer) {
    if (issuer.endsWith("/")) {
      return false;
    }
    try {
      URI uri = URI.create(issuer);
      String host = uri.getHost();
      String path = uri.getRawPath();
      return host != null && host.toLowerCase(Locale.ROOT).endsWith(".auth0.com") && (path == null || path.isEmpty());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A log hint for a token whose {@code iss} differs from the configured {@code issuer}, or "". */
  static String hint(Object tokenIssuer, String issuer) {
    if (tokenIssuer instanceof String && differOnlyByTrailingSlash((String) tokenIssuer, issuer)) {
      return " (they differ only by a trailing slash: configure the issuer exactly as the tokens spell it, "
          + Detail.quote(tokenIssuer) + ")";
    }
    return "";
  }
}
