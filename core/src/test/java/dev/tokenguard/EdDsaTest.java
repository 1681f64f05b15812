package dev.tokenguard;

import static dev.tokenguard.AttackTokens.reasonFor;
import static dev.tokenguard.TokenVerificationException.Reason.BAD_SIGNATURE;
import static dev.tokenguard.TokenVerificationException.Reason.UNKNOWN_KEY;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_ALGORITHM;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestKey;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * EdDSA with Ed25519 keys (RFC 8037; the {@code Ed25519} name of RFC 9864): opt-in like every
 * algorithm but RS256, verified with the JDK's own Ed25519, keys of {@code kty} {@code OKP} and
 * {@code crv} {@code Ed25519} only. On an Ed25519 key {@code EdDSA} and {@code Ed25519} name the
 * same signature, so a key restricted to either verifies tokens carrying either, each name still
 * having to be on the verifier's allow-list.
 */
class EdDsaTest {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final FakeIssuer issuer = FakeIssuer.start();

  @AfterEach
  void stop() {
    issuer.close();
  }

  private AccessTokenVerifier overHttp(Algorithm... algorithms) {
    AccessTokenVerifier.Builder builder = issuer.httpVerifierBuilder().algorithms(algorithms);
    builder.keyFetchExecutor(Runnable::run);
    return builder.build();
  }

  @Test
  void verifiesAnEdDsaTokenWithAKeyFromTheJwksOverHttp() {
    TestKey key = issuer.publishKey(TestKey.ed25519());
    AccessTokenVerifier verifier = overHttp(Algorithm.RS256, Algorithm.EdDSA);

    AccessToken token = verifier.verify(issuer.accessToken().signedWith(key).scopes("read:patients").sign(), "read:patients");

    assertThat(token.subject()).isNotBlank();
    assertThat(verifier.verify(issuer.accessToken().sign()).subject()).isNotBlank(); // RS256 still works
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void verifiesAnEd25519TokenWithAKeyPublishedForEd25519() {
    TestKey key = issuer.publishKey(TestKey.ed25519().withAlgorithm("Ed25519"));
    AccessTokenVerifier verifier = overHttp(Algorithm.Ed25519);

    String token = issuer.accessToken().signedWith(key).sign();

    assertThat(header(token)).contains("\"alg\":\"Ed25519\"");
    assertThat(verifier.verify(token).subject()).isNotBlank();
  }

  /** The key's own alg (or none) and the token's alg, on the one Ed25519 key. */
  @ParameterizedTest
  @CsvSource({"EdDSA,EdDSA", "EdDSA,Ed25519", "Ed25519,EdDSA", "Ed25519,Ed25519", ",EdDSA", ",Ed25519"})
  void eitherNameOnTheKeyVerifiesEitherNameOnTheToken(String keyAlg, String tokenAlg) {
    TestKey key = issuer.publishKey(TestKey.ed25519().withAlgorithm(keyAlg));
    AccessTokenVerifier verifier = issuer.verifierBuilder().algorithms(Algorithm.EdDSA, Algorithm.Ed25519).build();

    String token = issuer.accessToken().signedWith(key).header("alg", tokenAlg).sign();

    assertThat(verifier.verify(token).subject()).isNotBlank();
  }

  @Test
  void neverInTheDefaultAllowListAndEachNameMustBeAllowedItself() {
    TestKey key = issuer.publishKey(TestKey.ed25519().withAlgorithm(null));
    String edDsa = issuer.accessToken().signedWith(key).sign();
    String ed25519 = issuer.accessToken().signedWith(key).header("alg", "Ed25519").sign();

    AccessTokenVerifier byDefault = issuer.verifierBuilder().build();
    assertThat(reasonFor(byDefault, edDsa)).isEqualTo(UNSUPPORTED_ALGORITHM);
    assertThat(reasonFor(byDefault, ed25519)).isEqualTo(UNSUPPORTED_ALGORITHM);
    assertThat(reasonFor(issuer.verifierBuilder().algorithms(Algorithm.EdDSA).build(), ed25519)).isEqualTo(UNSUPPORTED_ALGORITHM);
    assertThat(reasonFor(issuer.verifierBuilder().algorithms(Algorithm.Ed25519).build(), edDsa)).isEqualTo(UNSUPPORTED_ALGORITHM);
  }

  @Test
  void refusesOkpKeysOnOtherCurves() {
    TestKey signer = TestKey.ed25519();
    String jwks = "{\"keys\":[" + okp("X25519", "same-kid", 32) + "," + okp("Ed448", "same-kid", 57) + ","
        + okp("Ed25519", "short-x", 31) + "," + issuer.jwks().substring("{\"keys\":[".length());
    AccessTokenVerifier[] built = new AccessTokenVerifier[1];
    String log = LogCapture.captureStandardError(
        () -> built[0] = issuer.verifierBuilder().algorithms(Algorithm.EdDSA, Algorithm.Ed25519).jwks(jwks).build());
    AccessTokenVerifier verifier = built[0];

    assertThat(reasonFor(verifier, issuer.accessToken().signedWith(signer).keyId("same-kid").sign())).isEqualTo(UNKNOWN_KEY);
    assertThat(reasonFor(verifier, issuer.accessToken().signedWith(signer).keyId("short-x").sign())).isEqualTo(UNKNOWN_KEY);
    // An X25519 key is an issuer's key-agreement key (like use enc): no warning. An Ed448 signing
    // key and a broken key are worth one.
    assertThat(log).doesNotContain("X25519");
    assertThat(log).contains("kid=\"same-kid\": OKP curve Ed448 is not Ed25519");
    assertThat(log).contains("kid=\"short-x\": its Ed25519 public key x is invalid");
  }

  @Test
  void refusesAlgorithmConfusionBetweenKeyTypes() {
    TestKey ed = issuer.publishKey(TestKey.ed25519().withAlgorithm(null));
    TestKey ec = issuer.publishKey(TestKey.ecP256().withAlgorithm(null));
    issuer.publishKey(TestKey.ecP256().withKeyId("ec-claiming-eddsa").withAlgorithm("EdDSA"));
    AccessTokenVerifier verifier = issuer.verifierBuilder().algorithms(Algorithm.values()).build();
    assertThat(verifier.verify(issuer.accessToken().signedWith(ed).sign()).subject()).isNotBlank();

    // An EdDSA token whose kid names the issuer's RSA key (signed with the Ed25519 key, or with
    // the RSA key itself), and the reverse.
    assertThat(reasonFor(verifier, issuer.accessToken().signedWith(ed).keyId(issuer.currentKeyId()).sign())).isEqualTo(UNKNOWN_KEY);
    assertThat(reasonFor(verifier, issuer.accessToken().header("alg", "EdDSA").sign())).isEqualTo(UNKNOWN_KEY);
    assertThat(reasonFor(verifier, issuer.accessToken().keyId(ed.keyId()).sign())).isEqualTo(UNKNOWN_KEY);
    // ES256 against the Ed25519 key and the reverse.
    assertThat(reasonFor(verifier, issuer.accessToken().signedWith(ec).keyId(ed.keyId()).sign())).isEqualTo(UNKNOWN_KEY);
    assertThat(reasonFor(verifier, issuer.accessToken().signedWith(ed).keyId(ec.keyId()).sign())).isEqualTo(UNKNOWN_KEY);
    // An EC key cannot claim an EdDSA alg: it is refused.
    assertThat(reasonFor(verifier, issuer.accessToken().signedWith(ed).keyId("ec-claiming-eddsa").sign())).isEqualTo(UNKNOWN_KEY);
  }

  @Test
  void refusesATamperedOrPaddedSignature() {
    TestKey key = issuer.publishKey(TestKey.ed25519());
    AccessTokenVerifier verifier = issuer.verifierBuilder().algorithms(Algorithm.EdDSA).build();
    String token = issuer.accessToken().signedWith(key).sign();
    assertThat(verifier.verify(token).subject()).isNotBlank();

    assertThat(reasonFor(verifier, issuer.accessToken().signedWith(key).tamperedSignature().sign())).isEqualTo(BAD_SIGNATURE);
    // JDK 17 trims trailing zero bytes off a too-long Ed25519 signature and accepts it (JDK-8285389).
    int dot = token.lastIndexOf('.');
    byte[] signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    String padded = token.substring(0, dot + 1) + B64.encodeToString(Arrays.copyOf(signature, signature.length + 1));
    assertThat(reasonFor(verifier, padded)).isEqualTo(BAD_SIGNATURE);
    String truncated = token.substring(0, dot + 1) + B64.encodeToString(Arrays.copyOf(signature, signature.length - 1));
    assertThat(reasonFor(verifier, truncated)).isEqualTo(BAD_SIGNATURE);
  }

  @Test
  void refusesAnOkpKeyThatPublishesItsPrivatePart() {
    TestKey leaked = TestKey.ed25519().withPrivatePartsPublished();
    issuer.publishKey(leaked);
    AccessTokenVerifier verifier = issuer.verifierBuilder().algorithms(Algorithm.EdDSA).build();

    assertThat(reasonFor(verifier, issuer.accessToken().signedWith(leaked).sign())).isEqualTo(UNKNOWN_KEY);
  }

  @Test
  void usesTheSignatureProviderWhenItOffersEd25519AndTheJdkOtherwise() {
    TestKey key = issuer.publishKey(TestKey.ed25519());
    String token = issuer.accessToken().signedWith(key).sign();
    VerifiedTokenCacheTest.CountingProvider withoutEd25519 = new VerifiedTokenCacheTest.CountingProvider();

    assertThat(issuer.verifierBuilder().algorithms(Algorithm.EdDSA).signatureProvider(withoutEd25519).build()
        .verify(token).subject()).isNotBlank();
    assertThat(issuer.verifierBuilder().algorithms(Algorithm.EdDSA).signatureProvider(Security.getProvider("SunEC")).build()
        .verify(token).subject()).isNotBlank();
  }

  private static String okp(String curve, String kid, int xBytes) {
    byte[] x = new byte[xBytes];
    new SecureRandom().nextBytes(x);
    return "{\"kty\":\"OKP\",\"crv\":\"" + curve + "\",\"kid\":\"" + kid + "\",\"x\":\"" + B64.encodeToString(x) + "\"}";
  }

  private static String header(String token) {
    return new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), java.nio.charset.StandardCharsets.UTF_8);
  }
}
