package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tokenguard.dpop.ReplayStore;
import dev.tokenguard.testing.DpopProofBuilder;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the DPoP and certificate-binding tests share: a fake issuer on a test clock, a holder key,
 * the protected resource's URI, and a replay store that records what reaches it. Not thread-safe
 * except the recording store.
 */
final class DpopFixture implements AutoCloseable {
  static final URI URI_ = URI.create("https://api.example.test/patients");
  static final String METHOD = "GET";

  final TestClock clock = TestClock.startingNow();
  final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  final TestKey holder = TestKey.ecP256();

  /** A verifier for the issuer with {@code policy}. */
  AccessTokenVerifier verifier(DpopPolicy policy) {
    return issuer.verifierBuilder().dpop(policy).build();
  }

  /** A verifier with the default policy. */
  AccessTokenVerifier verifier() {
    return issuer.verifierBuilder().build();
  }

  /** An access token bound to the holder's key. */
  String boundToken() {
    return issuer.accessToken().dpopBound(holder).sign();
  }

  /** A valid proof by the holder for GET {@link #URI_} with {@code token}. */
  DpopProofBuilder proof(String token) {
    return issuer.dpopProof(holder, METHOD, URI_).accessToken(token);
  }

  static TokenRequest request(String token, String proof) {
    return TokenRequest.dpop(token, proof, METHOD, URI_);
  }

  /** The reason {@code verifier} refuses {@code request} with; fails when it accepts it. */
  static TokenVerificationException refusal(AccessTokenVerifier verifier, TokenRequest request) {
    TokenVerificationException e = catchThrowableOfType(TokenVerificationException.class, () -> verifier.verify(request));
    assertThat(e).as("refusal of " + request).isNotNull();
    return e;
  }

  static TokenVerificationException.Reason reasonFor(AccessTokenVerifier verifier, TokenRequest request) {
    return refusal(verifier, request).reason();
  }

  @Override
  public void close() {
    issuer.close();
  }

  /** A replay store that records every call and delegates to another one (or fails). Thread-safe. */
  static final class RecordingStore implements ReplayStore {
    final List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<Instant> deadlines = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ReplayStore delegate;

    RecordingStore(ReplayStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public boolean firstUse(String key, Instant until) {
      keys.add(key);
      deadlines.add(until);
      return delegate.firstUse(key, until);
    }

    @Override
    public boolean knownUsed(String key) {
      return delegate.knownUsed(key);
    }

    int writes() {
      return keys.size();
    }

    List<String> keys() {
      return new ArrayList<>(keys);
    }
  }
}
