package dev.tokenguard.servlet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which paths are public and which scopes the others need, matched like servlet mappings: an
 * exact pattern ({@code /api/public}) wins over a prefix pattern ({@code /api/patients/*}, which
 * also matches {@code /api/patients} itself), and the longest prefix wins among prefixes, so the
 * order rules were added in does not matter. A path no rule matches needs a valid token.
 * Immutable once built.
 */
final class PathRules {
  enum Access {
    /** No token is looked at. */
    PUBLIC,
    /** A valid token. */
    TOKEN,
    /** A valid token carrying every listed scope. */
    ALL_SCOPES,
    /** A valid token carrying at least one listed scope. */
    ANY_SCOPE
  }

  static final class Rule {
    final String pattern;
    final Access access;
    final List<String> scopes;

    Rule(String pattern, Access access, List<String> scopes) {
      this.pattern = pattern;
      this.access = access;
      this.scopes = List.copyOf(scopes);
    }

    @Override
    public String toString() {
      return pattern + " -> " + access + (scopes.isEmpty() ? "" : " " + scopes);
    }
  }

  static final Rule DEFAULT = new Rule("(unmatched)", Access.TOKEN, List.of());

  private final Map<String, Rule> exact;
  /** Prefix rules, longest prefix first; the key is the prefix without the trailing {@code /*}. */
  private final List<Map.Entry<String, Rule>> prefixes;

  private PathRules(Map<String, Rule> exact, List<Map.Entry<String, Rule>> prefixes) {
    this.exact = exact;
    this.prefixes = prefixes;
  }

  /** The rule for {@code path} (the path within the application, starting with {@code /}). */
  Rule match(String path) {
    Rule rule = exact.get(path);
    if (rule != null) {
      return rule;
    }
    for (Map.Entry<String, Rule> e : prefixes) {
      String prefix = e.getKey();
      if (prefix.isEmpty()
          || path.equals(prefix)
          || (path.startsWith(prefix) && path.charAt(prefix.length()) == '/')) {
        return e.getValue();
      }
    }
    return DEFAULT;
  }

  /** Collects rules; refuses malformed patterns and a pattern given twice. Not thread-safe. */
  static final class Builder {
    private final Map<String, Rule> rules = new LinkedHashMap<>();

    Builder add(String pattern, Access access, List<String> scopes) {
      checkPattern(pattern);
      if (rules.containsKey(pattern)) {
        throw new IllegalArgumentException("the path pattern " + pattern + " already has a rule: " + rules.get(pattern));
      }
      rules.put(pattern, new Rule(pattern, access, scopes));
      return this;
    }

    PathRules build() {
      Map<String, Rule> exact = new HashMap<>();
      List<Map.Entry<String, Rule>> prefixes = new ArrayList<>();
      for (Rule rule : rules.values()) {
        if (rule.pattern.endsWith("/*")) {
          prefixes.add(Map.entry(rule.pattern.substring(0, rule.pattern.length() - 2), rule));
        } else {
          exact.put(rule.pattern, rule);
        }
      }
      prefixes.sort(Comparator.comparingInt((Map.Entry<String, Rule> e) -> e.getKey().length()).reversed());
      return new PathRules(Map.copyOf(exact), List.copyOf(prefixes));
    }

    private static void checkPattern(String pattern) {
      Objects.requireNonNull(pattern, "pattern");
      if (!pattern.startsWith("/")) {
        throw new IllegalArgumentException("a path pattern starts with / (e.g. /api/public or /api/patients/*): " + pattern);
      }
      int star = pattern.indexOf('*');
      if (star >= 0 && (star != pattern.length() - 1 || !pattern.endsWith("/*"))) {
        throw new IllegalArgumentException("* is allowed only as a final /* (prefix match): " + pattern);
      }
      for (int i = 0; i < pattern.length(); i++) {
        char c = pattern.charAt(i);
        if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#' || c == ';') {
          throw new IllegalArgumentException("a path pattern holds no spaces, controls, ?, # or ;: " + pattern);
        }
      }
      if (pattern.contains("//")) {
        throw new IllegalArgumentException("a path pattern has no empty segment: " + pattern);
      }
    }
  }
}
