package dev.tokenguard.http;

import dev.tokenguard.Requirement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which paths are public and what the others require, failing safe (the semantics are documented
 * on {@link ProtectedResource.Builder}):
 *
 * <ul>
 *   <li>a requirement pattern covers its path and everything below it: {@code /api/orders},
 *       {@code /api/orders/} and {@code /api/orders/*} are one rule covering {@code /api/orders},
 *       {@code /api/orders/} and {@code /api/orders/42};
 *   <li>a public pattern is exact ({@code /api/public} opens that path only) unless it ends in
 *       {@code /*} ({@code /docs/*} opens {@code /docs} and everything below it), since opening more
 *       than was written is the unsafe direction;
 *   <li>the most specific rule wins: an exact pattern beats every prefix, a longer prefix beats a
 *       shorter one, so the order rules were added in does not matter;
 *   <li>a path no rule covers needs a valid token.
 * </ul>
 *
 * Immutable once built; thread-safe.
 */
final class AccessRules {
  /** What one pattern asks for. Immutable. */
  static final class Rule {
    final String pattern;
    final boolean isPublic;
    final Requirement requirement;

    Rule(String pattern, boolean isPublic, Requirement requirement) {
      this.pattern = pattern;
      this.isPublic = isPublic;
      this.requirement = requirement;
    }

    @Override
    public String toString() {
      return pattern + " -> " + (isPublic ? "public" : requirement.isNone() ? "a valid token" : requirement.toString());
    }
  }

  static final Rule UNMATCHED = new Rule("(unmatched)", false, Requirement.none());

  /** Exact (public) patterns. */
  private final Map<String, Rule> exact;
  /** Prefix rules, longest prefix first; the key is the covered path ({@code ""} for everything). */
  private final List<Map.Entry<String, Rule>> prefixes;
  /** Every scope a requirement names, in the order the rules were added. */
  private final List<String> scopes;

  private AccessRules(Map<String, Rule> exact, List<Map.Entry<String, Rule>> prefixes, List<String> scopes) {
    this.exact = exact;
    this.prefixes = prefixes;
    this.scopes = scopes;
  }

  /** Every scope the requirements name, each once, in the order the rules were added (for {@code scopes_supported}). */
  List<String> scopes() {
    return scopes;
  }

  /** The patterns whose requirement asks for DPoP ({@link Requirement#dpopRequired()}), in no particular order. */
  List<String> dpopPatterns() {
    List<String> patterns = new ArrayList<>();
    for (Map.Entry<String, Rule> e : prefixes) {
      if (e.getValue().requirement.dpopRequired()) {
        patterns.add(e.getValue().pattern);
      }
    }
    return patterns;
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
          || (path.startsWith(prefix) && path.length() > prefix.length() && path.charAt(prefix.length()) == '/')) {
        return e.getValue();
      }
    }
    return UNMATCHED;
  }

  @Override
  public String toString() {
    List<Rule> all = new ArrayList<>(exact.values());
    prefixes.forEach(e -> all.add(e.getValue()));
    return all.toString();
  }

  /**
   * Collects rules; refuses malformed patterns, a pattern given two rules, and a public exact
   * pattern naming a path a requirement covers as its own. Not thread-safe.
   */
  static final class Builder {
    /** Exact public patterns by path. */
    private final Map<String, Rule> exact = new LinkedHashMap<>();
    /** Prefix rules by covered path. */
    private final Map<String, Rule> prefixes = new LinkedHashMap<>();
    private final Set<String> scopes = new LinkedHashSet<>();

    Builder permit(String pattern) {
      checkPattern(pattern);
      Rule rule = new Rule(pattern, true, Requirement.none());
      if (pattern.endsWith("/*")) {
        addPrefix(base(pattern), rule);
      } else {
        Rule existing = exact.get(pattern);
        if (existing != null) {
          throw alreadyHasARule(pattern, existing);
        }
        Rule covering = requirementOwning(pattern);
        if (covering != null) {
          throw new IllegalArgumentException("the path pattern " + pattern + " cannot be public: the rule " + covering
              + " covers it (a requirement covers its path and everything below it)");
        }
        exact.put(pattern, rule);
      }
      return this;
    }

    Builder require(String pattern, Requirement requirement) {
      checkPattern(pattern);
      Objects.requireNonNull(requirement, "requirement");
      String base = base(pattern);
      for (Map.Entry<String, Rule> e : exact.entrySet()) {
        if (owns(base, e.getKey())) {
          throw new IllegalArgumentException("the path pattern " + pattern + " cannot be protected: " + e.getKey()
              + " is already public (a requirement covers its path and everything below it)");
        }
      }
      addPrefix(base, new Rule(pattern, false, requirement));
      scopes.addAll(requirement.scopes());
      return this;
    }

    AccessRules build() {
      List<Map.Entry<String, Rule>> sorted = new ArrayList<>(prefixes.entrySet());
      sorted.sort(Comparator.comparingInt((Map.Entry<String, Rule> e) -> e.getKey().length()).reversed());
      List<Map.Entry<String, Rule>> frozen = new ArrayList<>(sorted.size());
      sorted.forEach(e -> frozen.add(Map.entry(e.getKey(), e.getValue())));
      return new AccessRules(Map.copyOf(new HashMap<>(exact)), List.copyOf(frozen), List.copyOf(scopes));
    }

    private void addPrefix(String base, Rule rule) {
      Rule existing = prefixes.get(base);
      if (existing != null) {
        throw alreadyHasARule(rule.pattern, existing);
      }
      prefixes.put(base, rule);
    }

    /** The requirement rule whose own path (the path itself or with a final slash) is {@code path}, or null. */
    private Rule requirementOwning(String path) {
      for (Map.Entry<String, Rule> e : prefixes.entrySet()) {
        if (!e.getValue().isPublic && owns(e.getKey(), path)) {
          return e.getValue();
        }
      }
      return null;
    }

    /** Whether {@code path} is the path a rule with covered path {@code base} names itself. */
    private static boolean owns(String base, String path) {
      return path.equals(base.isEmpty() ? "/" : base) || path.equals(base + "/");
    }

    private static IllegalArgumentException alreadyHasARule(String pattern, Rule existing) {
      return new IllegalArgumentException("the path pattern " + pattern + " already has a rule: " + existing);
    }

    /** The covered path of a prefix pattern: without {@code /*} or a final {@code /}; {@code ""} for the root. */
    private static String base(String pattern) {
      String p = pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
      return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
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
