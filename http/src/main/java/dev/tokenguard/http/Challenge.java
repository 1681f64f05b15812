package dev.tokenguard.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One authentication challenge (RFC 9110 section 11.6.1): an auth-scheme and its auth-params in
 * order, rendered as one {@code WWW-Authenticate} value. Every value is filtered when it is added
 * and quoted when it is rendered (a value added as a token, such as RFC 9470's {@code max_age},
 * is digits only and rendered bare), so nothing a client sent can shape the header. Immutable.
 */
final class Challenge {
  static final String BEARER = "Bearer";
  /** RFC 9449 section 7.1. */
  static final String DPOP = "DPoP";

  private final String scheme;
  private final List<Map.Entry<String, String>> params;
  /** The names of the params rendered as a bare token rather than a quoted-string. */
  private final List<String> tokens;

  private Challenge(String scheme, List<Map.Entry<String, String>> params, List<String> tokens) {
    this.scheme = scheme;
    this.params = List.copyOf(params);
    this.tokens = List.copyOf(tokens);
  }

  /** A challenge for {@code scheme} with {@code realm} as its first auth-param. */
  static Builder of(String scheme, String realm) {
    return new Builder(scheme).param("realm", realm);
  }

  String scheme() {
    return scheme;
  }

  /** The value of auth-param {@code name} as rendered (after filtering), or null. */
  String param(String name) {
    for (Map.Entry<String, String> p : params) {
      if (p.getKey().equals(name)) {
        return p.getValue();
      }
    }
    return null;
  }

  /**
   * {@code scheme name="value", name="value", name=token}: each value a quoted-string (RFC 9110
   * section 5.6.4) with {@code "} and {@code \} escaped and anything outside printable ASCII
   * dropped; a value added with {@link Builder#tokenParam} bare (it is digits only).
   */
  String render() {
    StringBuilder sb = new StringBuilder(scheme);
    for (int i = 0; i < params.size(); i++) {
      Map.Entry<String, String> p = params.get(i);
      sb.append(i == 0 ? " " : ", ").append(p.getKey()).append('=');
      if (tokens.contains(p.getKey())) {
        sb.append(p.getValue());
      } else {
        appendQuoted(sb, p.getValue());
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return render();
  }

  /** Collects auth-params in order; an auth-param name may appear once (RFC 6750 section 3). */
  static final class Builder {
    private final String scheme;
    private final List<Map.Entry<String, String>> params = new ArrayList<>();
    private final List<String> tokens = new ArrayList<>();

    private Builder(String scheme) {
      this.scheme = Objects.requireNonNull(scheme, "scheme");
    }

    /** Adds {@code name="value"}; the value is quoted and escaped on output, not filtered. */
    Builder param(String name, String value) {
      Objects.requireNonNull(value, name);
      for (Map.Entry<String, String> p : params) {
        if (p.getKey().equals(name)) {
          throw new IllegalStateException("auth-param " + name + " given twice");
        }
      }
      params.add(Map.entry(name, value));
      return this;
    }

    /** Adds {@code name=value} with a non-negative integer rendered bare, as a token (RFC 9110 section 11.2). */
    Builder tokenParam(String name, long value) {
      if (value < 0) {
        throw new IllegalArgumentException("auth-param " + name + " must not be negative, was " + value);
      }
      param(name, Long.toString(value));
      tokens.add(name);
      return this;
    }

    /**
     * Adds RFC 9470 section 3's {@code acr_values}: the values in order of preference, each kept
     * to RFC 6750 scope-token characters, space-separated; nothing when none is left.
     */
    Builder acrValues(List<String> acrValues) {
      String joined = joinRestricted(acrValues);
      return joined.isEmpty() ? this : param("acr_values", joined);
    }

    /** Adds RFC 9470 section 3's {@code max_age}: whole seconds, as a token. */
    Builder maxAge(long seconds) {
      return tokenParam("max_age", seconds);
    }

    /** Adds {@code error} and {@code error_description}, the latter kept to the characters RFC 6750 section 3 allows. */
    Builder error(String error, String description) {
      return param("error", restrict(error, false)).param("error_description", restrict(description, true));
    }

    /** Adds {@code scope}: the scope tokens, each kept to RFC 6750 scope-token characters, space-separated; nothing when none is left. */
    Builder scope(List<String> scopes) {
      String joined = joinRestricted(scopes);
      return joined.isEmpty() ? this : param("scope", joined);
    }

    Challenge build() {
      return new Challenge(scheme, params, tokens);
    }

    private static String joinRestricted(List<String> values) {
      StringBuilder joined = new StringBuilder();
      for (String value : values) {
        String s = restrict(value, false);
        if (!s.isEmpty()) {
          if (joined.length() > 0) {
            joined.append(' ');
          }
          joined.append(s);
        }
      }
      return joined.toString();
    }
  }

  /** RFC 9110 quoted-string: printable ASCII, with {@code "} and {@code \} escaped; anything else dropped. */
  static void appendQuoted(StringBuilder sb, String value) {
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c >= 0x20 && c <= 0x7e) {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  /**
   * Keeps only the characters RFC 6750 section 3 allows: for {@code error_description}
   * %x20-21 / %x23-5B / %x5D-7E; for a scope token (and {@code error}) the same without the space.
   */
  static String restrict(String value, boolean allowSpace) {
    StringBuilder sb = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (isScopeChar(c) || (allowSpace && c == ' ')) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** RFC 6750 scope-token characters: %x21 / %x23-5B / %x5D-7E. */
  static boolean isScopeChar(char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
  }
}
