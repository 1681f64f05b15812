package dev.tokenguard;

import java.util.ArrayList;
import java.util.List;

/**
 * One trusted issuer at run time: its configuration, where its scopes are read from, and the
 * source of its keys. A key of one issuer only ever verifies tokens whose {@code iss} names that
 * issuer. Immutable and thread-safe (the key source is).
 */
final class Issuer {
  final IssuerConfig config;
  final ScopeClaims scopeClaims;
  final KeySource keys;

  Issuer(IssuerConfig config, KeySource keys) {
    this.config = config;
    this.scopeClaims = new ScopeClaims(config.scopeClaims);
    this.keys = keys;
  }

  /** The exact {@code iss} of its tokens. */
  String id() {
    return config.issuer;
  }

  /** Every exact {@code iss} of its tokens: the identifier, then the aliases. */
  List<String> names() {
    List<String> names = new ArrayList<>(1 + config.aliases.size());
    names.add(config.issuer);
    names.addAll(config.aliases);
    return names;
  }
}
