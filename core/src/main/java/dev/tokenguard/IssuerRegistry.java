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
  /** The issuers trusted on first use, or null when there are none. */
  private final LazyIssuers lazy;

  IssuerRegistry(List<Issuer> issuers) {
    this(issuers, null);
  }

  /**
   * The issuers named in the configuration, and those trusted on first use ({@code lazy}, or
   * null). With issuers trusted on first use, every algorithm passes the JWS layer: the issuer's
   * own allow-list is checked once it is known.
   */
  IssuerRegistry(List<Issuer> issuers, LazyIssuers lazy) {
    if (issuers.isEmpty() && lazy == null) {
      throw new IllegalArgumentException("no trusted issuer");
    }
    this.lazy = lazy;
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
    this.only = issuers.size() == 1 && issuers.get(0).config.aliases.isEmpty() && lazy == null ? issuers.get(0) : null;
    this.algorithms = lazy != null ? Set.copyOf(EnumSet.allOf(Algorithm.class)) : Set.copyOf(union);
  }

  /**
   * The trusted issuer whose identifier or alias is exactly {@code iss}, or null: one named in the
   * configuration, else one trusted on first use (admitting it now when its predicate accepts it).
   * Makes no network request.
   */
  Issuer find(Object iss) {
    if (only != null) {
      return only.id().equals(iss) ? only : null;
    }
    Issuer issuer = iss instanceof String ? byId.get(iss) : null;
    return issuer != null || lazy == null ? issuer : lazy.find(iss);
  }

  /** As {@link #find(Object)}, but never admits an issuer on first use. */
  Issuer known(Object iss) {
    if (only != null) {
      return only.id().equals(iss) ? only : null;
    }
    Issuer issuer = iss instanceof String ? byId.get(iss) : null;
    return issuer != null || lazy == null ? issuer : lazy.known(iss);
  }

  /** The issuers named in the configuration, in configuration order. */
  List<Issuer> configured() {
    return issuers;
  }

  /** Every trusted issuer: those named in the configuration in their order, then those trusted on first use as admitted. */
  List<Issuer> all() {
    if (lazy == null) {
      return issuers;
    }
    List<Issuer> all = new java.util.ArrayList<>(issuers);
    all.addAll(lazy.all());
    return all;
  }

  /** The algorithms any trusted issuer accepts: what the JWS layer lets through before the issuer is known. */
  Set<Algorithm> algorithms() {
    return algorithms;
  }

  /** For a WRONG_ISSUER detail: what was expected, with a hint when only a trailing slash differs. */
  String describeMismatch(Object iss) {
    String lazyPart = lazy == null ? "" : ", and " + lazy.describe();
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
    return "iss " + Detail.quote(iss) + " is none of the " + byId.size() + " trusted issuer names" + lazyPart + hint;
  }
}
