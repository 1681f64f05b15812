package dev.tokenguard;

import com.nimbusds.jose.jwk.JWK;
import java.security.Provider;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable snapshot of the issuer's usable signing keys, indexed by {@code kid}. Keys refused
 * by the key policy, and every key whose {@code kid} appears more than once, are left out.
 */
final class KeySet {
  private static final Logger LOG = LoggerFactory.getLogger(KeySet.class);

  private final Map<String, VerificationKey> byKid;
  private final List<VerificationKey> keys;
  private final Instant fetchedAt;

  private KeySet(Map<String, VerificationKey> byKid, List<VerificationKey> keys, Instant fetchedAt) {
    this.byKid = byKid;
    this.keys = keys;
    this.fetchedAt = fetchedAt;
  }

  /**
   * Parses a JWKS document. Throws {@link ParseException} when the document is not a JWK Set or
   * holds no usable key (an empty set would turn every token into "unknown key").
   */
  static KeySet parse(String json, int maxKeys, Provider provider, Instant fetchedAt) throws ParseException {
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
    Map<String, VerificationKey> byKid = new HashMap<>();
    Set<String> duplicated = new HashSet<>();
    for (VerificationKey key : accepted) {
      if (key.kid != null && byKid.put(key.kid, key) != null) {
        duplicated.add(key.kid);
      }
    }
    if (!duplicated.isEmpty()) {
      LOG.warn("Ignoring JWKS keys whose kid appears more than once: {}", Detail.quote(duplicated));
      byKid.keySet().removeAll(duplicated);
      accepted.removeIf(k -> k.kid != null && duplicated.contains(k.kid));
    }
    if (accepted.isEmpty()) {
      throw new ParseException("the key set holds no usable signing key", 0);
    }
    return new KeySet(Map.copyOf(byKid), List.copyOf(accepted), fetchedAt);
  }

  /** The key for {@code kid}, or null. */
  VerificationKey byKid(String kid) {
    return byKid.get(kid);
  }

  /** The one key usable with {@code algorithm} when a token has no {@code kid}, or null if not exactly one. */
  VerificationKey onlyKeyFor(Algorithm algorithm) {
    VerificationKey found = null;
    for (VerificationKey key : keys) {
      if (key.allows(algorithm)) {
        if (found != null) {
          return null;
        }
        found = key;
      }
    }
    return found;
  }

  /**
   * Whether this set still holds {@code key}: the same kid with the same key material and policy.
   * A refetched JWKS yields new instances for unchanged keys, so identity alone is not enough.
   */
  boolean contains(VerificationKey key) {
    if (key.kid != null) {
      VerificationKey current = byKid.get(key.kid);
      return current == key || (current != null && current.sameKeyAs(key));
    }
    for (VerificationKey current : keys) {
      if (current == key || (current.kid == null && current.sameKeyAs(key))) {
        return true;
      }
    }
    return false;
  }

  Set<String> keyIds() {
    return Collections.unmodifiableSet(byKid.keySet());
  }

  Instant fetchedAt() {
    return fetchedAt;
  }
}
