package dev.tokenguard.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.opts.AllowWeakRSAKey;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;
import java.util.Set;

/** JWS signatures for the fixture's tokens and proofs: Nimbus for RSA and EC, the JDK for Ed25519. */
final class JwsSigning {
  private JwsSigning() {}

  /**
   * Signs {@code input} with {@code key}: the RS, PS or ES algorithm {@code alg} names when the key
   * can make it, else RS256 for RSA and ES256 for EC keys; Ed25519 keys always sign Ed25519.
   */
  static byte[] sign(JWK key, Object alg, byte[] input) throws JOSEException, GeneralSecurityException {
    if (key instanceof OctetKeyPair) {
      return signEd25519((OctetKeyPair) key, input);
    }
    JWSSigner signer = signer(key);
    JWSAlgorithm algorithm = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
    if (alg instanceof String && ((String) alg).matches("(RS|PS|ES)(256|384|512)")
        && signer.supportedJWSAlgorithms().contains(JWSAlgorithm.parse((String) alg))) {
      algorithm = JWSAlgorithm.parse((String) alg);
    }
    return signer.sign(new JWSHeader(algorithm), input).decode();
  }

  /** Ed25519 with the JDK's own implementation (Nimbus's Ed25519Signer needs Google Tink). */
  private static byte[] signEd25519(OctetKeyPair key, byte[] input) throws GeneralSecurityException {
    PrivateKey privateKey = KeyFactory.getInstance("Ed25519")
        .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, key.getDecodedD()));
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(privateKey);
    signer.update(input);
    return signer.sign();
  }

  private static JWSSigner signer(JWK key) throws JOSEException {
    // Weak keys allowed: tests sign with 1024-bit keys to check that verifiers refuse them.
    return key instanceof ECKey ? new ECDSASigner((ECKey) key) : new RSASSASigner((RSAKey) key, Set.of(AllowWeakRSAKey.getInstance()));
  }

  static String encode(String json) {
    return encode(json.getBytes(StandardCharsets.UTF_8));
  }

  static String encode(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
