package dev.tokenguard;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Set;

/**
 * Verifies Ed25519 JWS signatures (RFC 8037 3.1; JWS {@code alg} {@code EdDSA} or {@code Ed25519},
 * RFC 9864) with the JCA's {@code Ed25519} signature, which the JDK's own SunEC provider offers
 * since Java 15. Nimbus's {@code Ed25519Verifier} delegates to Google Tink, which this library
 * does not depend on.
 *
 * <p>A signature must be exactly 64 bytes: JDK 17's SunEC trims trailing zero bytes of a longer
 * one before checking it (JDK-8285389; Wycheproof ed25519 tcId 37), which would make signatures
 * malleable. Everything else (the range of S, the encodings of R and of the key) is the
 * provider's check, pinned by the Wycheproof vectors. Immutable and thread-safe: each
 * verification takes its own {@link Signature}.
 */
final class Ed25519JdkVerifier implements JWSVerifier {
  /** The length of an Ed25519 public key ({@code x}, RFC 8032 5.1.5). */
  static final int KEY_BYTES = 32;
  /** The length of an Ed25519 signature (R and S, RFC 8032 5.1.6). */
  static final int SIGNATURE_BYTES = 64;
  private static final String JCA_NAME = "Ed25519";
  /** The DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410 4), followed by the 32 key bytes. */
  private static final byte[] SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

  private final PublicKey key;
  /** The provider to verify with, or null for the JCA's first one offering Ed25519 (normally SunEC). */
  private final Provider provider;

  private Ed25519JdkVerifier(PublicKey key, Provider provider) {
    this.key = key;
    this.provider = provider;
  }

  /**
   * A verifier for the raw 32-byte public key {@code x} (RFC 8037 2). Uses {@code provider} when
   * it offers Ed25519 (key factory and signature), else the JDK's.
   *
   * @throws GeneralSecurityException when {@code x} is not 32 bytes or no provider accepts it
   */
  static Ed25519JdkVerifier forKey(byte[] x, Provider provider) throws GeneralSecurityException {
    if (x.length != KEY_BYTES) {
      throw new GeneralSecurityException("an Ed25519 public key has " + KEY_BYTES + " bytes, not " + x.length);
    }
    byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + KEY_BYTES);
    System.arraycopy(x, 0, spki, SPKI_PREFIX.length, KEY_BYTES);
    X509EncodedKeySpec spec = new X509EncodedKeySpec(spki);
    if (provider != null && provider.getService("Signature", JCA_NAME) != null
        && provider.getService("KeyFactory", JCA_NAME) != null) {
      return new Ed25519JdkVerifier(KeyFactory.getInstance(JCA_NAME, provider).generatePublic(spec), provider);
    }
    return new Ed25519JdkVerifier(KeyFactory.getInstance(JCA_NAME).generatePublic(spec), null);
  }

  @Override
  public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
    if (!ALGORITHMS.contains(header.getAlgorithm())) {
      throw new JOSEException("an Ed25519 key verifies alg EdDSA or Ed25519 only");
    }
    Set<String> crit = header.getCriticalParams();
    if (crit != null && !crit.isEmpty()) {
      return false; // no extension is understood (RFC 7515 4.1.11), as with Nimbus's own verifiers
    }
    byte[] bytes = signature.decode();
    if (bytes.length != SIGNATURE_BYTES) {
      return false;
    }
    try {
      Signature check = provider == null ? Signature.getInstance(JCA_NAME) : Signature.getInstance(JCA_NAME, provider);
      check.initVerify(key);
      check.update(signingInput);
      return check.verify(bytes);
    } catch (SignatureException e) {
      return false; // a signature the provider cannot even decode
    } catch (GeneralSecurityException e) {
      throw new JOSEException("Ed25519 verification is unavailable (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return ALGORITHMS;
  }

  /** Not used: the provider is chosen when the key is accepted. */
  @Override
  public JCAContext getJCAContext() {
    return new JCAContext();
  }
}
