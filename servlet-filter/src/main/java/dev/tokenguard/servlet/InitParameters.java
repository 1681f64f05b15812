package dev.tokenguard.servlet;

import dev.tokenguard.AccessTokenVerifier;
import jakarta.servlet.FilterConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Reads a {@link BearerTokenFilter}'s configuration from {@code web.xml} or registration init
 * parameters, building the verifier from {@code issuer}, {@code audience} and {@code jwks-uri}.
 * Throws {@link IllegalArgumentException} or {@link IllegalStateException} naming the parameter
 * that is missing, unknown or malformed.
 */
final class InitParameters {
  static final String ISSUER = "issuer";
  static final String AUDIENCE = "audience";
  static final String JWKS_URI = "jwks-uri";
  static final String REALM = "realm";
  static final String PUBLIC_PATHS = "public-paths";
  static final String SCOPE_RULES = "scope-rules";
  static final String ALLOW_OPTIONS = "allow-options";
  static final String ACCEPT_QUERY_TOKEN = "accept-query-token";
  static final String ACCEPT_FORM_TOKEN = "accept-form-token";
  static final String RETRY_AFTER_SECONDS = "retry-after-seconds";

  static final Set<String> KNOWN = Set.of(ISSUER, AUDIENCE, JWKS_URI, REALM, PUBLIC_PATHS, SCOPE_RULES,
      ALLOW_OPTIONS, ACCEPT_QUERY_TOKEN, ACCEPT_FORM_TOKEN, RETRY_AFTER_SECONDS);

  private static final Pattern LIST_SEPARATOR = Pattern.compile("[,\\s]+");

  private InitParameters() {}

  static BearerTokenFilter.Builder read(FilterConfig config) {
    List<String> names = Collections.list(config.getInitParameterNames());
    return read(names, config::getInitParameter);
  }

  static BearerTokenFilter.Builder read(List<String> names, UnaryOperator<String> parameters) {
    for (String name : names) {
      if (!KNOWN.contains(name)) {
        throw new IllegalArgumentException("unknown init parameter " + name + "; known: " + new java.util.TreeSet<>(KNOWN));
      }
    }
    String issuer = value(parameters, ISSUER);
    if (issuer == null) {
      throw new IllegalStateException("init parameter issuer is required: the exact iss of the tokens, e.g. https://tenant.us.auth0.com/");
    }
    String audience = value(parameters, AUDIENCE);
    if (audience == null) {
      throw new IllegalStateException("init parameter audience is required: the API identifier that aud must contain");
    }
    AccessTokenVerifier.Builder verifier = AccessTokenVerifier.builder()
        .issuer(issuer)
        .audience(list(audience).toArray(new String[0]));
    String jwksUri = value(parameters, JWKS_URI);
    if (jwksUri != null) {
      URI uri;
      try {
        uri = URI.create(jwksUri);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("init parameter jwks-uri is not a URI: " + e.getMessage(), e);
      }
      verifier.jwksUri(uri);
    }

    BearerTokenFilter.Builder filter = BearerTokenFilter.builder(verifier.build());
    String realm = value(parameters, REALM);
    if (realm != null) {
      filter.realm(realm);
    }
    String publicPaths = value(parameters, PUBLIC_PATHS);
    if (publicPaths != null) {
      filter.permit(list(publicPaths).toArray(new String[0]));
    }
    String scopeRules = value(parameters, SCOPE_RULES);
    if (scopeRules != null) {
      addScopeRules(filter, scopeRules);
    }
    if (flag(parameters, ALLOW_OPTIONS)) {
      filter.permitCorsPreflight();
    }
    if (flag(parameters, ACCEPT_QUERY_TOKEN)) {
      filter.acceptQueryParameter();
    }
    if (flag(parameters, ACCEPT_FORM_TOKEN)) {
      filter.acceptFormBody();
    }
    String retryAfter = value(parameters, RETRY_AFTER_SECONDS);
    if (retryAfter != null) {
      try {
        filter.retryAfter(Duration.ofSeconds(Long.parseLong(retryAfter)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("init parameter retry-after-seconds must be a number of seconds: " + retryAfter);
      }
    }
    return filter;
  }

  /**
   * {@code /api/patients/*=read:patients; /api/admin/*=read:admin write:admin;
   * /api/reports/*=read:reports|admin}: spaces or commas mean all of, {@code |} means any of.
   */
  static void addScopeRules(BearerTokenFilter.Builder filter, String rules) {
    for (String rule : rules.split(";")) {
      String r = rule.trim();
      if (r.isEmpty()) {
        continue;
      }
      int eq = r.indexOf('=');
      if (eq <= 0 || eq == r.length() - 1) {
        throw new IllegalArgumentException("init parameter scope-rules: each rule is pattern=scopes, got " + r);
      }
      String pattern = r.substring(0, eq).trim();
      String scopes = r.substring(eq + 1).trim();
      if (scopes.contains("|")) {
        List<String> any = new ArrayList<>();
        for (String scope : scopes.split("\\|", -1)) {
          String s = scope.trim();
          if (s.isEmpty()) {
            throw new IllegalArgumentException("init parameter scope-rules: an any-of rule has an empty scope between its | signs, got " + r);
          }
          if (LIST_SEPARATOR.matcher(s).find()) {
            throw new IllegalArgumentException("init parameter scope-rules: do not mix | (any of) with spaces or commas (all of) in one rule, got " + r);
          }
          any.add(s);
        }
        filter.requireAnyScope(pattern, any.toArray(new String[0]));
      } else {
        filter.requireScopes(pattern, list(scopes).toArray(new String[0]));
      }
    }
  }

  private static String value(UnaryOperator<String> parameters, String name) {
    String v = parameters.apply(name);
    if (v == null) {
      return null;
    }
    String trimmed = v.trim();
    return trimmed.isEmpty() ? null : trimmed;
  }

  private static boolean flag(UnaryOperator<String> parameters, String name) {
    String v = value(parameters, name);
    if (v == null || v.equalsIgnoreCase("false")) {
      return false;
    }
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    throw new IllegalArgumentException("init parameter " + name + " must be true or false, got " + v);
  }

  private static List<String> list(String value) {
    List<String> out = new ArrayList<>();
    for (String item : LIST_SEPARATOR.split(value.trim())) {
      if (!item.isEmpty()) {
        out.add(item);
      }
    }
    return out;
  }
}
