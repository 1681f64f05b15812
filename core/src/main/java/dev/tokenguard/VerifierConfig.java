package dev.tokenguard;

import java.security.Provider;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A verifier's whole configuration: what it shares across issuers, each trusted issuer, the
 * issuers to trust on first use, and how it treats DPoP. Immutable.
 */
final class VerifierConfig {
  final Shared shared;
  final List<IssuerConfig> issuers;
  /** The issuers to trust on first use, or null. */
  final LazyIssuers.Config lazyIssuers;
  /** The builder's key-fetch settings, which an issuer trusted on first use takes unless it sets its own. */
  final KeyFetchSettings fetchDefaults;
  final DpopPolicy dpop;

  VerifierConfig(Shared shared, List<IssuerConfig> issuers) {
    this(shared, issuers, null, null, DpopPolicy.defaults());
  }

  VerifierConfig(Shared shared, List<IssuerConfig> issuers, LazyIssuers.Config lazyIssuers, KeyFetchSettings fetchDefaults,
      DpopPolicy dpop) {
    this.shared = shared;
    this.issuers = List.copyOf(issuers);
    this.lazyIssuers = lazyIssuers;
    this.fetchDefaults = fetchDefaults;
    this.dpop = dpop;
  }

  /** What applies to every token whatever its issuer. Immutable. */
  static final class Shared {
    final List<String> audiences;
    final long skewMillis;
    final Clock clock;
    final int maxTokenBytes;
    /** The maximum token age in milliseconds, or -1 for none. */
    final long maxTokenAgeMillis;
    final List<String> requiredClaims;
    final List<ClaimRule> claimRules;
    final int verifiedTokenCacheSize;
    /** A JCA provider for signature checks, or null for the JDK's. */
    final Provider signatureProvider;
    /** Null when nobody listens. */
    final KeySourceListener listener;
    /** The user's executor for key fetches, or null for the verifier's own. */
    final Executor keyFetchExecutor;

    Shared(List<String> audiences, Duration clockSkew, Clock clock, int maxTokenBytes, Duration maxTokenAge,
        Set<String> requiredClaims, List<ClaimRule> claimRules, int verifiedTokenCacheSize, Provider signatureProvider,
        KeySourceListener listener, Executor keyFetchExecutor) {
      this.audiences = List.copyOf(audiences);
      this.skewMillis = clockSkew.toMillis();
      this.clock = clock;
      this.maxTokenBytes = maxTokenBytes;
      this.maxTokenAgeMillis = maxTokenAge == null ? -1 : maxTokenAge.toMillis();
      this.requiredClaims = List.copyOf(requiredClaims);
      this.claimRules = List.copyOf(claimRules);
      this.verifiedTokenCacheSize = verifiedTokenCacheSize;
      this.signatureProvider = signatureProvider;
      this.listener = listener;
      this.keyFetchExecutor = keyFetchExecutor;
    }
  }
}
