package dev.tokenguard.interop.conformance;

import static dev.tokenguard.interop.conformance.CatalogIssuer.SUBJECT;
import static dev.tokenguard.interop.conformance.CatalogIssuer.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.TestKey;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The catalog's {@code sdk-verifier.jwks} cases: how the verifier picks a key from the issuer's
 * JWKS, fetched over HTTP from a {@link dev.tokenguard.testing.FakeIssuer} that counts the
 * requests ({@link CatalogIssuer}: ES256 only, fetches on the calling thread, time standing
 * still). The catalog's {@code jwks_cache.get_key_by_kid} has no public counterpart: the stimulus
 * is a token with that {@code kid} and {@code alg} through {@link AccessTokenVerifier#verify(String)}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JwksConformanceTest {
  private final CatalogIssuer as = new CatalogIssuer();

  @AfterEach
  void stop() {
    as.close();
  }

  /**
   * Row {@code key_appears_after_refresh}. The initial JWKS lacks the token's key: TokenGuard treats
   * a JWKS with no usable key at all (the catalog's literal {@code []}) as a failed fetch, not as a
   * key set, so "initially missing" is a JWKS that holds the issuer's other keys but not {@code k1}.
   * The key is published after the verifier loaded the keys; the token's unknown {@code kid} causes
   * exactly one refetch, which finds it.
   */
  @Test
  @ConformanceCase("rfc8725-kid-must-resolve-through-jwks-with-single-refresh-on-miss")
  void aKidPublishedAfterTheKeysWereLoadedIsFoundByOneRefetch() {
    TestKey k1 = TestKey.ecP256().withKeyId("k1");
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      verifier.warmUp();
      assertThat(as.keys.jwksRequestCount()).isEqualTo(1);

      as.keys.publishKey(k1);
      assertThat(verifier.verify(as.token().signedWith(k1).sign()).subject()).isEqualTo(SUBJECT);

      assertThat(as.keys.jwksRequestCount()).isEqualTo(2);
    }
  }

  /**
   * Row {@code key_still_missing}: one refetch, then the token is refused; the same {@code kid}
   * again causes no further fetch (a flood of made-up kids cannot make the verifier hammer the
   * issuer).
   */
  @Test
  @ConformanceCase("rfc8725-kid-must-resolve-through-jwks-with-single-refresh-on-miss")
  void aKidStillMissingAfterTheRefetchIsRefusedWithoutFurtherFetches() {
    String token = as.token().signedWith(TestKey.ecP256().withKeyId("k1")).sign();
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      verifier.warmUp();
      assertThat(as.keys.jwksRequestCount()).isEqualTo(1);

      assertRefused(verifier, token, Reason.UNKNOWN_KEY, "no key with kid \"k1\"");
      assertThat(as.keys.jwksRequestCount()).isEqualTo(2);

      assertRefused(verifier, token, Reason.UNKNOWN_KEY, "no key with kid \"k1\"");
      assertThat(as.keys.jwksRequestCount()).isEqualTo(2);
    }
  }

  /**
   * The case's JWKS: three entries under {@code kid: k1}, each unfit for verifying ES256 ({@code
   * use: enc}; {@code key_ops: [sign]}; {@code alg: RS256} on an EC key), each alone and all three
   * together. All three carry the very P-256 key the token is signed with, so accepting any one of
   * them would verify the token: it is refused as {@code UNKNOWN_KEY} (no matching key).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"use enc", "key_ops sign", "alg RS256", "all three"})
  @ConformanceCase("rfc8725-jwk-selection-must-honor-use-key-ops-and-alg")
  void keysUnfitForVerifyingTheAlgorithmAreIgnored(String published) {
    TestKey k1 = TestKey.ecP256().withKeyId("k1");
    if (published.equals("use enc") || published.equals("all three")) {
      as.keys.publishKey(k1.withUse("enc").withAlgorithm("ES256"));
    }
    if (published.equals("key_ops sign") || published.equals("all three")) {
      as.keys.publishKey(k1.withUse(null).withKeyOps("sign").withAlgorithm("ES256"));
    }
    if (published.equals("alg RS256") || published.equals("all three")) {
      as.keys.publishKey(k1.withUse("sig").withKeyOps("verify").withAlgorithm("RS256"));
    }
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      assertRefused(verifier, as.token().signedWith(k1).sign(), Reason.UNKNOWN_KEY, "no key with kid \"k1\"");
    }
  }

  /** The control: the same key material published fit for ES256 verification does verify the token. */
  @Test
  @ConformanceCase("rfc8725-jwk-selection-must-honor-use-key-ops-and-alg")
  void theSameKeyPublishedForVerifyingTheAlgorithmIsUsed() {
    TestKey k1 = TestKey.ecP256().withKeyId("k1");
    as.keys.publishKey(k1.withUse("enc").withAlgorithm("ES256"));
    as.keys.publishKey(k1.withUse("sig").withKeyOps("verify").withAlgorithm("ES256"));
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      assertThat(verifier.verify(as.token().signedWith(k1).sign()).subject()).isEqualTo(SUBJECT);
    }
  }
}
