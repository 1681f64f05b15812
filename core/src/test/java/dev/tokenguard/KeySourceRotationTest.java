package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Key rotation: new keys are picked up at once, removed keys stop verifying after the next refresh. */
class KeySourceRotationTest {
  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();

  @AfterEach
  void stop() {
    issuer.close();
  }

  /** Fetches run on the calling thread, so a background refresh has finished when verify returns. */
  private AccessTokenVerifier.Builder verifierBuilder() {
    AccessTokenVerifier.Builder builder = issuer.httpVerifierBuilder();
    builder.keyFetchExecutor(Runnable::run);
    return builder;
  }

  @Test
  void acceptsATokenSignedWithANewKeyOnItsFirstRequest() {
    AccessTokenVerifier verifier = verifierBuilder().build();
    verifier.warmUp();
    String newKid = issuer.rotateKey();

    String token = issuer.accessToken().sign();
    assertThat(verifier.verify(token).subject()).isNotBlank();

    assertThat(issuer.jwksRequestCount()).isEqualTo(2);
    assertThat(verifier.keySourceHealth().get(0).keyIds()).contains(newKid);
  }

  @Test
  void aKeyRemovedFromTheJwksStopsVerifyingAfterTheNextRefresh() {
    AccessTokenVerifier verifier = verifierBuilder().build();
    String verifiedBefore = issuer.accessToken().expiresIn(Duration.ofDays(2)).sign();
    String neverVerified = issuer.accessToken().expiresIn(Duration.ofDays(2)).sign();
    verifier.verify(verifiedBefore); // now also in the verified-token cache
    issuer.rotateKey();
    issuer.retireOldKeys();

    clock.advance(Duration.ofMinutes(5)); // before the refresh: the old key still verifies
    assertThat(verifier.verify(verifiedBefore)).isNotNull();

    clock.advance(Duration.ofMinutes(5)); // past the 10-minute lifetime
    // This request starts the refresh and, like every request while a refresh runs, is served the
    // keys at hand; from the refresh on, the removed key verifies nothing.
    assertThat(verifier.verify(verifiedBefore)).isNotNull();
    assertThat(issuer.jwksRequestCount()).isEqualTo(2);
    assertRejected(() -> verifier.verify(verifiedBefore), Reason.UNKNOWN_KEY);
    assertRejected(() -> verifier.verify(neverVerified), Reason.UNKNOWN_KEY);
    // Then one unknown-kid refetch for the old kid; after that the kid is remembered as missing.
    assertThat(issuer.jwksRequestCount()).isEqualTo(3);
  }

  @Test
  void aCachedTokenKeepsVerifyingAcrossARoutineRefreshOfTheSameKeys() {
    AccessTokenVerifier verifier = verifierBuilder().build();
    String token = issuer.accessToken().expiresIn(Duration.ofDays(2)).sign();
    verifier.verify(token);

    clock.advance(Duration.ofMinutes(11)); // the key set is fetched again: new instances, same keys
    assertThat(verifier.verify(token)).isNotNull();
    assertThat(issuer.jwksRequestCount()).isEqualTo(2);
  }

  @Test
  void invalidatingTheKeysRefetchesAtOnceAndDropsRemovedKeys() {
    AccessTokenVerifier verifier = verifierBuilder().build();
    String token = issuer.accessToken().sign();
    verifier.verify(token);
    issuer.rotateKey();
    issuer.retireOldKeys();

    verifier.invalidateKeys(); // e.g. from the issuer's rotation webhook

    assertRejected(() -> verifier.verify(token), Reason.UNKNOWN_KEY);
    assertThat(verifier.verify(issuer.accessToken().sign())).isNotNull();
    // The fetch after the invalidation, then one unknown-kid refetch for the removed kid.
    assertThat(issuer.jwksRequestCount()).isEqualTo(3);
  }

  @Test
  void invalidatingTheKeysRunsDiscoveryAgain() {
    AccessTokenVerifier.Builder builder =
        AccessTokenVerifier.builder().issuer(issuer.issuer()).audience(issuer.audience()).clock(clock);
    builder.keyFetchExecutor(Runnable::run);
    AccessTokenVerifier verifier = builder.build();
    verifier.warmUp();
    verifier.invalidateKeys();
    verifier.warmUp();

    assertThat(issuer.discoveryRequestCount()).isEqualTo(2);
    assertThat(issuer.jwksRequestCount()).isEqualTo(2);
  }

  static void assertRejected(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
