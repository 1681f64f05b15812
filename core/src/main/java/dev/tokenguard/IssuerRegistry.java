package dev.tokenguard;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The trusted issuers of a verifier, found by a token's unverified {@code iss}. Only a trusted
 * issuer is ever contacted: an {@code iss} no configuration names is refused before any network
 * request, so made-up issuers cost nothing. Immutable and thread-safe.
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
      if (map.put(issuer.id(), issuer) != null) {
        throw new IllegalStateException("the issuer " + issuer.id() + " is configured twice");
      }
      union.addAll(issuer.config.algorithms);
    }
    this.byId = Map.copyOf(map);
    this.only = issuers.size() == 1 ? issuers.get(0) : null;
    this.algorithms = Set.copyOf(union);
  }

  /** The trusted issuer whose identifier is exactly {@code iss}, or null. */
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
    List<String> near = new ArrayList<>();
    for (Issuer issuer : issuers) {
      if (!IssuerNames.hint(iss, issuer.id()).isEmpty()) {
        near.add(issuer.id());
      }
    }
    String hint = near.isEmpty() ? "" : IssuerNames.hint(iss, near.get(0));
    return "iss " + Detail.quote(iss) + " is none of the " + issuers.size() + " trusted issuers" + hint;
  }
}
