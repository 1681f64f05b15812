package dev.tokenguard;

import static dev.tokenguard.WycheproofVectors.hex;
import static dev.tokenguard.WycheproofVectors.list;
import static dev.tokenguard.WycheproofVectors.object;
import static dev.tokenguard.WycheproofVectors.tcId;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Project Wycheproof's raw signature vectors against the primitives under the JWS layer: RSASSA
 * PKCS#1 v1.5 with SHA-256 through the JCA {@code SHA256withRSA} signature Nimbus delegates to,
 * through Nimbus' {@link RSASSAVerifier} itself and through the library's own reused signatures
 * ({@link VerificationKey#verifyPkcs1}), ES256 (P-256, IEEE P1363 R||S signatures, the
 * JWS format) through Nimbus' {@link ECDSAVerifier}, and PS256 and Ed25519 through the very
 * verifier the library uses for real tokens: the one {@link VerificationKey#accept} builds from
 * the group's public JWK. {@code invalid} must never verify, {@code valid} must; {@code acceptable}
 * cases are explained where they occur.
 */
class WycheproofSignatureTest {
  /**
   * Valid ES256 signatures that the JDK's own EC provider (SunEC, checked on 17.0.15 with plain
   * {@code SHA256withECDSAinP1363Format}) refuses: tcId 115 "k*G has a large x-coordinate" and
   * tcId 257 "r = 3, x = n + 3", both with an x-coordinate of k*G at or above the group order.
   * Refusing them fails closed, and an honest signer hits such an r with probability about
   * 2^-128, so they are tolerated in either outcome; any other valid case must verify.
   */
  private static final java.util.Set<Integer> JDK_EC_FALSE_REJECTIONS = java.util.Set.of(115, 257);

  @Test
  void rs256PrimitiveRejectsEveryInvalidPkcs1Signature() throws Exception {
    Map<String, Object> vectors = WycheproofVectors.load("rsa_signature_2048_sha256_test.json");
    List<String> failures = new ArrayList<>();
    int cases = 0;
    for (Map<String, Object> group : list(vectors, "testGroups")) {
      RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(hex(group, "publicKeyDer")));
      RSASSAVerifier nimbus = new RSASSAVerifier(key);
      // The library's own path for RS256: one key, its pooled JCA signatures reused from one
      // case to the next (after invalid and unparseable signatures too), over a message that
      // lies inside a larger array as a token's signing input does.
      VerificationKey library = VerificationKey.accept(new RSAKey.Builder(key).build(), null);
      for (Map<String, Object> test : list(group, "tests")) {
        cases++;
        byte[] msg = hex(test, "msg");
        byte[] sig = hex(test, "sig");
        boolean jca = jcaVerifies(key, msg, sig);
        boolean viaNimbus = nimbusVerifies(nimbus, JWSAlgorithm.RS256, msg, sig);
        byte[] framed = new byte[msg.length + 3];
        System.arraycopy(msg, 0, framed, 1, msg.length);
        framed[0] = '.';
        framed[framed.length - 2] = '.';
        framed[framed.length - 1] = 'x';
        boolean viaLibrary = libraryVerifies(library, framed, 1, msg.length, sig);
        String result = (String) test.get("result");
        String what = "tcId " + tcId(test) + " (" + test.get("comment") + ", " + result + ")";
        if (jca != viaNimbus || jca != viaLibrary) {
          failures.add(what + ": JCA says " + jca + ", Nimbus says " + viaNimbus + ", the library says " + viaLibrary);
        }
        if (result.equals("invalid") && (jca || viaNimbus || viaLibrary)) {
          failures.add(what + ": an invalid signature verified");
        }
        if (result.equals("valid") && !(jca && viaNimbus && viaLibrary)) {
          failures.add(what + ": a valid signature did not verify");
        }
        // "acceptable": tcId 8 (MissingNull), a DigestInfo without the NULL parameters, which
        // RFC 8017 allows verifiers to accept. Either outcome is fine; the JDK rejects it.
      }
    }
    assertThat(failures).isEmpty();
    assertThat(cases).isEqualTo(((Number) vectors.get("numberOfTests")).intValue());
  }

  @Test
  void es256PrimitiveRejectsEveryInvalidP1363Signature() throws Exception {
    Map<String, Object> vectors = WycheproofVectors.load("ecdsa_secp256r1_sha256_p1363_test.json");
    List<String> failures = new ArrayList<>();
    int cases = 0;
    for (Map<String, Object> group : list(vectors, "testGroups")) {
      ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(hex(group, "publicKeyDer")));
      ECDSAVerifier nimbus = new ECDSAVerifier(key);
      for (Map<String, Object> test : list(group, "tests")) {
        cases++;
        boolean verified = nimbusVerifies(nimbus, JWSAlgorithm.ES256, hex(test, "msg"), hex(test, "sig"));
        String result = (String) test.get("result");
        String what = "tcId " + tcId(test) + " (" + test.get("comment") + ", " + result + ")";
        if (result.equals("invalid") && verified) {
          failures.add(what + ": an invalid signature verified");
        }
        if (result.equals("valid") && !verified && !JDK_EC_FALSE_REJECTIONS.contains(tcId(test))) {
          failures.add(what + ": a valid signature did not verify");
        }
        // This file has no "acceptable" cases.
      }
    }
    assertThat(failures).isEmpty();
    assertThat(cases).isEqualTo(((Number) vectors.get("numberOfTests")).intValue());
  }

  /**
   * Ed25519 (RFC 8032) under both JWS names, EdDSA and Ed25519, through the library's own path:
   * the group's JWK ({@code kty} OKP, {@code crv} Ed25519) through the key policy, then the
   * verifier it built. This snapshot has 88 valid and 63 invalid cases and no {@code acceptable}
   * one; should a later one have any, either outcome is allowed (that is what the label means)
   * and they are counted apart.
   */
  @Test
  void ed25519ThroughTheLibrarysVerifierAcceptsEveryValidAndNoInvalidSignature() throws Exception {
    Map<String, Object> vectors = WycheproofVectors.load("ed25519_test.json");
    Tally tally = new Tally();
    for (Map<String, Object> group : list(vectors, "testGroups")) {
      VerificationKey key = VerificationKey.accept(JWK.parse(object(group, "publicKeyJwk")), null);
      assertThat(key.allows(Algorithm.EdDSA) && key.allows(Algorithm.Ed25519)).isTrue();
      for (Map<String, Object> test : list(group, "tests")) {
        boolean edDsa = nimbusVerifies(key.verifier, JWSAlgorithm.EdDSA, hex(test, "msg"), hex(test, "sig"));
        boolean ed25519 = nimbusVerifies(key.verifier, JWSAlgorithm.Ed25519, hex(test, "msg"), hex(test, "sig"));
        if (edDsa != ed25519) {
          tally.failures.add("tcId " + tcId(test) + ": EdDSA says " + edDsa + ", Ed25519 says " + ed25519);
        }
        tally.record(test, edDsa);
      }
    }
    tally.check(vectors, "ed25519_test.json");
    assertThat(tally.validAccepted).isEqualTo(88);
    assertThat(tally.invalidRefused).isEqualTo(63);
  }

  /**
   * PS256 (RSASSA-PSS, SHA-256, MGF1 with SHA-256, 32-byte salt: the JWS parameters, RFC 7518
   * 3.5) through the library's own path: the group's JWK ({@code alg} PS256) through the key
   * policy, then the Nimbus verifier it built. This snapshot has 63 valid and 45 invalid cases
   * (including a PKCS#1 v1.5 signature of the same message, tcId 108) and no {@code acceptable} one.
   */
  @Test
  void ps256ThroughTheLibrarysVerifierAcceptsEveryValidAndNoInvalidSignature() throws Exception {
    Map<String, Object> vectors = WycheproofVectors.load("rsa_pss_2048_sha256_mgf1_32_test.json");
    Tally tally = new Tally();
    for (Map<String, Object> group : list(vectors, "testGroups")) {
      assertThat(List.of(group.get("sha"), group.get("mgf"), group.get("mgfSha"), ((Number) group.get("sLen")).intValue()))
          .as("the PS256 parameters").containsExactly("SHA-256", "MGF1", "SHA-256", 32);
      VerificationKey key = VerificationKey.accept(JWK.parse(object(group, "publicKeyJwk")), null);
      assertThat(key.allows(Algorithm.PS256)).isTrue();
      assertThat(key.allows(Algorithm.RS256)).as("a key published for PS256 verifies nothing else").isFalse();
      for (Map<String, Object> test : list(group, "tests")) {
        tally.record(test, nimbusVerifies(key.verifier, JWSAlgorithm.PS256, hex(test, "msg"), hex(test, "sig")));
      }
    }
    tally.check(vectors, "rsa_pss_2048_sha256_mgf1_32_test.json");
    assertThat(tally.validAccepted).isEqualTo(63);
    assertThat(tally.invalidRefused).isEqualTo(45);
  }

  /** Outcomes of one vector file: valid must verify, invalid must not, acceptable may do either. */
  private static final class Tally {
    final List<String> failures = new ArrayList<>();
    int cases;
    int validAccepted;
    int invalidRefused;
    int acceptableAccepted;
    int acceptableRefused;

    void record(Map<String, Object> test, boolean verified) {
      cases++;
      String result = (String) test.get("result");
      String what = "tcId " + tcId(test) + " (" + test.get("comment") + ", " + test.get("flags") + ", " + result + ")";
      switch (result) {
        case "valid":
          if (verified) {
            validAccepted++;
          } else {
            failures.add(what + ": a valid signature did not verify");
          }
          break;
        case "invalid":
          if (verified) {
            failures.add(what + ": an invalid signature verified");
          } else {
            invalidRefused++;
          }
          break;
        default:
          if (verified) {
            acceptableAccepted++;
          } else {
            acceptableRefused++;
          }
      }
    }

    void check(Map<String, Object> vectors, String file) {
      System.out.println("Wycheproof " + file + ": " + cases + " cases, " + validAccepted + " valid accepted, "
          + invalidRefused + " invalid refused, acceptable " + acceptableAccepted + " accepted / " + acceptableRefused + " refused");
      assertThat(failures).isEmpty();
      assertThat(cases).isEqualTo(((Number) vectors.get("numberOfTests")).intValue());
    }
  }

  private static boolean jcaVerifies(RSAPublicKey key, byte[] msg, byte[] sig) {
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initVerify(key);
      signature.update(msg);
      return signature.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean libraryVerifies(VerificationKey key, byte[] data, int offset, int length, byte[] sig) {
    try {
      return key.verifyPkcs1(Algorithm.RS256, data, offset, length, sig);
    } catch (JOSEException e) {
      return false;
    }
  }

  private static boolean nimbusVerifies(com.nimbusds.jose.JWSVerifier verifier, JWSAlgorithm alg, byte[] msg, byte[] sig) {
    try {
      return verifier.verify(new JWSHeader(alg), msg, Base64URL.encode(sig));
    } catch (JOSEException e) {
      return false;
    }
  }
}
