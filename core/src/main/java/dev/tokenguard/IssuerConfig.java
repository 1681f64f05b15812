package dev.tokenguard;

import java.net.URI;
import java.util.List;
import java.util.Set;

/**
 * Everything that belongs to one trusted issuer: its identifier (and aliases), where its keys
 * come from (a JWKS URI, discovery, or a fixed document), the algorithms and token profile it
 * uses, the claims its scopes are in, and how its keys are fetched. Immutable.
 */
final class IssuerConfig {
  /** The exact {@code iss} of its tokens. */
  final String issuer;
  /** Other exact {@code iss} values of the same issuer, sharing its key source; usually empty. */
  final List<String> aliases;
  /** The configured JWKS URI, or null for discovery. */
  final URI jwksUri;
  /** A JWKS document given instead of fetching, or null. */
  final String fixedJwks;
  final Set<Algorithm> algorithms;
  final List<String> scopeClaims;
  final boolean strictRfc9068;
  final KeyFetchSettings fetch;

  IssuerConfig(String issuer, List<String> aliases, URI jwksUri, String fixedJwks, Set<Algorithm> algorithms,
      List<String> scopeClaims, boolean strictRfc9068, KeyFetchSettings fetch) {
    this.issuer = issuer;
    this.aliases = List.copyOf(aliases);
    this.jwksUri = jwksUri;
    this.fixedJwks = fixedJwks;
    this.algorithms = Set.copyOf(algorithms);
    this.scopeClaims = List.copyOf(scopeClaims);
    this.strictRfc9068 = strictRfc9068;
    this.fetch = fetch;
  }
}
