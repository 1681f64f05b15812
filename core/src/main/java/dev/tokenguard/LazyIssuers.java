package dev.tokenguard;

import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuers a verifier trusts on first use: an {@code iss} the user's predicate accepts becomes
 * a trusted issuer, with its own key source, the first time a token names it, up to a hard limit.
 *
 * <p>What holds:
 *
 * <ul>
 *   <li>The predicate decides before any network request. An {@code iss} that is not an absolute
 *       https URI (plain http only to loopback) without user info, query or fragment is refused
 *       before the predicate sees it; one the predicate refuses leaves nothing behind.
 *   <li>At most {@code max} issuers are ever held. When the set is full, a new issuer is refused
 *       (WRONG_ISSUER, with a warning at most every 10 minutes); none is evicted. Eviction would
 *       let whoever can present accepted names churn the set: every re-admission fetches keys
 *       again, and a real tenant's keys would be dropped under attack. Refusal bounds the requests
 *       the set can ever cause to {@code max} issuers' worth, and keeps admitted issuers working.
 *   <li>Admission is single-flight: concurrent first tokens of one issuer make one key source.
 * </ul>
 *
 * Thread-safe; finding an admitted issuer is one lock-free map lookup.
 */
final class LazyIssuers {
  private static final Logger LOG = LoggerFactory.getLogger(AccessTokenVerifier.class);
  /** At most one warning about a full set in this many milliseconds (10 minutes). */
  static final long FULL_WARN_INTERVAL_MILLIS = 10 * 60_000;

  /** What the builder was told: the predicate, the limit, how to configure an admitted issuer. */
  static final class Config {
    final Predicate<String> accepts;
    final int max;
    final Function<String, TrustedIssuer> configure;

    Config(Predicate<String> accepts, int max, Function<String, TrustedIssuer> configure) {
      this.accepts = accepts;
      this.max = max;
      this.configure = configure;
    }
  }

  private final Config config;
  private final KeyFetchSettings defaults;
  private final KeySources keySources;
  private final Clock clock;
  private final Map<String, Issuer> admitted = new ConcurrentHashMap<>();
  private final List<Issuer> inOrder = new CopyOnWriteArrayList<>();
  private final Object admission = new Object();
  private final AtomicLong lastFullWarning = new AtomicLong(Long.MIN_VALUE);

  LazyIssuers(Config config, KeyFetchSettings defaults, KeySources keySources, Clock clock) {
    this.config = config;
    this.defaults = defaults;
    this.keySources = keySources;
    this.clock = clock;
  }

  /** The admitted issuer named exactly {@code iss}, or null; never admits. */
  Issuer known(Object iss) {
    return iss instanceof String ? admitted.get(iss) : null;
  }

  /**
   * The admitted issuer named exactly {@code iss}, admitting it first when the predicate accepts
   * it and the set is not full; null otherwise. Makes no network request.
   */
  Issuer find(Object iss) {
    if (!(iss instanceof String)) {
      return null;
    }
    String name = (String) iss;
    Issuer issuer = admitted.get(name);
    if (issuer != null) {
      return issuer;
    }
    if (!isIssuerUri(name) || !accepted(name)) {
      return null;
    }
    synchronized (admission) {
      issuer = admitted.get(name);
      if (issuer != null) {
        return issuer;
      }
      if (admitted.size() >= config.max) {
        warnFull(name);
        return null;
      }
      issuer = configure(name);
      if (issuer != null) {
        admitted.put(name, issuer);
        inOrder.add(issuer);
        LOG.info("Trusting the issuer {} on first use ({} of at most {})", Detail.quote(name), admitted.size(), config.max);
      }
      return issuer;
    }
  }

  /** The admitted issuers, in the order they were admitted. */
  List<Issuer> all() {
    return List.copyOf(inOrder);
  }

  /** For a WRONG_ISSUER detail. */
  String describe() {
    return "not admitted by the issuers trusted on first use (" + admitted.size() + " of at most " + config.max + " held)";
  }

  private boolean accepted(String iss) {
    try {
      return config.accepts.test(iss);
    } catch (RuntimeException e) {
      OperatorLog.warn(LOG, "The predicate of trustIssuersMatching threw " + e.getClass().getName() + " for the iss "
          + Detail.quote(iss) + "; the token is refused");
      return false;
    }
  }

  /** The issuer {@code configure} makes for {@code iss}, with its key source; null (and a warning) when it is unusable. */
  private Issuer configure(String iss) {
    TrustedIssuer trusted;
    try {
      trusted = config.configure.apply(iss);
    } catch (RuntimeException e) {
      OperatorLog.warn(LOG, "The configure function of trustIssuersMatching threw " + e.getClass().getName() + " for the iss "
          + Detail.quote(iss) + "; the token is refused");
      return null;
    }
    if (trusted == null || !trusted.issuer().equals(iss) || !trusted.aliases().isEmpty()) {
      OperatorLog.warn(LOG, "The configure function of trustIssuersMatching must return a TrustedIssuer for exactly the iss"
          + " it is given, without aliases; for " + Detail.quote(iss) + " it returned " + (trusted == null ? "null"
          : Detail.quote(trusted.toString())) + "; the token is refused");
      return null;
    }
    IssuerConfig issuerConfig = trusted.resolve(defaults);
    try {
      return new Issuer(issuerConfig, keySources.create(issuerConfig));
    } catch (IllegalStateException e) {
      OperatorLog.warn(LOG, e.getMessage() + "; the token is refused");
      return null;
    }
  }

  private void warnFull(String iss) {
    long now = clock.millis();
    long last = lastFullWarning.get();
    if ((last == Long.MIN_VALUE || now - last >= FULL_WARN_INTERVAL_MILLIS) && lastFullWarning.compareAndSet(last, now)) {
      OperatorLog.warn(LOG, "The issuers trusted on first use are at their limit of " + config.max + "; the iss "
          + Detail.quote(iss) + " and any other new one is refused. Raise the limit or accept fewer issuers in the"
          + " predicate (this warning repeats at most every 10 minutes)");
    }
  }

  /**
   * Whether {@code iss} can name an issuer whose keys may be fetched: an absolute https URI (http
   * only to loopback) without user info, query or fragment (RFC 8414 section 2), decided without
   * any lookup.
   */
  static boolean isIssuerUri(String iss) {
    URI uri;
    try {
      uri = new URI(iss);
    } catch (java.net.URISyntaxException e) {
      return false;
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return false;
    }
    try {
      HttpFetcher.requireSecure(uri, "iss");
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
