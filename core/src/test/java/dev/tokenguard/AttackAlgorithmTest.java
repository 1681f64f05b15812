package dev.tokenguard;

import static dev.tokenguard.AttackTokens.HEADER;
import static dev.tokenguard.AttackTokens.b64;
import static dev.tokenguard.AttackTokens.payload;
import static dev.tokenguard.AttackTokens.reasonFor;
import static dev.tokenguard.TokenVerificationException.Reason.BAD_SIGNATURE;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_A_JWS;
import static dev.tokenguard.TokenVerificationException.Reason.UNKNOWN_KEY;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_ALGORITHM;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_HEADER;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestKey;
import java.math.BigInteger;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Signature and algorithm attacks (SECURITY-RULES ), each through the public API
 * with the precise rejection reason. Tokens are minted at run time.
 */
class AttackAlgorithmTest {
  private static final AttackTokens T = AttackTokens.create();
  private static final AccessTokenVerifier VERIFIER = T.verifierBuilder().build();
  private static final FakeIssuer ISSUER = FakeIssuer.start();
  private static final AccessTokenVerifier ISSUER_VERIFIER = ISSUER.verifierBuilder().build();

  /** Extra keys this test published on the shared issuer; removed after each test. */
  private final List<String> published = new ArrayList<>();

  @AfterAll
  static void stop() {
    ISSUER.close();
  }

  @AfterEach
  void unpublishExtraKeys() {
    published.forEach(ISSUER::unpublishKey);
  }

  private TestKey publish(TestKey key) {
    published.add(key.keyId());
    return ISSUER.publishKey(key);
  }

  @Test
  void controlAValidTokenIsAccepted() {
    assertThat(VERIFIER.verify(T.sign(HEADER, payload())).subject()).isEqualTo("user-1");
    assertThat(ISSUER_VERIFIER.verify(ISSUER.accessToken().sign()).issuer()).isEqualTo(ISSUER.issuer());
  }

  //
  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE", "NoNe"})
  void rejectsAlgNoneInAnyLetterCase(String none) {
    String unsecured = b64("{\"alg\":\"" + none + "\",\"typ\":\"JWT\"}") + "." + b64(payload()) + ".";
    assertThat(reasonFor(VERIFIER, unsecured)).isEqualTo(UNSUPPORTED_ALGORITHM);
    String withSignature = unsecured + b64(new byte[32]);
    assertThat(reasonFor(VERIFIER, withSignature)).isEqualTo(UNSUPPORTED_ALGORITHM);
  }

  @Test
  void rejectsTheFixturesAlgNoneToken() {
    assertThat(reasonFor(ISSUER_VERIFIER, ISSUER.accessToken().algNone().sign())).isEqualTo(UNSUPPORTED_ALGORITHM);
  }

  //
  @Test
  void rejectsAStrippedSignature() {
    String token = T.sign(HEADER, payload());
    String withoutSignature = token.substring(0, token.lastIndexOf('.') + 1);
    assertThat(reasonFor(VERIFIER, withoutSignature)).isEqualTo(MALFORMED);
    assertThat(reasonFor(VERIFIER, withoutSignature.substring(0, withoutSignature.length() - 1))).isEqualTo(MALFORMED);
  }

  //
  @ParameterizedTest
  @ValueSource(strings = {"AA", "AAAA", "_w"})
  void rejectsAGarbageOrTruncatedSignature(String signature) {
    String token = T.sign(HEADER, payload());
    assertThat(reasonFor(VERIFIER, token.substring(0, token.lastIndexOf('.') + 1) + signature)).isEqualTo(BAD_SIGNATURE);
  }

  @Test
  void rejectsASignatureOfTheRightLengthWithOneBitFlipped() {
    assertThat(reasonFor(ISSUER_VERIFIER, ISSUER.accessToken().tamperedSignature().sign())).isEqualTo(BAD_SIGNATURE);
  }

  @Test
  void rejectsAnAllZeroRsaSignature() {
    String token = b64(HEADER) + "." + b64(payload()) + "." + b64(new byte[256]);
    assertThat(reasonFor(VERIFIER, token)).isEqualTo(BAD_SIGNATURE);
  }

  //
  @Test
  void rejectsAPayloadSwappedUnderAValidSignature() {
    String genuine = T.sign(HEADER, payload());
    String[] parts = genuine.split("\\.");
    String swapped = parts[0] + "." + b64(payload("sub", "\"admin\"", "scope", "\"admin\"")) + "." + parts[2];
    assertThat(reasonFor(VERIFIER, swapped)).isEqualTo(BAD_SIGNATURE);
  }

  //
  @Test
  void rejectsHs256SignedWithThePublicKeyPem() {
    assertThat(reasonFor(ISSUER_VERIFIER, ISSUER.accessToken().hs256WithPublicKey().sign())).isEqualTo(UNSUPPORTED_ALGORITHM);
    String pem = pem(T.key);
    String header = "{\"alg\":\"HS256\",\"kid\":\"" + AttackTokens.KID + "\"}";
    assertThat(reasonFor(VERIFIER, AttackTokens.hs256(header, payload(), pem.getBytes(US_ASCII)))).isEqualTo(UNSUPPORTED_ALGORITHM);
    assertThat(reasonFor(VERIFIER, AttackTokens.hs256(header, payload(), pem.strip().getBytes(US_ASCII)))).isEqualTo(UNSUPPORTED_ALGORITHM);
  }

  //
  @Test
  void rejectsHs256SignedWithThePublicKeyJwk() {
    String header = "{\"alg\":\"HS256\",\"kid\":\"" + AttackTokens.KID + "\"}";
    for (String jwk : List.of(T.key.toPublicJWK().toJSONString(), T.jwks())) {
      assertThat(reasonFor(VERIFIER, AttackTokens.hs256(header, payload(), jwk.getBytes(UTF_8)))).isEqualTo(UNSUPPORTED_ALGORITHM);
    }
  }

  @Test
  void rejectsHs256SignedWithThePublicKeyInOtherEncodings() throws JOSEException {
    String header = "{\"alg\":\"HS256\",\"kid\":\"" + AttackTokens.KID + "\"}";
    List<byte[]> secrets = List.of(
        T.key.toRSAPublicKey().getEncoded(),
        T.key.getModulus().decode(),
        T.key.getModulus().toString().getBytes(UTF_8));
    for (byte[] secret : secrets) {
      assertThat(reasonFor(VERIFIER, AttackTokens.hs256(header, payload(), secret))).isEqualTo(UNSUPPORTED_ALGORITHM);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"HS256", "HS384", "HS512"})
  void rejectsEveryHmacAlgorithmEvenWithAnEmptyKey(String alg) {
    String header = "{\"alg\":\"" + alg + "\",\"kid\":\"" + AttackTokens.KID + "\"}";
    assertThat(reasonFor(VERIFIER, AttackTokens.hs256(header, payload(), new byte[1]))).isEqualTo(UNSUPPORTED_ALGORITHM);
  }

  //
  @Test
  void rejectsEs256SignatureWithRAndSZeroWhenEs256IsEnabled() {
    TestKey ec = publish(TestKey.ecP256());
    AccessTokenVerifier verifier = ISSUER.verifierBuilder().algorithms(Algorithm.RS256, Algorithm.ES256).build();
    String genuine = ISSUER.accessToken().signedWith(ec).sign();
    assertThat(verifier.verify(genuine).subject()).isNotEmpty();
    String psychic = genuine.substring(0, genuine.lastIndexOf('.') + 1) + b64(new byte[64]);
    assertThat(reasonFor(verifier, psychic)).isEqualTo(BAD_SIGNATURE);
    // r = s = n (the group order) is as invalid as zero.
    byte[] n = unsigned(new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16), 32);
    byte[] rs = new byte[64];
    System.arraycopy(n, 0, rs, 0, 32);
    System.arraycopy(n, 0, rs, 32, 32);
    assertThat(reasonFor(verifier, genuine.substring(0, genuine.lastIndexOf('.') + 1) + b64(rs))).isEqualTo(BAD_SIGNATURE);
  }

  //
  @Test
  void rejectsAnEs256SignatureTranscodedToDer() throws JOSEException {
    TestKey ec = publish(TestKey.ecP256());
    AccessTokenVerifier verifier = ISSUER.verifierBuilder().algorithms(Algorithm.ES256).build();
    String genuine = ISSUER.accessToken().signedWith(ec).sign();
    byte[] p1363 = new Base64URL(genuine.substring(genuine.lastIndexOf('.') + 1)).decode();
    byte[] der = ECDSA.transcodeSignatureToDER(p1363);
    assertThat(reasonFor(verifier, genuine.substring(0, genuine.lastIndexOf('.') + 1) + b64(der))).isEqualTo(BAD_SIGNATURE);
  }

  //
  @Test
  void rejectsATokenSignedWithAPublished1024BitKey() {
    RSAKey weak = AttackTokens.rsa(1024, "weak-1024");
    String jwks = "{\"keys\":[" + T.key.toPublicJWK().toJSONString() + "," + weak.toPublicJWK().toJSONString() + "]}";
    AccessTokenVerifier verifier = T.verifierBuilder().jwks(jwks).build();
    String header = "{\"alg\":\"RS256\",\"kid\":\"weak-1024\"}";
    assertThat(reasonFor(verifier, AttackTokens.sign(weak, header.getBytes(UTF_8), payload().getBytes(UTF_8)))).isEqualTo(UNKNOWN_KEY);
    // The same verifier still accepts the strong key's tokens.
    assertThat(verifier.verify(T.sign(HEADER, payload())).subject()).isEqualTo("user-1");
    // And through the fixture: a 1024-bit TestKey published next to the issuer's own key.
    TestKey fixtureWeak = publish(TestKey.rsa(1024));
    assertThat(reasonFor(ISSUER.verifierBuilder().build(), ISSUER.accessToken().signedWith(fixtureWeak).sign())).isEqualTo(UNKNOWN_KEY);
  }

  //
  @Test
  void rejectsATokenSignedWithAKeyPublishedForEncryption() {
    TestKey enc = publish(TestKey.rsa(2048).withUse("enc"));
    AccessTokenVerifier verifier = ISSUER.verifierBuilder().build();
    assertThat(reasonFor(verifier, ISSUER.accessToken().signedWith(enc).sign())).isEqualTo(UNKNOWN_KEY);
  }

  //
  @ParameterizedTest
  @ValueSource(strings = {"encrypt", "sign", "wrapKey"})
  void rejectsATokenSignedWithAKeyWhoseKeyOpsLackVerify(String op) {
    TestKey key = publish(TestKey.rsa(2048).withUse(null).withKeyOps(op));
    AccessTokenVerifier verifier = ISSUER.verifierBuilder().build();
    assertThat(reasonFor(verifier, ISSUER.accessToken().signedWith(key).sign())).isEqualTo(UNKNOWN_KEY);
  }

  //
  @Test
  void rejectsAnRs256TokenWhoseKeyIsRestrictedToPs256() {
    TestKey ps = publish(TestKey.rsa(2048).withAlgorithm("PS256"));
    AccessTokenVerifier verifier = ISSUER.verifierBuilder().algorithms(Algorithm.RS256, Algorithm.PS256).build();
    assertThat(reasonFor(verifier, ISSUER.accessToken().signedWith(ps).header("alg", "RS256").sign())).isEqualTo(UNKNOWN_KEY);
  }

  @Test
  void rejectsAnRs256TokenWhoseKidNamesAnEcKey() throws ParseException {
    TestKey ec = publish(TestKey.ecP256());
    AccessTokenVerifier verifier = ISSUER.verifierBuilder().algorithms(Algorithm.RS256, Algorithm.ES256).build();
    // RS256 header, kid of the EC key, RSA signature by an attacker key.
    RSAKey attacker = AttackTokens.rsa(2048, "attacker");
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + ec.keyId() + "\"}";
    byte[] claims = decode(ISSUER.accessToken().sign().split("\\.")[1]);
    String token = AttackTokens.sign(attacker, header.getBytes(UTF_8), claims);
    assertThat(reasonFor(verifier, token)).isEqualTo(UNKNOWN_KEY);
    assertThat(JWKSet.parse(ISSUER.jwks()).getKeyByKeyId(ec.keyId())).isNotNull();
  }

  //
  @Test
  void rejectsAJweEncryptedToThePublicSigningKey() throws Exception {
    JWEObject jwe = new JWEObject(
        new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM).keyID(AttackTokens.KID).build(),
        new Payload(payload()));
    jwe.encrypt(new RSAEncrypter(T.key.toRSAPublicKey()));
    assertThat(reasonFor(VERIFIER, jwe.serialize())).isEqualTo(NOT_A_JWS);
  }

  @Test
  void rejectsAJweHeaderInACompactJws() {
    String header = "{\"alg\":\"RS256\",\"enc\":\"A256GCM\",\"kid\":\"" + AttackTokens.KID + "\"}";
    assertThat(reasonFor(VERIFIER, T.sign(header, payload()))).isEqualTo(NOT_A_JWS);
  }

  //
  @Test
  void rejectsANestedJwtWithCtyJwt() {
    String inner = T.sign(HEADER, payload());
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"cty\":\"JWT\"}";
    assertThat(reasonFor(VERIFIER, T.sign(header, inner))).isEqualTo(UNSUPPORTED_HEADER);
    // Without cty the payload is not a JSON object.
    assertThat(reasonFor(VERIFIER, T.sign(HEADER, inner))).isEqualTo(MALFORMED);
  }

  //
  @ParameterizedTest
  @ValueSource(strings = {"\"crit\":[\"foo\"],\"foo\":1", "\"crit\":[\"foo\"]", "\"crit\":[\"exp\"]", "\"crit\":[]", "\"crit\":\"foo\"",
      "\"crit\":[\"b64\"],\"b64\":true"})
  void rejectsAnyCritHeaderIncludingAnEmptyOne(String crit) {
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\"," + crit + "}";
    assertThat(reasonFor(VERIFIER, T.sign(header, payload()))).isEqualTo(UNSUPPORTED_HEADER);
  }

  //
  @Test
  void rejectsB64FalseWithAndWithoutCrit() {
    String claims = payload();
    String withCrit = b64("{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"b64\":false,\"crit\":[\"b64\"]}");
    // RFC 7797: the payload is not encoded; in compact form it must not contain '.', so encode it anyway to reach the header check.
    assertThat(reasonFor(VERIFIER, withCrit + "." + b64(claims) + "." + b64(new byte[256]))).isEqualTo(UNSUPPORTED_HEADER);
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"b64\":false}";
    assertThat(reasonFor(VERIFIER, T.sign(header, claims))).isEqualTo(UNSUPPORTED_HEADER);
  }

  //
  @Test
  void rejectsTheJsonSerialization() {
    String[] parts = T.sign(HEADER, payload()).split("\\.");
    String flattened = "{\"payload\":\"" + parts[1] + "\",\"protected\":\"" + parts[0] + "\",\"signature\":\"" + parts[2] + "\"}";
    assertThat(reasonFor(VERIFIER, flattened)).isEqualTo(MALFORMED);
    String general = "{\"payload\":\"" + parts[1] + "\",\"signatures\":[{\"protected\":\"" + parts[0] + "\",\"signature\":\"" + parts[2] + "\"}]}";
    assertThat(reasonFor(VERIFIER, general)).isEqualTo(MALFORMED);
  }

  // A-20 (more base64url tricks in ResourceBoundsTest)
  @Test
  void rejectsLenientBase64Forms() {
    String token = T.sign(HEADER, payload());
    String[] p = token.split("\\.");
    String std = Base64.getEncoder().encodeToString(new Base64URL(p[2]).decode());
    List<String> variants = List.of(
        p[0] + "=." + p[1] + "." + p[2],
        p[0] + "." + p[1] + "." + std,
        p[0] + "." + p[1].substring(0, 10) + "\n" + p[1].substring(10) + "." + p[2],
        " " + token,
        token + " ",
        token + "\r\n",
        p[0] + ".." + p[1] + "." + p[2]);
    for (String variant : variants) {
      assertThat(reasonFor(VERIFIER, variant)).as(variant.length() + " chars").isEqualTo(MALFORMED);
    }
    assertThat(VERIFIER.verify(token).subject()).isEqualTo("user-1");
  }

  //
  @ParameterizedTest
  @ValueSource(strings = {"{\"kid\":\"trusted-1\"}", "{\"alg\":1,\"kid\":\"trusted-1\"}", "{\"alg\":null,\"kid\":\"trusted-1\"}",
      "{\"alg\":[\"RS256\"],\"kid\":\"trusted-1\"}", "{\"alg\":{\"name\":\"RS256\"},\"kid\":\"trusted-1\"}"})
  void rejectsAnAlgThatIsMissingOrNotAString(String header) {
    assertThat(reasonFor(VERIFIER, T.sign(header, payload()))).isEqualTo(MALFORMED);
  }

  //
  @ParameterizedTest
  @ValueSource(strings = {"rs256", "Rs256", "RS256 ", " RS256", "RS-256", "RS256\\u0000", "PS256", "ES256", "EdDSA", "RSA-OAEP"})
  void rejectsAnAlgOutsideTheCaseSensitiveAllowList(String alg) {
    String header = "{\"alg\":\"" + alg + "\",\"kid\":\"" + AttackTokens.KID + "\"}";
    assertThat(reasonFor(VERIFIER, T.sign(header, payload()))).isEqualTo(UNSUPPORTED_ALGORITHM);
  }

  private static String pem(RSAKey key) {
    try {
      String base64 = Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(key.toRSAPublicKey().getEncoded());
      return "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] decode(String base64url) {
    return new Base64URL(base64url).decode();
  }

  private static byte[] unsigned(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }
}
