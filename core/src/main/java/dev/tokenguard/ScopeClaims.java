package dev.tokenguard;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the granted scopes from the claims an issuer puts them in: by default {@code scope} (RFC
 * 9068 section 2.2.3, a space-delimited string; Auth0, Keycloak, Spring Authorization Server,
 * oidc-provider), {@code scp} (Okta: an array; Entra ID: a space-delimited string) and {@code
 * permissions} (Auth0 RBAC: an array). Each may be a string or an array of strings; the scopes of
 * all of them are merged. Immutable.
 */
final class ScopeClaims {
  /** The claims read unless configured otherwise. */
  static final List<String> DEFAULT = List.of("scope", "scp", "permissions");

  private final List<String> names;

  ScopeClaims(List<String> names) {
    this.names = List.copyOf(names);
  }

  /** The claim names read, in order. */
  List<String> names() {
    return names;
  }

  /**
   * The granted scopes, unmodifiable, in claim order without repeats.
   *
   * @throws TokenVerificationException MALFORMED when a scope claim is neither a string nor an
   *     array of strings
   */
  Set<String> read(Map<String, Object> claims) {
    Set<String> scopes = null;
    for (String name : names) {
      Object value = claims.get(name);
      if (value == null) {
        continue;
      }
      if (scopes == null) {
        scopes = new LinkedHashSet<>();
      }
      if (!StringOrArray.addSpaceDelimited(value, scopes)) {
        throw new TokenVerificationException(TokenVerificationException.Reason.MALFORMED,
            name + " is neither a string nor an array of strings");
      }
    }
    return scopes == null ? Set.of() : Collections.unmodifiableSet(scopes);
  }

  /** Whether any of the scope claims is present (not null). */
  boolean presentIn(Map<String, Object> claims) {
    for (String name : names) {
      if (claims.get(name) != null) {
        return true;
      }
    }
    return false;
  }
}
