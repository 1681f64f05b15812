package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks a {@code WWW-Authenticate} value against RFC 9110 11.6.1, RFC 6750 3, RFC 9470 3, RFC 9728 5.1 and RFC 9449 7.1. */
final class Challenges {
  /** {@code name="quoted-string"}, or {@code name=digits} (RFC 9470's max_age as a token). */
  private static final Pattern PARAM =
      Pattern.compile("([a-z_]+)=(?:\"((?:[^\"\\\\\\x00-\\x1f\\x7f]|\\\\[\\x20-\\x7e])*)\"|([0-9]+))");
  private static final Set<String> KNOWN =
      Set.of("realm", "error", "error_description", "scope", "error_uri", "acr_values", "max_age", "resource_metadata", "algs");

  private Challenges() {}

  /**
   * Bearer or DPoP followed by at least one auth-param, each a known name appearing once with a
   * quoted value (max_age: a bare integer); error_description, scope and acr_values use only the
   * characters RFC 6750 allows; algs (DPoP only) is a space-separated list of JWS alg names.
   */
  static void assertWellFormed(String challenge) {
    Map<String, String> params = params(challenge);
    assertThat(params).as("at least one auth-param: %s", challenge).isNotEmpty();
    assertThat(params).as("realm first and present").containsKey("realm");
    assertThat(KNOWN).as("only RFC 6750, 9470 and 9728 attributes").containsAll(params.keySet());
    if (params.containsKey("error_description")) {
      assertThat(params.get("error_description")).matches("[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*");
    }
    if (params.containsKey("scope")) {
      assertThat(params.get("scope")).matches("[\\x21\\x23-\\x5b\\x5d-\\x7e]+( [\\x21\\x23-\\x5b\\x5d-\\x7e]+)*");
    }
    if (params.containsKey("acr_values")) {
      assertThat(params.get("acr_values")).matches("[\\x21\\x23-\\x5b\\x5d-\\x7e]+( [\\x21\\x23-\\x5b\\x5d-\\x7e]+)*");
    }
    if (params.containsKey("algs")) {
      assertThat(challenge).as("algs belongs to the DPoP challenge").startsWith("DPoP ");
      assertThat(params.get("algs")).matches("[A-Za-z0-9]+( [A-Za-z0-9]+)*");
    }
    if (params.containsKey("max_age")) {
      assertThat(challenge).as("max_age is a bare non-negative integer").containsPattern("max_age=[0-9]+(, |$)");
    }
  }

  /** The auth-params, unescaped; fails on anything that does not parse or a repeated name. */
  static Map<String, String> params(String challenge) {
    assertThat(challenge).matches("(Bearer|DPoP) .*");
    String rest = challenge.substring(challenge.indexOf(' ') + 1);
    Map<String, String> params = new LinkedHashMap<>();
    int pos = 0;
    while (pos < rest.length()) {
      Matcher m = PARAM.matcher(rest);
      assertThat(m.find(pos) && m.start() == pos).as("auth-param at %d of %s", pos, challenge).isTrue();
      String name = m.group(1);
      assertThat(params).as("%s appears once in %s", name, challenge).doesNotContainKey(name);
      assertThat(m.group(3) != null).as("%s is a bare token exactly when it is max_age: %s", name, challenge)
          .isEqualTo(name.equals("max_age"));
      params.put(name, m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3));
      pos = m.end();
      if (pos < rest.length()) {
        assertThat(rest.startsWith(", ", pos)).as("separator at %d of %s", pos, challenge).isTrue();
        pos += 2;
      }
    }
    return params;
  }
}
