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
   * Refuses a token whose scope claims cannot be read: one that is neither a string nor an array
   * of strings. Builds nothing; {@link #read} then cannot fail on the same claims.
   *
   * @throws TokenVerificationException MALFORMED naming the first such claim
   */
  void check(Map<String, Object> claims) {
    for (String name : names) {
      Object value = claims.get(name);
      if (value != null && !StringOrArray.isStringOrStrings(value)) {
        throw malformed(name);
      }
    }
  }

  /**
   * The granted scopes, unmodifiable, in claim order without repeats.
   *
   * @throws TokenVerificationException MALFORMED when a scope claim is neither a string nor an
   *     array of strings (never after {@link #check} passed on the same claims)
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
        throw malformed(name);
      }
    }
    return scopes == null ? Set.of() : Collections.unmodifiableSet(scopes);
  }

  private static TokenVerificationException malformed(String name) {
    return new TokenVerificationException(TokenVerificationException.Reason.MALFORMED,
        name + " is neither a string nor an array of strings");
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
