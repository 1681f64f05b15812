package dev.tokenguard;

import java.util.function.Predicate;

/** A rule of the API's own over a verified token, with a description for the log detail. Immutable. */
final class ClaimRule {
  final String description;
  final Predicate<AccessToken> predicate;

  ClaimRule(String description, Predicate<AccessToken> predicate) {
    this.description = description;
    this.predicate = predicate;
  }

  /** Whether {@code token} satisfies the rule; a predicate that throws refuses it. */
  boolean accepts(AccessToken token) {
    try {
      return predicate.test(token);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
