package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.UNKNOWN_KEY;

import com.nimbusds.jose.jwk.JWK;
import java.security.Provider;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable snapshot of the issuer's usable signing keys, in JWKS order and indexed by {@code
 * kid}. Keys refused by the key policy are left out.
 *
 * <p>A {@code kid} may name several keys (RFC 7517 4.5 allows keys of different types under one
 * {@code kid}; issuers list one key once per algorithm, or the same key twice). The keys a token
 * may be verified with are its <em>candidates</em> ({@link #keysFor}): the keys with its {@code
 * kid} that can verify its {@code alg} (type, curve and the key's own {@code alg}, RFC 8725 3.1),
 * with the same key material (RFC 7638 thumbprint) counted once. Several different candidates are
 * all tried, in JWKS order, up to {@link #MAX_CANDIDATES}; more are refused, so a forged token costs
 * at most that many signature checks.
 */
final class KeySet {
  private static final Logger LOG = LoggerFactory.getLogger(KeySet.class);

  /**
   * Most different keys one {@code kid} may name for one algorithm. Each is the issuer's own key,
   * so trying them all admits nothing the issuer did not sign; the bound caps the signature checks
   * one forged token costs.
   */
  static final int MAX_CANDIDATES = 3;

  /** Every usable key, in JWKS order. */
  private final List<VerificationKey> keys;
  /** Every usable key with a {@code kid}, by {@code kid}, each list in JWKS order. */
  private final Map<String, List<VerificationKey>> byKid;
  /** Kids naming more than {@link #MAX_CANDIDATES} different keys for some algorithm. */
  private final Set<String> ambiguousKids;
  private final Instant fetchedAt;

  private KeySet(List<VerificationKey> keys, Map<String, List<VerificationKey>> byKid, Set<String> ambiguousKids,
      Instant fetchedAt) {
    this.keys = keys;
    this.byKid = byKid;
    this.ambiguousKids = ambiguousKids;
    this.fetchedAt = fetchedAt;
  }

  /**
   * Parses a JWKS document. Throws {@link ParseException} when the document is not a JWK Set or
   * holds no usable key (an empty set would turn every token into "unknown key").
   */
  static KeySet parse(String json, int maxKeys, Provider provider, Instant fetchedAt) throws ParseException {
    List<VerificationKey> accepted = usableKeys(json, maxKeys, provider);
    if (accepted.isEmpty()) {
      throw new ParseException("the key set holds no usable signing key", 0);
    }
    Map<String, List<VerificationKey>> byKid = new LinkedHashMap<>();
    for (VerificationKey key : accepted) {
      if (key.kid != null) {
        byKid.computeIfAbsent(key.kid, k -> new ArrayList<>(1)).add(key);
      }
    }
    byKid.replaceAll((kid, named) -> List.copyOf(named));
    return new KeySet(List.copyOf(accepted), Collections.unmodifiableMap(byKid), ambiguousKids(byKid), fetchedAt);
  }

  /** The keys of a JWK Set (RFC 7517 section 5) that pass the key policy, in document order; the others are logged. */
  private static List<VerificationKey> usableKeys(String json, int maxKeys, Provider provider) throws ParseException {
    Map<String, Object> document = Json.parseObject(json);
    Object rawKeys = document.get("keys");
    if (!(rawKeys instanceof List)) {
      throw new ParseException("the document has no \"keys\" array", 0);
    }
    List<?> entries = (List<?>) rawKeys;
    if (entries.size() > maxKeys) {
      throw new ParseException("the key set holds " + entries.size() + " keys, more than " + maxKeys, 0);
    }
    List<VerificationKey> accepted = new ArrayList<>();
    for (Object entry : entries) {
      if (!(entry instanceof Map)) {
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> member = (Map<String, Object>) entry;
      Object kid = member.get("kid");
      try {
        accepted.add(VerificationKey.accept(JWK.parse(member), provider));
      } catch (VerificationKey.KeyRefusedException e) {
        if (e.routine) {
          // Issuers such as Keycloak publish an encryption key next to their signing keys.
          LOG.debug("Ignoring JWKS key kid={}: {}", Detail.quote(kid), e.getMessage());
        } else {
          LOG.warn("Ignoring JWKS key kid={}: {}", Detail.quote(kid), e.getMessage());
        }
      } catch (ParseException | RuntimeException e) {
        LOG.warn("Ignoring JWKS key kid={}: it is not a valid JWK", Detail.quote(kid));
      }
    }
    return accepted;
  }

  /** The kids naming more than {@link #MAX_CANDIDATES} different keys usable with one algorithm (logged). */
  private static Set<String> ambiguousKids(Map<String, List<VerificationKey>> byKid) {
    Set<String> ambiguous = new TreeSet<>();
    for (Map.Entry<String, List<VerificationKey>> e : byKid.entrySet()) {
      List<VerificationKey> named = e.getValue();
      if (named.size() < 2) {
        continue;
      }
      LOG.debug("JWKS kid {} names {} keys", Detail.quote(e.getKey()), named.size());
      for (Algorithm algorithm : Algorithm.values()) {
        int different = distinctFor(named, algorithm).size();
        if (different > MAX_CANDIDATES) {
          ambiguous.add(e.getKey());
          LOG.warn("JWKS kid {} matches {} different keys usable with {}; tokens with this kid and alg are"
              + " refused as UNKNOWN_KEY (at most {} are tried)", Detail.quote(e.getKey()), different, algorithm,
              MAX_CANDIDATES);
        }
      }
    }
    return Set.copyOf(ambiguous);
  }

  /**
   * Whether some usable key carries {@code kid}, whatever its type or algorithm. Only a {@code kid}
   * for which this is false is unknown (and may be worth a refetch): a known {@code kid} whose keys
   * do not fit the token's algorithm is refused by {@link #keysFor} without one.
   */
  boolean containsKid(String kid) {
    return byKid.containsKey(kid);
  }

  /**
   * The keys a token with {@code kid} (null when it has none) and {@code algorithm} may be
   * verified with, different keys only, in JWKS order; never empty. With a {@code kid}: its
   * candidates, at most {@link #MAX_CANDIDATES}. Without one: the one key usable with {@code
   * algorithm}, if there is exactly one.
   *
   * @throws TokenVerificationException {@code UNKNOWN_KEY} when no key fits, when a token without
   *     {@code kid} has several to choose from, or when its {@code kid} names more than {@link
   *     #MAX_CANDIDATES} different keys usable with {@code algorithm}
   */
  List<VerificationKey> keysFor(String kid, Algorithm algorithm) {
    if (kid == null) {
      List<VerificationKey> usable = distinctFor(keys, algorithm);
      if (usable.size() != 1) {
        throw reject("the token has no kid and the issuer publishes " + (usable.isEmpty() ? "no" : usable.size() + " different")
            + " " + algorithm + " keys; exactly one is needed to verify it");
      }
      return usable;
    }
    List<VerificationKey> named = byKid.get(kid);
    if (named == null) {
      throw reject("no key with kid " + Detail.quote(kid) + " in the issuer's key set");
    }
    // The usual case, one key per kid, allocates nothing.
    List<VerificationKey> candidates = named.size() == 1 && named.get(0).allows(algorithm) ? named : distinctFor(named, algorithm);
    if (candidates.isEmpty()) {
      throw reject("kid " + Detail.quote(kid) + " names no key usable with " + algorithm);
    }
    if (candidates.size() > MAX_CANDIDATES) {
      throw reject("kid " + Detail.quote(kid) + " matches " + candidates.size() + " different keys usable with " + algorithm
          + "; at most " + MAX_CANDIDATES + " are tried");
    }
    return candidates;
  }

  /** The keys of {@code from} usable with {@code algorithm}, the first of each key material only. */
  private static List<VerificationKey> distinctFor(List<VerificationKey> from, Algorithm algorithm) {
    List<VerificationKey> found = new ArrayList<>(2);
    for (VerificationKey key : from) {
      if (key.allows(algorithm) && !containsThumbprint(found, key.thumbprint)) {
        found.add(key);
      }
    }
    return found;
  }

  private static boolean containsThumbprint(List<VerificationKey> keys, String thumbprint) {
    for (VerificationKey key : keys) {
      if (key.thumbprint.equals(thumbprint)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this set still holds {@code key}: the same kid with the same key material and policy,
   * among the keys a token with that kid may still be verified with. A refetched JWKS yields new
   * instances for unchanged keys, so identity alone is not enough. A kid that now names too many
   * different keys holds none (a fresh verification would refuse it).
   */
  boolean contains(VerificationKey key) {
    List<VerificationKey> named = key.kid != null ? byKid.get(key.kid) : keys;
    if (named == null || (key.kid != null && ambiguousKids.contains(key.kid))) {
      return false;
    }
    for (VerificationKey current : named) {
      if (current == key || current.sameKeyAs(key)) {
        return true;
      }
    }
    return false;
  }

  /** The distinct kids of the usable keys. */
  Set<String> keyIds() {
    return byKid.keySet();
  }

  Instant fetchedAt() {
    return fetchedAt;
  }

  private static TokenVerificationException reject(String detail) {
    return new TokenVerificationException(UNKNOWN_KEY, detail);
  }
}
