package dev.tokenguard;

import static dev.tokenguard.KeySourceRotationTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A JWKS that repeats a {@code kid} (RFC 7517 4.5 allows keys of different types under one
 * {@code kid}; issuers list one key once per algorithm, or the same key twice). The candidates for
 * a token are the keys with its {@code kid} that can verify its {@code alg}, the same key material
 * counted once; up to {@link KeySet#MAX_CANDIDATES} different candidates are tried in JWKS order,
 * more are refused as UNKNOWN_KEY.
 */
class KeySourceRepeatedKidTest {
  private static final TestKey RSA_A = TestKey.rsa(2048);
  private static final TestKey RSA_B = TestKey.rsa(2048);
  private static final TestKey RSA_C = TestKey.rsa(2048);
  private static final TestKey RSA_D = TestKey.rsa(2048);

  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();

  @AfterEach
  void stop() {
    issuer.close();
  }

  /** Over HTTP; fetches run on the calling thread, so a background refresh has finished when verify returns. */
  private AccessTokenVerifier verifier(Algorithm... algorithms) {
    AccessTokenVerifier.Builder builder = issuer.httpVerifierBuilder();
    builder.keyFetchExecutor(Runnable::run);
    if (algorithms.length > 0) {
      builder.algorithms(algorithms);
    }
    return builder.build();
  }

  @Test
  void theIssuersOnlyKeyListedTwiceVerifies() {
    issuer.unpublishKey(issuer.currentKeyId());
    issuer.publishKey(RSA_A);
    issuer.publishKey(RSA_A); // {"keys":[K, K]}
    AccessTokenVerifier verifier = verifier();

    assertThat(verifier.verify(issuer.accessToken().signedWith(RSA_A).sign()).subject()).isNotBlank();
    // Identical keys count once, also for a token without kid.
    assertThat(verifier.verify(issuer.accessToken().signedWith(RSA_A).withoutKeyId().sign()).subject()).isNotBlank();
    assertThat(verifier.keySourceHealth().get(0).keyIds()).containsExactly(RSA_A.keyId());
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void anRsaAndAnEcKeyUnderOneKidEachVerifyTheirOwnAlgorithm() {
    TestKey rsa = issuer.publishKey(RSA_A.withKeyId("shared"));
    TestKey ec = issuer.publishKey(TestKey.ecP256().withKeyId("shared"));
    AccessTokenVerifier verifier = verifier(Algorithm.RS256, Algorithm.ES256);

    assertThat(verifier.verify(issuer.accessToken().signedWith(rsa).sign()).subject()).isNotBlank();
    assertThat(verifier.verify(issuer.accessToken().signedWith(ec).sign()).subject()).isNotBlank();
    // The EC key does not verify an RS256 token signed by another RSA key, nor the reverse.
    assertRejected(() -> verifier.verify(issuer.accessToken().signedWith(RSA_B.withKeyId("shared")).sign()), Reason.BAD_SIGNATURE);
    assertRejected(() -> verifier.verify(issuer.accessToken().signedWith(TestKey.ecP256().withKeyId("shared")).sign()),
        Reason.BAD_SIGNATURE);
    // A known kid is not a miss: no refetch. An unknown one still gets its refetch.
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
    assertRejected(() -> verifier.verify(issuer.accessToken().signedWithUnknownKey().sign()), Reason.UNKNOWN_KEY);
    assertThat(issuer.jwksRequestCount()).isEqualTo(2);
  }

  @Test
  void aKidWhoseKeysAllHaveAnotherTypeIsRefusedWithoutARefetch() {
    issuer.publishKey(TestKey.ecP256().withKeyId("ec-only"));
    AccessTokenVerifier verifier = verifier(Algorithm.RS256, Algorithm.ES256);
    verifier.warmUp();

    TokenVerificationException e = assertThrows(() -> verifier.verify(issuer.accessToken().signedWith(RSA_A.withKeyId("ec-only")).sign()));

    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY);
    assertThat(e.getMessage()).contains("kid \"ec-only\" names no key usable with RS256");
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void oneKeyListedOncePerAlgorithmVerifiesBoth() {
    issuer.publishKey(RSA_A.withKeyId("per-alg").withAlgorithm("RS256"));
    issuer.publishKey(RSA_A.withKeyId("per-alg").withAlgorithm("PS256"));
    TestKey key = RSA_A.withKeyId("per-alg");
    AccessTokenVerifier verifier = verifier(Algorithm.RS256, Algorithm.PS256);

    assertThat(verifier.verify(issuer.accessToken().signedWith(key).sign()).subject()).isNotBlank();
    assertThat(verifier.verify(issuer.accessToken().signedWith(key).header("alg", "PS256").sign()).subject()).isNotBlank();
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void twoDifferentKeysUnderOneKidEachVerifyWhatTheySigned() {
    TestKey first = issuer.publishKey(RSA_A.withKeyId("shared"));
    TestKey second = issuer.publishKey(RSA_B.withKeyId("shared"));
    AccessTokenVerifier verifier = verifier();

    assertThat(verifier.verify(issuer.accessToken().signedWith(first).sign()).subject()).isNotBlank();
    assertThat(verifier.verify(issuer.accessToken().signedWith(second).sign()).subject()).isNotBlank();

    TokenVerificationException tampered = assertThrows(() -> verifier.verify(issuer.accessToken().signedWith(second).tamperedSignature().sign()));
    assertThat(tampered.reason()).isEqualTo(Reason.BAD_SIGNATURE);
    assertThat(tampered.getMessage()).contains("any of the 2 different keys with kid \"shared\"");
    // A key the issuer never published gains nothing from the shared kid.
    assertRejected(() -> verifier.verify(issuer.accessToken().signedWith(RSA_C.withKeyId("shared")).sign()), Reason.BAD_SIGNATURE);
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void threeDifferentKeysUnderOneKidAreTriedButFourAreRefused() {
    TestKey[] keys = {RSA_A.withKeyId("crowded"), RSA_B.withKeyId("crowded"), RSA_C.withKeyId("crowded")};
    for (TestKey key : keys) {
      issuer.publishKey(key);
    }
    issuer.publishKey(RSA_A.withKeyId("crowded")); // a repeat of the first: still three different keys
    AccessTokenVerifier verifier = verifier();
    for (TestKey key : keys) {
      assertThat(verifier.verify(issuer.accessToken().signedWith(key).sign()).subject()).isNotBlank();
    }

    try (FakeIssuer four = FakeIssuer.builder().clock(clock).start()) {
      for (TestKey key : keys) {
        four.publishKey(key);
      }
      four.publishKey(RSA_D.withKeyId("crowded"));
      AccessTokenVerifier.Builder builder = four.httpVerifierBuilder();
      builder.keyFetchExecutor(Runnable::run);
      AccessTokenVerifier crowded = builder.build();

      TokenVerificationException[] refused = new TokenVerificationException[1];
      String log = LogCapture.captureStandardError(
          () -> refused[0] = assertThrows(() -> crowded.verify(four.accessToken().signedWith(keys[0]).sign())));
      TokenVerificationException e = refused[0];
      assertThat(log).contains("WARN dev.tokenguard.KeySet - JWKS kid \"crowded\" matches 4 different keys usable with RS256");

      assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY);
      assertThat(e.getMessage()).contains("kid \"crowded\" matches 4 different keys usable with RS256");
      assertThat(four.jwksRequestCount()).isEqualTo(1); // the kid is known: no refetch
      assertThat(crowded.verify(four.accessToken().sign()).subject()).isNotBlank(); // other kids are unaffected
    }
  }

  @Test
  void aCachedTokenIsRefusedOnceItsKidNamesTooManyKeys() {
    TestKey[] keys = {RSA_A.withKeyId("crowded"), RSA_B.withKeyId("crowded"), RSA_C.withKeyId("crowded")};
    for (TestKey key : keys) {
      issuer.publishKey(key);
    }
    AccessTokenVerifier verifier = verifier();
    String token = issuer.accessToken().signedWith(keys[2]).expiresIn(Duration.ofDays(2)).sign();
    verifier.verify(token); // now in the verified-token cache

    issuer.publishKey(RSA_D.withKeyId("crowded"));
    clock.advance(Duration.ofMinutes(11)); // past the lifetime: this request starts the refresh
    assertThat(verifier.verify(token)).isNotNull();
    assertThat(issuer.jwksRequestCount()).isEqualTo(2);

    // The cache never changes an outcome: a fresh verification would refuse the token now.
    assertRejected(() -> verifier.verify(token), Reason.UNKNOWN_KEY);
  }

  @Test
  void aTokenWithoutKidNeedsExactlyOneDifferentKeyForItsAlgorithm() {
    issuer.unpublishKey(issuer.currentKeyId());
    issuer.publishKey(RSA_A.withKeyId("one"));
    issuer.publishKey(RSA_A.withKeyId("two")); // the same key under another kid
    issuer.publishKey(TestKey.ecP256());
    AccessTokenVerifier verifier = verifier(Algorithm.RS256, Algorithm.ES256);
    assertThat(verifier.verify(issuer.accessToken().signedWith(RSA_A).withoutKeyId().sign()).subject()).isNotBlank();

    issuer.publishKey(RSA_B);
    verifier.invalidateKeys();
    TokenVerificationException e = assertThrows(() -> verifier.verify(issuer.accessToken().signedWith(RSA_A).withoutKeyId().sign()));
    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY);
    assertThat(e.getMessage()).contains("the token has no kid and the issuer publishes 2 different RS256 keys");
  }

  private static TokenVerificationException assertThrows(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    TokenVerificationException[] caught = new TokenVerificationException[1];
    assertThatThrownBy(call).isInstanceOfSatisfying(TokenVerificationException.class, e -> caught[0] = e);
    return caught[0];
  }
}
