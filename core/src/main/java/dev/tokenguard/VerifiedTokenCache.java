package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.EXPIRED;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_YET_VALID;
import static dev.tokenguard.TokenVerificationException.Reason.TOO_OLD;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Remembers tokens that passed every check, so a client reusing its token skips parsing and the
 * signature check. A hit is served only after its time bounds are checked again on the verifier's
 * clock and its signing key is found still published by its issuer; otherwise the cache never
 * changes an outcome. Only verified tokens enter, so rejected tokens cannot evict good ones; the
 * size counts tokens of up to {@link #WEIGHT_UNIT} characters (Auth0's are under 1,000) as one and
 * longer ones as one per started unit, so memory stays proportional to the configured size
 * whatever the token lengths (an entry holds the token and its claims: a few times the token's
 * length). Entries leave when their token expires. Thread-safe.
 */
final class VerifiedTokenCache {
  /** Tokens up to this many characters weigh 1; longer ones weigh more. */
  static final int WEIGHT_UNIT = 2048;

  /**
   * A cache entry: the verified token, its issuer and signing key, and its time bounds in epoch
   * milliseconds (the first instant at which it is refused, clock skew included).
   */
  private static final class Verified {
    final AccessToken token;
    final Issuer issuer;
    final VerificationKey key;
    final long expiredFromMillis;
    final long tooOldFromMillis;
    final long nbfMillis;
    /**
     * The issuer's key set in which {@link #key} was last found, or null: key sets are immutable
     * snapshots, so while the issuer still serves this one, the answer cannot have changed. Read
     * and written without a lock by any thread: a stale value only costs the look-up again.
     */
    KeySet foundIn;

    Verified(AccessToken token, Issuer issuer, VerificationKey key, long expiredFromMillis, long tooOldFromMillis, long nbfMillis) {
      this.token = token;
      this.issuer = issuer;
      this.key = key;
      this.expiredFromMillis = expiredFromMillis;
      this.tooOldFromMillis = tooOldFromMillis;
      this.nbfMillis = nbfMillis;
    }

    long refusedFromMillis() {
      return Math.min(expiredFromMillis, tooOldFromMillis);
    }
  }

  /** Drops an entry when its token expires (or grows too old) on the verifier's clock. */
  private static final class UntilRefused implements Expiry<String, Verified> {
    @Override
    public long expireAfterCreate(String token, Verified v, long currentTime) {
      long nowMillis = TimeUnit.NANOSECONDS.toMillis(currentTime);
      long left = v.refusedFromMillis() - nowMillis;
      return left <= 0 ? 0 : TimeUnit.MILLISECONDS.toNanos(Math.min(left, TimeUnit.DAYS.toMillis(365)));
    }

    @Override
    public long expireAfterUpdate(String token, Verified v, long currentTime, long currentDuration) {
      return expireAfterCreate(token, v, currentTime);
    }

    @Override
    public long expireAfterRead(String token, Verified v, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  private final Cache<String, Verified> cache;
  private final Clock clock;
  private final long skewMillis;
  private final long maxTokenAgeMillis;

  private VerifiedTokenCache(int size, Clock clock, long skewMillis, long maxTokenAgeMillis) {
    this.clock = clock;
    this.skewMillis = skewMillis;
    this.maxTokenAgeMillis = maxTokenAgeMillis;
    this.cache = Caffeine.newBuilder()
        // Eviction and expiry on the calling thread: a few map operations, no pool thread behind
        // the application's back, and the size bound holds as soon as put returns.
        .executor(Runnable::run)
        .maximumWeight(size)
        .weigher((String token, Verified v) -> 1 + (token.length() - 1) / WEIGHT_UNIT)
        .expireAfter(new UntilRefused())
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
        .build();
  }

  /** A cache of {@code size} weight units, or null when {@code size} is 0 (no cache). */
  static VerifiedTokenCache create(VerifierConfig.Shared config) {
    return config.verifiedTokenCacheSize == 0
        ? null
        : new VerifiedTokenCache(config.verifiedTokenCacheSize, config.clock, config.skewMillis, config.maxTokenAgeMillis);
  }

  /**
   * The cached verification of {@code token}, re-checked: its time bounds on the verifier's clock,
   * and its signing key still in its issuer's current key set (the same key material under the
   * same kid). Null (after dropping the entry) when absent or when the key is no longer there, so
   * the token is verified in full against the current keys.
   *
   * @throws TokenVerificationException EXPIRED, TOO_OLD or NOT_YET_VALID for a cached token past its bounds
   */
  AccessToken lookup(String token) {
    Verified hit = cache.getIfPresent(token);
    if (hit == null) {
      return null;
    }
    long nowMillis = clock.millis();
    if (nowMillis >= hit.expiredFromMillis) {
      throw new TokenVerificationException(EXPIRED, "expired at " + hit.token.expiresAt() + ", now " + Instant.ofEpochMilli(nowMillis));
    }
    if (nowMillis >= hit.tooOldFromMillis) {
      throw new TokenVerificationException(TOO_OLD, "issued at " + hit.token.issuedAt().orElse(null) + ", older than the maximum token age");
    }
    if (nowMillis + skewMillis < hit.nbfMillis) {
      throw new TokenVerificationException(NOT_YET_VALID, "nbf is in the future");
    }
    KeySet current = hit.issuer.keys.keys();
    if (current != hit.foundIn) {
      if (!current.contains(hit.key)) {
        cache.invalidate(token);
        return null;
      }
      hit.foundIn = current;
    }
    return hit.token;
  }

  /**
   * Remembers a verified token. A token without {@code kid} is not kept: it was verified by the only
   * suitable key, which a hit could not re-check.
   */
  void put(String token, AccessToken verified, Issuer issuer, VerificationKey key, ValidClaims claims, boolean hasKid) {
    if (!hasKid) {
      return;
    }
    long tooOldFrom = maxTokenAgeMillis >= 0 ? claims.iat * 1000 + maxTokenAgeMillis + skewMillis + 1 : Long.MAX_VALUE;
    long nbfMillis = claims.nbf == null ? Long.MIN_VALUE : claims.nbf * 1000;
    cache.put(token, new Verified(verified, issuer, key, claims.exp * 1000 + skewMillis, tooOldFrom, nbfMillis));
  }

  /** The number of tokens held, after pending maintenance (see {@code DefaultAccessTokenVerifier.cachedTokenCount}). */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** Forgets every token. */
  void invalidateAll() {
    cache.invalidateAll();
  }
}
