package dev.tokenguard;

import static dev.tokenguard.KeySourceFloodTest.withKid;
import static dev.tokenguard.KeySourceRotationTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.FakeIssuer.JwksFailure;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener hook and the health view an API can expose. */
class KeySourceObservabilityTest {
  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  private final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    issuer.close();
  }

  /** Records every event as a short line. */
  private final KeySourceListener recorder = event -> {
    assertThat(event.issuer()).isEqualTo(issuer.issuer());
    switch (event.type()) {
      case FETCH_STARTED:
        events.add("started " + event.uri().orElseThrow().getPath());
        break;
      case FETCH_SUCCEEDED:
        events.add("succeeded " + event.uri().orElseThrow().getPath() + " " + event.usableKeys().orElseThrow());
        break;
      case FETCH_FAILED:
        events.add("failed " + event.uri().orElseThrow().getPath() + " " + event.reason().orElseThrow());
        break;
      case STALE_KEYS_SERVED:
        events.add("stale " + event.keyAge().orElseThrow());
        break;
      case REFETCH_SUPPRESSED:
        events.add("suppressed " + event.reason().orElseThrow());
        break;
      default:
        throw new AssertionError(event);
    }
  };

  private AccessTokenVerifier.Builder verifierBuilder(KeySourceListener listener) {
    AccessTokenVerifier.Builder builder = issuer.httpVerifierBuilder().keySourceListener(listener);
    builder.keyFetchExecutor(Runnable::run);
    return builder;
  }

  @Test
  void theListenerHearsFetchesFailuresStaleKeysAndSuppressedRefetches() {
    AccessTokenVerifier verifier = verifierBuilder(recorder).build();
    String token = issuer.accessToken().expiresIn(Duration.ofHours(2)).sign();
    String jwks = "/.well-known/jwks.json";

    verifier.warmUp();
    assertThat(events).containsExactly("started " + jwks, "succeeded " + jwks + " 1");

    events.clear();
    assertRejected(() -> verifier.verify(withKid(token, "unknown-1")), Reason.UNKNOWN_KEY);
    assertRejected(() -> verifier.verify(withKid(token, "unknown-2")), Reason.UNKNOWN_KEY);
    assertThat(events).hasSize(3);
    assertThat(events.get(0)).isEqualTo("started " + jwks);
    assertThat(events.get(1)).isEqualTo("succeeded " + jwks + " 1");
    assertThat(events.get(2)).startsWith("suppressed unknown kid");

    events.clear();
    issuer.failJwks(JwksFailure.HTTP_500);
    clock.advance(Duration.ofMinutes(11));
    verifier.verify(token);
    assertThat(events).hasSize(5);
    assertThat(events.subList(0, 4)).containsExactly(
        "started " + jwks, "failed " + jwks + " " + issuer.jwksUri() + ": HTTP 500",
        "started " + jwks, "failed " + jwks + " " + issuer.jwksUri() + ": HTTP 500");
    assertThat(events.get(4)).isEqualTo("stale " + Duration.ofMinutes(11));

    events.clear();
    issuer.failJwks(JwksFailure.MALFORMED);
    clock.advance(Duration.ofMinutes(1)); // the background retry finds an unusable document
    verifier.verify(token);
    assertThat(events).hasSize(3);
    assertThat(events.get(1)).startsWith("failed " + jwks + " the key set at " + issuer.jwksUri() + " is unusable");
  }

  @Test
  void theHealthViewShowsLastSuccessLastFailureKeyIdsAndFetchCount() {
    AccessTokenVerifier verifier = verifierBuilder(event -> { }).build();
    KeySourceHealth cold = verifier.keySourceHealth().get(0);
    assertThat(cold.status()).isEqualTo(KeySourceHealth.Status.NOT_LOADED);
    assertThat(cold.lastSuccess()).isEmpty();
    assertThat(cold.lastFailure()).isEmpty();
    assertThat(cold.keyIds()).isEmpty();
    assertThat(cold.fetchCount()).isZero();

    Instant fetchedAt = clock.instant();
    verifier.warmUp();
    KeySourceHealth fresh = verifier.keySourceHealth().get(0);
    assertThat(fresh.status()).isEqualTo(KeySourceHealth.Status.FRESH);
    assertThat(fresh.lastSuccess()).contains(fetchedAt);
    assertThat(fresh.keyIds()).containsExactly(issuer.currentKeyId());
    assertThat(fresh.fetchCount()).isEqualTo(1);

    issuer.failJwks(JwksFailure.HTTP_500);
    clock.advance(Duration.ofMinutes(11));
    verifier.warmUp();
    KeySourceHealth stale = verifier.keySourceHealth().get(0);
    assertThat(stale.status()).isEqualTo(KeySourceHealth.Status.STALE);
    assertThat(stale.lastSuccess()).contains(fetchedAt);
    assertThat(stale.lastFailure()).contains(clock.instant());
    assertThat(stale.lastFailureReason()).contains(issuer.jwksUri() + ": HTTP 500");
    assertThat(stale.keyIds()).containsExactly(issuer.currentKeyId());
    assertThat(stale.fetchCount()).isEqualTo(3); // the first fetch, then a failed one and its retry
    assertThat(stale.toString()).contains("STALE", issuer.currentKeyId(), "HTTP 500");

    issuer.healJwks();
    String newKid = issuer.rotateKey();
    clock.advance(Duration.ofMinutes(1));
    verifier.warmUp(); // the background retry succeeds
    KeySourceHealth healed = verifier.keySourceHealth().get(0);
    assertThat(healed.status()).isEqualTo(KeySourceHealth.Status.FRESH);
    assertThat(healed.lastSuccess()).contains(clock.instant());
    assertThat(healed.keyIds()).contains(newKid);
    assertThat(healed.lastFailure()).isPresent(); // history is kept
  }

  @Test
  void anEncryptionKeyNextToTheSigningKeysIsNotWarnedAboutAtEveryRefresh() {
    TestKey encryption = issuer.publishKey(TestKey.rsa(2048).withUse("enc").withKeyId("enc-key"));
    TestKey weak = issuer.publishKey(TestKey.rsa(1024).withKeyId("weak-key"));
    AccessTokenVerifier verifier = verifierBuilder(event -> { }).build();

    String log = LogCapture.captureStandardError(() -> {
      verifier.warmUp();
      clock.advance(Duration.ofMinutes(11));
      verifier.warmUp(); // a refresh parses the same key set again
    });

    assertThat(LogCapture.count(log, "WARN dev.tokenguard.KeySet - Ignoring JWKS key kid=\"" + weak.keyId() + "\"")).isEqualTo(2);
    assertThat(log).doesNotContain("kid=\"" + encryption.keyId() + "\"");
    assertThat(verifier.keySourceHealth().get(0).keyIds()).containsExactly(issuer.currentKeyId());
  }

  @Test
  void aListenerThatThrowsCannotBreakVerification() {
    KeySourceListener broken = event -> {
      throw new IllegalStateException("listener bug");
    };
    AccessTokenVerifier verifier = verifierBuilder(broken).build();
    String token = issuer.accessToken().expiresIn(Duration.ofHours(2)).sign();

    assertThat(verifier.verify(token)).isNotNull();
    assertRejected(() -> verifier.verify(withKid(token, "a")), Reason.UNKNOWN_KEY);
    assertRejected(() -> verifier.verify(withKid(token, "b")), Reason.UNKNOWN_KEY);
    issuer.failJwks(JwksFailure.HTTP_500);
    clock.advance(Duration.ofMinutes(11));
    assertThat(verifier.verify(token)).isNotNull();
    assertThat(verifier.keySourceHealth().get(0).status()).isEqualTo(KeySourceHealth.Status.STALE);
  }
}
