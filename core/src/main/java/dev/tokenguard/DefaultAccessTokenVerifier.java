package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.INVALID_CLAIM;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_DPOP_PROOF;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.MISSING_CLAIM;
import static dev.tokenguard.TokenVerificationException.Reason.REPLAY_CHECK_UNAVAILABLE;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_ALGORITHM;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_ISSUER;

import dev.tokenguard.dpop.ReplayStore;
import dev.tokenguard.dpop.ReplayStoreUnavailableException;
import dev.tokenguard.dpop.ReplayStores;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verifier: a list of stages, cheapest first, so that an unknown {@code kid} causes a refetch
 * only after every check that needs no key has passed. For each request:
 *
 * <ol>
 *   <li>the token's size;
 *   <li>the verified-token cache ({@link VerifiedTokenCache}): a hit skips to the per-request stages;
 *   <li>the JWS layer ({@link CompactJws}): strict compact grammar and header policy, then the claims JSON;
 *   <li>the issuer: only a trusted one ({@link IssuerRegistry}), before any network request;
 *   <li>the claims ({@link ClaimsPolicy}): kind of token, audience, time, profile, required claims, scopes;
 *   <li>the key ({@link KeySource}, which may refetch for an unknown {@code kid}) and the signature;
 *   <li>the API's own claim rules, then the cache;
 *   <li>per request: how the token is presented ({@link Binding}: bearer or DPoP scheme, a DPoP
 *       proof checked by {@link DpopProofCheck}, a TLS client certificate) and what the request
 *       requires ({@link Requirement});
 *   <li>last, the DPoP proof's replay check ({@link ReplayStore}): only a request that passed
 *       every other check costs a store write.
 * </ol>
 *
 * Immutable and thread-safe.
 */
final class DefaultAccessTokenVerifier implements AccessTokenVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(AccessTokenVerifier.class);
  /** Claims issuers put permissions in; one the verifier does not read explains a missing scope. */
  private static final List<String> PERMISSION_CLAIMS = List.of("scope", "scp", "permissions", "roles");
  private final IssuerRegistry issuers;
  private final ClaimsPolicy claimsPolicy;
  private final List<ClaimRule> claimRules;
  private final Clock clock;
  private final int maxTokenBytes;
  private final VerifiedTokenCache cache;
  private final CompactJws.HeaderCache headers = new CompactJws.HeaderCache();
  private final RefusalLog log;
  private final MisconfigurationMonitor monitor;
  /** Makes the key sources; owns the key-fetch executor this verifier may have started. */
  private final KeySources keySources;
  private final DpopPolicy dpop;
  private final Binding binding;
  /** Where used DPoP proofs are remembered: the policy's store or one of this verifier's own; null when DPoP is off. */
  private final ReplayStore replays;

  private DefaultAccessTokenVerifier(VerifierConfig.Shared config, DpopPolicy dpop, IssuerRegistry issuers,
      KeySources keySources) {
    this.issuers = issuers;
    this.claimsPolicy = new ClaimsPolicy(config);
    this.claimRules = config.claimRules;
    this.clock = config.clock;
    this.maxTokenBytes = config.maxTokenBytes;
    this.cache = VerifiedTokenCache.create(config);
    this.log = new RefusalLog(config.clock);
    this.monitor = new MisconfigurationMonitor(config.clock);
    this.keySources = keySources;
    this.dpop = dpop;
    this.replays = !dpop.isEnabled() ? null
        : dpop.replayStore().orElseGet(() -> ReplayStores.inMemory(ReplayStores.DEFAULT_MAX_ENTRIES, config.clock));
    this.binding = new Binding(dpop, replays, config.signatureProvider, config.clock);
  }

  /**
   * Wires a verifier from its configuration: one key source per trusted issuer, all sharing one
   * fetch executor and the library's HTTP clients ({@link KeySources}).
   */
  static DefaultAccessTokenVerifier create(VerifierConfig config) {
    VerifierConfig.Shared shared = config.shared;
    int lazyLimit = config.lazyIssuers == null ? 0 : config.lazyIssuers.max;
    KeySources keySources = new KeySources(shared, remoteIssuers(config) + lazyLimit);
    List<Issuer> issuers = new ArrayList<>();
    for (IssuerConfig issuer : config.issuers) {
      Issuer trusted = new Issuer(issuer, keySources.create(issuer));
      for (String name : trusted.names()) {
        if (IssuerNames.isAuth0WithoutTrailingSlash(name)) {
          OperatorLog.warn(LOG, "The issuer " + Detail.quote(name) + " is an Auth0 domain without the trailing"
              + " slash every Auth0 token's iss carries, so its tokens will be refused as WRONG_ISSUER; configure "
              + Detail.quote(name + "/") + " (or use auth0(domain))");
        }
      }
      issuers.add(trusted);
    }
    LazyIssuers lazy = config.lazyIssuers == null
        ? null
        : new LazyIssuers(config.lazyIssuers, config.fetchDefaults, keySources, shared.clock);
    return new DefaultAccessTokenVerifier(shared, config.dpop, new IssuerRegistry(issuers, lazy), keySources);
  }

  private static int remoteIssuers(VerifierConfig config) {
    int remote = 0;
    for (IssuerConfig issuer : config.issuers) {
      if (issuer.fixedJwks == null) {
        remote++;
      }
    }
    return remote;
  }

  /**
   * The scopes and requirement of a recent {@link #verify(String, String...)} call: an API passes
   * the same scopes on every request to an endpoint, so they are checked and copied once, not per
   * token. One entry, replaced whole (a race only costs a new requirement).
   */
  private volatile ScopesRequirement recentScopes;

  /** Scopes as passed (a private copy) and the requirement made of them. */
  private static final class ScopesRequirement {
    final String[] scopes;
    final Requirement requirement;

    ScopesRequirement(String[] scopes, Requirement requirement) {
      this.scopes = scopes;
      this.requirement = requirement;
    }
  }

  /** As the interface's default, with the requirement reused while callers pass equal scopes. */
  @Override
  public AccessToken verify(String token, String... requiredScopes) {
    Objects.requireNonNull(requiredScopes, "requiredScopes");
    Requirement requirement = requiredScopes.length == 0 ? Requirement.none() : allScopes(requiredScopes);
    if (token == null) {
      throw reject(MALFORMED, "the token is null");
    }
    return verify(TokenRequest.bearer(token, requirement));
  }

  private Requirement allScopes(String[] scopes) {
    ScopesRequirement recent = recentScopes;
    if (recent != null && Arrays.equals(recent.scopes, scopes)) {
      return recent.requirement;
    }
    Requirement requirement = Requirement.allScopes(scopes); // checks them; throws for null or malformed scopes
    recentScopes = new ScopesRequirement(scopes.clone(), requirement);
    return requirement;
  }

  @Override
  public AccessToken verify(TokenRequest request) {
    Objects.requireNonNull(request, "request");
    String token = request.accessToken();
    try {
      AccessToken verified = verifiedToken(token);
      DpopProofCheck.Replay proof = binding.check(verified, request);
      checkRequirement(verified, request.requirement());
      if (proof != null) {
        recordProof(proof);
      }
      monitor.accepted();
      return verified;
    } catch (TokenVerificationException e) {
      log.refused(token, e);
      diagnose(e);
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      TokenVerificationException refusal = log.unexpected(token, e);
      log.refused(token, refusal);
      throw refusal;
    }
  }

  /**
   * Refuses a valid token that does not meet the request's requirement; notes for the operator
   * when it lacks a scope but carries permissions in a claim the verifier does not read (Entra
   * ID's roles, say).
   */
  private void checkRequirement(AccessToken verified, Requirement requirement) {
    if (requirement.isMetBy(verified)) {
      return;
    }
    Issuer issuer = requirement.scopesMetBy(verified) ? null : issuers.known(verified.issuer());
    for (String name : PERMISSION_CLAIMS) {
      if (verified.claims().get(name) != null && issuer != null && !issuer.scopeClaims.names().contains(name)) {
        monitor.refused(MisconfigurationMonitor.Kind.SCOPE_CLAIM, "the request requires " + requirement
            + " and the token carries the claim " + name + ", which is not read as a scope claim (read: "
            + issuer.scopeClaims.names() + "; add it with scopeClaims(...) or the scope-claims setting)");
        break;
      }
    }
    requirement.check(verified);
  }

  /**
   * Records the DPoP proof as used, the last check of a request: refuses a replay, and fails
   * closed when the store cannot answer (any exception it throws).
   */
  private void recordProof(DpopProofCheck.Replay proof) {
    boolean first;
    try {
      first = replays.firstUse(proof.key, proof.until);
    } catch (RuntimeException e) {
      String why = e instanceof ReplayStoreUnavailableException ? e.getMessage() : "it threw " + e.getClass().getName();
      log.replayStoreFailed(why);
      throw reject(REPLAY_CHECK_UNAVAILABLE, "the DPoP replay store cannot tell whether the proof was used before, so"
          + " the request is refused: " + why);
    }
    if (!first) {
      throw reject(INVALID_DPOP_PROOF, DpopProofCheck.REPLAYED);
    }
  }

  @Override
  public DpopPolicy dpopPolicy() {
    return dpop;
  }

  /** Tells the misconfiguration monitor about refusals that usually mean a configuration mistake. */
  private void diagnose(TokenVerificationException e) {
    if (e.reason() == WRONG_ISSUER) {
      monitor.refused(MisconfigurationMonitor.Kind.ISSUER, e.getMessage());
    } else if (e.reason() == TokenVerificationException.Reason.WRONG_AUDIENCE) {
      monitor.refused(MisconfigurationMonitor.Kind.AUDIENCE, e.getMessage());
    }
  }

  /** The token's own checks: served from the cache, or verified in full. */
  private AccessToken verifiedToken(String token) {
    if (token.isEmpty()) {
      throw reject(MALFORMED, "the token is empty");
    }
    if (token.length() > maxTokenBytes) {
      throw reject(MALFORMED, "the token has " + token.length() + " characters, more than the limit of " + maxTokenBytes);
    }
    if (cache != null) {
      AccessToken hit = cache.lookup(token);
      if (hit != null) {
        return hit;
      }
    }
    return verifyInFull(token);
  }

  private AccessToken verifyInFull(String token) {
    CompactJws jws = CompactJws.parse(token, issuers.algorithms(), headers);
    Map<String, Object> claims = jws.claims();
    Issuer issuer = trustedIssuer(claims, jws.algorithm);
    ValidClaims valid = claimsPolicy.check(jws.typ, claims, issuer, clock.millis());
    VerificationKey key = jws.verifySignature(candidateKeys(issuer, jws));
    // The token's own iss: the issuer's identifier, or the alias it was routed by.
    String iss = issuer.config.aliases.isEmpty() ? issuer.id() : (String) claims.get("iss");
    AccessToken accessToken = valid.toAccessToken(iss, claims, issuer.scopeClaims, clock, claimsPolicy.skewMillis());
    for (ClaimRule rule : claimRules) {
      if (!rule.accepts(accessToken)) {
        throw reject(INVALID_CLAIM, "the token does not satisfy: " + rule.description);
      }
    }
    if (cache != null) {
      cache.put(token, accessToken, issuer, key, valid, jws.kid != null);
    }
    return accessToken;
  }

  /** The trusted issuer the token's {@code iss} names, which must also accept the token's algorithm. */
  private Issuer trustedIssuer(Map<String, Object> claims, Algorithm algorithm) {
    Object iss = claims.get("iss");
    if (iss == null) {
      throw reject(MISSING_CLAIM, "iss is missing");
    }
    Issuer issuer = issuers.find(iss);
    if (issuer == null) {
      throw reject(WRONG_ISSUER, issuers.describeMismatch(iss));
    }
    if (!issuer.config.algorithms.contains(algorithm)) {
      throw reject(UNSUPPORTED_ALGORITHM, "alg " + algorithm + " is not one the issuer " + Detail.quote(issuer.id()) + " is trusted with");
    }
    return issuer;
  }

  /** The issuer's keys that may have signed the token (refetching once for an unknown kid). */
  private static List<VerificationKey> candidateKeys(Issuer issuer, CompactJws jws) {
    KeySet keys = issuer.keys.keys();
    if (jws.kid != null && !keys.containsKid(jws.kid)) {
      keys = issuer.keys.keysAfterMiss(jws.kid, keys);
    }
    return keys.keysFor(jws.kid, jws.algorithm);
  }

  /**
   * Loads the keys of every issuer named in the configuration (issuers trusted on first use are
   * not known yet), one issuer after the other; an issuer that fails does not stop the others
   * from being loaded. One failure is thrown as it is; several are one KEYS_UNAVAILABLE naming each.
   */
  @Override
  public void warmUp() {
    List<TokenVerificationException> failures = new ArrayList<>();
    for (Issuer issuer : issuers.configured()) {
      try {
        issuer.keys.warmUp();
      } catch (TokenVerificationException e) {
        failures.add(e);
      }
    }
    if (failures.size() == 1) {
      throw failures.get(0);
    }
    if (!failures.isEmpty()) {
      StringBuilder detail = new StringBuilder("the keys of " + failures.size() + " of " + issuers.configured().size()
          + " trusted issuers cannot be had");
      for (TokenVerificationException e : failures) {
        detail.append("; ").append(e.getMessage());
      }
      throw reject(TokenVerificationException.Reason.KEYS_UNAVAILABLE, detail.toString());
    }
  }

  @Override
  public void invalidateKeys() {
    for (Issuer issuer : issuers.all()) {
      issuer.keys.invalidate();
    }
    if (cache != null) {
      cache.invalidateAll();
    }
  }

  @Override
  public List<KeySourceHealth> keySourceHealth() {
    List<KeySourceHealth> health = new ArrayList<>();
    for (Issuer issuer : issuers.all()) {
      health.add(issuer.keys.health());
    }
    return List.copyOf(health);
  }

  /**
   * The number of tokens in the verified-token cache after pending maintenance. Only tests call
   * it: how much memory the cache holds (expired tokens leaving it) cannot be observed otherwise.
   */
  long cachedTokenCount() {
    return cache == null ? 0 : cache.size();
  }

  @Override
  public void close() {
    keySources.close();
  }

  private static TokenVerificationException reject(TokenVerificationException.Reason reason, String detail) {
    return new TokenVerificationException(reason, detail);
  }
}
