package dev.tokenguard;

import java.net.http.HttpClient;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Makes the key sources of one verifier, one per trusted issuer, and holds what they share: one
 * fetch executor (the user's, or one the verifier starts when the first remote issuer needs it,
 * with a thread per issuer fetching at that moment, capped at {@link #MAX_FETCH_THREADS}, so a
 * slow issuer never holds up another's fetch) and one library HTTP client per connect timeout
 * (each JDK client has a selector thread of its own). Thread-safe.
 */
final class KeySources {
  /** At most this many key-fetch threads in the verifier's own executor, however many issuers it trusts. */
  static final int MAX_FETCH_THREADS = 16;

  private final VerifierConfig.Shared shared;
  private final int threads;
  private final Map<Duration, HttpClient> clients = new ConcurrentHashMap<>();
  // Guarded by this: the executor this verifier started and must stop (null: none yet, or the user
  // gave one), and whether the verifier was closed (then fetches run on the calling thread).
  private ThreadPoolExecutor ownExecutor;
  private boolean closed;

  /** For a verifier that may fetch the keys of up to {@code remoteIssuers} issuers. */
  KeySources(VerifierConfig.Shared shared, int remoteIssuers) {
    this.shared = shared;
    this.threads = Math.max(1, Math.min(remoteIssuers, MAX_FETCH_THREADS));
  }

  /**
   * The key source for {@code issuer}: its fixed document, or a remote source on the shared
   * executor. Makes no network call.
   *
   * @throws IllegalStateException when a fixed document holds no usable key
   */
  KeySource create(IssuerConfig issuer) {
    if (issuer.fixedJwks != null) {
      try {
        return KeySource.fixed(issuer.issuer,
            KeySet.parse(issuer.fixedJwks, issuer.fetch.maxKeys, shared.signatureProvider, shared.clock.instant()));
      } catch (ParseException e) {
        throw new IllegalStateException("the JWKS given to jwks(...) for " + issuer.issuer + " is unusable: " + e.getMessage());
      }
    }
    HttpClient client = issuer.fetch.httpClient != null
        ? issuer.fetch.httpClient
        : clients.computeIfAbsent(issuer.fetch.connectTimeout, HttpFetcher::defaultClient);
    return new RemoteKeySource(issuer, client, shared.clock, shared.signatureProvider, shared.listener, executor());
  }

  private synchronized Executor executor() {
    if (shared.keyFetchExecutor != null) {
      return shared.keyFetchExecutor;
    }
    if (closed) {
      return Runnable::run;
    }
    if (ownExecutor == null) {
      ownExecutor = RemoteKeySource.defaultExecutor(threads);
    }
    return ownExecutor;
  }

  /** Stops the executor this verifier started, if any; an executor the user gave is left alone. */
  synchronized void close() {
    closed = true;
    if (ownExecutor != null) {
      ownExecutor.shutdownNow();
    }
  }
}
