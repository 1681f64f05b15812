package dev.tokenguard;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The trusted issuers of a verifier, found by a token's unverified {@code iss} (an issuer's
 * identifier or one of its aliases, compared exactly). Only a trusted issuer is ever contacted: an
 * {@code iss} no configuration names is refused before any network request, so made-up issuers
 * cost nothing. With one issuer and no alias, finding it is a single {@code equals}. Immutable and
 * thread-safe.
 */
final class IssuerRegistry {
  private final List<Issuer> issuers;
  private final Map<String, Issuer> byId;
  /** The one issuer, when there is exactly one: found by a single equals. */
  private final Issuer only;
  private final Set<Algorithm> algorithms;

  IssuerRegistry(List<Issuer> issuers) {
    if (issuers.isEmpty()) {
      throw new IllegalArgumentException("no trusted issuer");
    }
    this.issuers = List.copyOf(issuers);
    Map<String, Issuer> map = new HashMap<>();
    EnumSet<Algorithm> union = EnumSet.noneOf(Algorithm.class);
    for (Issuer issuer : issuers) {
      for (String name : issuer.names()) {
        if (map.put(name, issuer) != null) {
          throw new IllegalStateException("the issuer " + name + " is trusted twice (as an issuer or an alias)");
        }
      }
      union.addAll(issuer.config.algorithms);
    }
    this.byId = Map.copyOf(map);
    this.only = issuers.size() == 1 && issuers.get(0).config.aliases.isEmpty() ? issuers.get(0) : null;
    this.algorithms = Set.copyOf(union);
  }

  /** The trusted issuer whose identifier or alias is exactly {@code iss}, or null. */
  Issuer find(Object iss) {
    if (only != null) {
      return only.id().equals(iss) ? only : null;
    }
    return iss instanceof String ? byId.get(iss) : null;
  }

  /** Every trusted issuer, in configuration order. */
  List<Issuer> all() {
    return issuers;
  }

  /** The algorithms any trusted issuer accepts: what the JWS layer lets through before the issuer is known. */
  Set<Algorithm> algorithms() {
    return algorithms;
  }

  /** For a WRONG_ISSUER detail: what was expected, with a hint when only a trailing slash differs. */
  String describeMismatch(Object iss) {
    if (only != null) {
      return "expected iss " + Detail.quote(only.id()) + ", got " + Detail.quote(iss) + IssuerNames.hint(iss, only.id());
    }
    String hint = "";
    for (String name : byId.keySet()) {
      hint = IssuerNames.hint(iss, name);
      if (!hint.isEmpty()) {
        break;
      }
    }
    return "iss " + Detail.quote(iss) + " is none of the " + byId.size() + " trusted issuer names" + hint;
  }
}
