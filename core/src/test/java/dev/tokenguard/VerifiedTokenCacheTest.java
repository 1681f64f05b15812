package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The verified-token cache may change what a verification costs, never its outcome. A counting
 * signature provider shows whether a call was served from the cache (no signature checked) or
 * verified in full.
 */
class VerifiedTokenCacheTest {
  private final TestClock clock = TestClock.at(Instant.parse("2026-11-23T10:00:00Z"));
  private final CountingProvider counting = new CountingProvider();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();

  @AfterEach
  void stop() {
    issuer.close();
  }

  private AccessTokenVerifier.Builder fixedKeys() {
    return issuer.verifierBuilder().signatureProvider(counting);
  }

  @Test
  void servesARepeatedTokenFromTheCacheByDefault() {
    AccessTokenVerifier verifier = fixedKeys().build();
    String token = issuer.accessToken().scopes("read:patients").sign();

    AccessToken first = verifier.verify(token, "read:patients");
    AccessToken second = verifier.verify(token, "read:patients");

    assertThat(counting.verifications()).isEqualTo(1);
    assertThat(second).isSameAs(first);
  }

  @Test
  void verifiesEveryCallInFullWhenTheCacheIsOff() {
    AccessTokenVerifier verifier = fixedKeys().verifiedTokenCacheSize(0).build();
    String token = issuer.accessToken().sign();

    for (int i = 0; i < 3; i++) {
      verifier.verify(token);
    }

    assertThat(counting.verifications()).isEqualTo(3);
  }

  @Test
  void onlyTheExactSameTokenStringHits() {
    AccessTokenVerifier verifier = fixedKeys().build();
    String token = issuer.accessToken().sign();
    verifier.verify(token);

    char last = token.charAt(token.length() - 2);
    String otherSignature = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
    String other = issuer.accessToken().sign();
    String otherPayload = other.substring(0, other.lastIndexOf('.')) + token.substring(token.lastIndexOf('.'));

    assertThatThrownBy(() -> verifier.verify(otherSignature)).isInstanceOfSatisfying(TokenVerificationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    assertThatThrownBy(() -> verifier.verify(otherPayload)).isInstanceOfSatisfying(TokenVerificationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    assertThat(counting.verifications()).isEqualTo(3);
  }

  @Test
  void refusesACachedTokenOnceItExpiresOnTheVerifiersClock() {
    AccessTokenVerifier verifier = fixedKeys().clockSkew(Duration.ofSeconds(30)).build();
    String token = issuer.accessToken().expiresIn(Duration.ofMinutes(10)).sign();
    verifier.verify(token);

    clock.advance(Duration.ofMinutes(10).plusSeconds(29));
    verifier.verify(token);
    assertThat(counting.verifications()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(TokenVerificationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED));
    assertThat(counting.verifications()).isEqualTo(1);
  }

  @Test
  void refusesACachedTokenOnceItIsOlderThanTheMaximumTokenAge() {
    AccessTokenVerifier verifier = fixedKeys().clockSkew(Duration.ofSeconds(30)).maxTokenAge(Duration.ofMinutes(5)).build();
    String token = issuer.accessToken().expiresIn(Duration.ofHours(1)).sign();
    verifier.verify(token);

    clock.advance(Duration.ofMinutes(5).plusSeconds(30));
    verifier.verify(token);

    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(TokenVerificationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.TOO_OLD));
  }

  @Test
  void aClockThatStepsBackCannotServeACachedTokenBeforeItsNotBefore() {
    AccessTokenVerifier verifier = fixedKeys().build();
    String token = issuer.accessToken().notBefore(clock.instant().plusSeconds(30)).sign(); // within the 60 s skew
    verifier.verify(token);

    clock.advance(Duration.ofMinutes(-2)); // the host's clock is corrected backwards

    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(TokenVerificationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_YET_VALID));
    assertThat(counting.verifications()).isEqualTo(1); // refused by the cache hit itself
  }

  @Test
  void checksTheRequiredScopesOnEveryHit() {
    AccessTokenVerifier verifier = fixedKeys().build();
    String token = issuer.accessToken().scopes("read:patients").sign();
    verifier.verify(token, "read:patients");

    assertThatThrownBy(() -> verifier.verify(token, "write:patients")).isInstanceOfSatisfying(TokenVerificationException.class,
        e -> {
          assertThat(e.reason()).isEqualTo(Reason.INSUFFICIENT_SCOPE);
          assertThat(e.requiredScopes()).containsExactly("write:patients");
        });
    assertThat(verifier.verify(token, "read:patients").hasScope("read:patients")).isTrue();
    assertThat(counting.verifications()).isEqualTo(1);
  }

  @Test
  void stopsServingTokensSignedByAKeyARefreshRemoved() {
    AccessTokenVerifier verifier = httpKeys();
    String oldKid = issuer.currentKeyId();
    String token = issuer.accessToken().sign();
    verifier.verify(token);
    verifier.verify(token); // a hit: the entry remembers the key set it found its key in

    issuer.rotateKey();
    issuer.unpublishKey(oldKid);
    clock.advance(Duration.ofMinutes(3)); // past the key cache lifetime and the stale tolerance: the next call refetches

    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(TokenVerificationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
    assertThat(issuer.jwksRequestCount()).isGreaterThanOrEqualTo(2);
    verifier.verify(issuer.accessToken().sign());
  }

  @Test
  void neverServesATokenWithoutKidFromTheCacheOnceASecondKeyIsPublished() {
    AccessTokenVerifier verifier = httpKeys();
    String withoutKid = issuer.accessToken().withoutKeyId().sign();
    verifier.verify(withoutKid); // one key published: the token is verified by it

    issuer.rotateKey(); // the old key stays published next to the new one
    clock.advance(Duration.ofMinutes(3));

    assertThatThrownBy(() -> verifier.verify(withoutKid)).isInstanceOfSatisfying(TokenVerificationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
  }

  @Test
  void keepsServingTokensWhoseKeyARefreshKept() {
    AccessTokenVerifier verifier = httpKeys();
    String token = issuer.accessToken().sign();
    verifier.verify(token);

    issuer.rotateKey(); // the old key stays published next to the new one
    clock.advance(Duration.ofMinutes(3));

    verifier.verify(token);
    assertThat(issuer.jwksRequestCount()).isEqualTo(2);
    assertThat(counting.verifications()).isEqualTo(1);
  }

  @Test
  void stopsServingTokensWhenTheKeysAreInvalidated() {
    AccessTokenVerifier verifier = httpKeys();
    String oldKid = issuer.currentKeyId();
    String token = issuer.accessToken().sign();
    verifier.verify(token);

    issuer.rotateKey();
    issuer.unpublishKey(oldKid);
    verifier.invalidateKeys();

    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(TokenVerificationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
  }

  @Test
  void rejectedTokensNeverEnterTheCacheSoTheyCannotEvictGoodOnes() {
    AccessTokenVerifier verifier = fixedKeys().verifiedTokenCacheSize(1).build();
    String good = issuer.accessToken().sign();
    verifier.verify(good);
    List<String> attacks = List.of(
        issuer.accessToken().tamperedSignature().sign(),
        issuer.accessToken().signedWithUnknownKey().sign(),
        issuer.accessToken().audience("https://other.example.test").sign(),
        issuer.accessToken().expired().sign(),
        issuer.idToken().sign());

    for (int round = 0; round < 50; round++) {
      for (String attack : attacks) {
        assertThatThrownBy(() -> verifier.verify(attack)).isInstanceOf(TokenVerificationException.class);
      }
    }
    int before = counting.verifications();
    verifier.verify(good);

    assertThat(counting.verifications()).isEqualTo(before);
  }

  @Test
  void aRejectedTokenIsRejectedAgainInFull() {
    AccessTokenVerifier verifier = fixedKeys().build();
    String tampered = issuer.accessToken().tamperedSignature().sign();

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> verifier.verify(tampered)).isInstanceOfSatisfying(TokenVerificationException.class,
          e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    }
    assertThat(counting.verifications()).isEqualTo(3);
  }

  /** Verifies each token once more and answers how many of those calls the cache served (no signature checked). */
  private int hitsOnSecondPass(AccessTokenVerifier verifier, List<String> tokens) {
    int before = counting.verifications();
    for (String token : tokens) {
      verifier.verify(token);
    }
    return tokens.size() - (counting.verifications() - before);
  }

  @Test
  void holdsNoMoreTokensThanItsConfiguredSize() {
    AccessTokenVerifier verifier = fixedKeys().verifiedTokenCacheSize(5).build();
    List<String> tokens = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      tokens.add(issuer.accessToken().sign());
      verifier.verify(tokens.get(i));
    }

    // A second pass can only hit what the cache held after the first: at most its size.
    assertThat(hitsOnSecondPass(verifier, tokens)).isLessThanOrEqualTo(5);
  }

  @Test
  void aLargeTokenTakesTheRoomOfSeveralSmallOnes() {
    String padding = "x".repeat(9000); // about 12,000 characters once encoded: the room of 6 to 7 ordinary tokens
    AccessTokenVerifier alone = fixedKeys().verifiedTokenCacheSize(20).build();
    String large = issuer.accessToken().claim("padding", padding).sign();
    assertThat(hitsOnSecondPass(alone, List.of(large, large))).as("the second call of a large token is a hit").isOne();

    AccessTokenVerifier verifier = fixedKeys().verifiedTokenCacheSize(20).build();
    List<String> tokens = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      tokens.add(issuer.accessToken().claim("padding", padding).sign());
      verifier.verify(tokens.get(i));
    }
    assertThat(hitsOnSecondPass(verifier, tokens)).isLessThanOrEqualTo(3);
  }

  @Test
  void dropsExpiredTokensInsteadOfHoldingThemUntilEvicted() {
    DefaultAccessTokenVerifier verifier = (DefaultAccessTokenVerifier) fixedKeys().clockSkew(Duration.ofSeconds(30)).build();
    for (int i = 0; i < 5; i++) {
      verifier.verify(issuer.accessToken().expiresIn(Duration.ofMinutes(10)).sign());
    }
    assertThat(verifier.cachedTokenCount()).isEqualTo(5L);

    clock.advance(Duration.ofMinutes(11));

    assertThat(verifier.cachedTokenCount()).isZero();
  }

  private AccessTokenVerifier httpKeys() {
    AccessTokenVerifier verifier = issuer.httpVerifierBuilder()
        .signatureProvider(counting)
        .keyCacheLifetime(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(1))
        .staleKeyTolerance(Duration.ofMinutes(1))
        .build();
    verifier.warmUp();
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
    return verifier;
  }

  /** Offers SHA256withRSA from the JDK and counts the signatures it checks. */
  static final class CountingProvider extends Provider {
    private static final long serialVersionUID = 1L;
    private final transient AtomicInteger verifications = new AtomicInteger();

    CountingProvider() {
      super("Counting", "1", "counts SHA256withRSA verifications");
      putService(new Service(this, "Signature", "SHA256withRSA", CountingSignature.class.getName(), null, null) {
        @Override
        public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
          return new CountingSignature(Signature.getInstance("SHA256withRSA"), verifications);
        }
      });
    }

    int verifications() {
      return verifications.get();
    }
  }

  /** Delegates to a JDK {@link Signature}, counting calls to verify. */
  static final class CountingSignature extends SignatureSpi {
    private final Signature delegate;
    private final AtomicInteger verifications;

    CountingSignature(Signature delegate, AtomicInteger verifications) {
      this.delegate = delegate;
      this.verifications = verifications;
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
      delegate.initVerify(publicKey);
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) throws InvalidKeyException {
      delegate.initSign(privateKey);
    }

    @Override
    protected void engineUpdate(byte b) throws SignatureException {
      delegate.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
      delegate.update(b, off, len);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
      return delegate.sign();
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
      verifications.incrementAndGet();
      return delegate.verify(sigBytes);
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
      throw new InvalidParameterException("no parameters");
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      throw new InvalidParameterException("no parameters");
    }
  }
}
