package dev.tokenguard;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Objects;
import java.util.Set;

/**
 * One public key from the issuer's JWKS that passed the key policy, with its verifier built once
 * (Nimbus's for RSA and EC keys, {@link Ed25519JdkVerifier} for Ed25519) and, for an RSA key, the
 * reused JCA signatures that check RS256, RS384 and RS512 tokens ({@link #verifyPkcs1}).
 * Immutable as a key and thread-safe (the verifiers keep no per-call state; the pools hand each
 * signature object to one thread at a time).
 */
final class VerificationKey {
  static final int MIN_RSA_BITS = 2048;
  static final int MAX_KID_LENGTH = 256;

  final String kid;
  final String keyType;
  /** The key's own {@code alg}, or null when it does not restrict itself. */
  final Algorithm alg;
  final Curve curve;
  final JWSVerifier verifier;
  /** The RFC 7638 thumbprint of the public key: the same key material fetched again has the same one. */
  final String thumbprint;
  /**
   * For an RSA key: reused JCA signatures for RS256, RS384 and RS512 (in that order), which verify
   * a token's signing input where it lies ({@link #verifyPkcs1}); null for other keys. PS256,
   * PS384 and PS512 go through {@link #verifier}.
   */
  private final SignaturePool[] pkcs1;

  private VerificationKey(
      String kid, String keyType, Algorithm alg, Curve curve, JWSVerifier verifier, String thumbprint,
      SignaturePool[] pkcs1) {
    this.kid = kid;
    this.keyType = keyType;
    this.alg = alg;
    this.curve = curve;
    this.verifier = verifier;
    this.thumbprint = thumbprint;
    this.pkcs1 = pkcs1;
  }

  /**
   * Whether {@link #verifyPkcs1} checks {@code algorithm} signatures with this key: RS256, RS384
   * and RS512 on an RSA key. Everything else goes through {@link #verifier}.
   */
  boolean verifiesPkcs1(Algorithm algorithm) {
    return pkcs1 != null && pkcs1Index(algorithm) >= 0;
  }

  /**
   * Checks an RSASSA-PKCS1-v1_5 signature (RFC 7518 section 3.3) over {@code length} bytes of
   * {@code data} from {@code offset} with the JCA signature Nimbus's {@code RSASSAVerifier} uses
   * ({@code SHA256withRSA}, {@code SHA384withRSA}, {@code SHA512withRSA}, from the configured
   * provider), with the same outcomes: a signature the provider cannot parse does not verify, and
   * a key or algorithm the provider refuses is a {@link JOSEException}. Unlike Nimbus, it neither
   * copies the signing input nor looks the signature up and initialises it on every call.
   * Requires {@link #verifiesPkcs1}{@code (algorithm)}; a {@code crit} header, which Nimbus's
   * verifier would refuse, never gets here (the JWS layer refuses it).
   */
  boolean verifyPkcs1(Algorithm algorithm, byte[] data, int offset, int length, byte[] signature) throws JOSEException {
    return pkcs1[pkcs1Index(algorithm)].verify(data, offset, length, signature);
  }

  private static int pkcs1Index(Algorithm algorithm) {
    switch (algorithm) {
      case RS256:
        return 0;
      case RS384:
        return 1;
      case RS512:
        return 2;
      default:
        return -1;
    }
  }

  /**
   * Whether {@code other} is this key fetched again: same {@code kid}, same key material (RFC 7638
   * thumbprint, which covers type and curve), same {@code alg} restriction. Every fetch builds new
   * instances, so identity alone says nothing.
   */
  boolean sameKeyAs(VerificationKey other) {
    return other == this
        || (other != null
            && Objects.equals(kid, other.kid)
            && thumbprint.equals(other.thumbprint)
            && alg == other.alg);
  }

  /**
   * The key as the configured provider's own key object, so that provider does not convert it on
   * every verification (a native provider would otherwise rebuild its native key per call). Falls
   * back to the JDK's key when the provider has no key factory for it.
   */
  static <K extends PublicKey> K forProvider(K key, Class<K> type, String algorithm, Provider provider) {
    if (provider == null) {
      return key;
    }
    try {
      Key translated = KeyFactory.getInstance(algorithm, provider).translateKey(key);
      if (type.isInstance(translated)) {
        return type.cast(translated);
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      // No key factory for this algorithm in the provider: its Signature will take the JDK key.
    }
    return key;
  }

  /**
   * Whether a token signed with {@code algorithm} may be verified with this key (RFC 8725 3.1):
   * the key's type and curve fit, and so does its own {@code alg} when it has one. {@code EdDSA}
   * and {@code Ed25519} name the same signature on an Ed25519 key (RFC 9864), so a key
   * restricted to either verifies tokens carrying either.
   */
  boolean allows(Algorithm algorithm) {
    if (!algorithm.keyType().equals(keyType) || (alg != null && alg != algorithm && !bothEd25519(alg, algorithm))) {
      return false;
    }
    if (curve == null) {
      return true;
    }
    switch (algorithm) {
      case ES256:
        return Curve.P_256.equals(curve);
      case ES384:
        return Curve.P_384.equals(curve);
      case ES512:
        return Curve.P_521.equals(curve);
      case EdDSA:
      case Ed25519:
        return Curve.Ed25519.equals(curve);
      default:
        return false;
    }
  }

  private static boolean bothEd25519(Algorithm a, Algorithm b) {
    return (a == Algorithm.EdDSA || a == Algorithm.Ed25519) && (b == Algorithm.EdDSA || b == Algorithm.Ed25519);
  }

  /**
   * Applies the key policy to one JWK and returns the usable key, or throws with the reason the
   * key was refused (safe to log: names and sizes, never key material).
   */
  static VerificationKey accept(JWK jwk, Provider provider) throws KeyRefusedException {
    String kty = checkPurpose(jwk);
    Algorithm alg = keyAlgorithm(jwk, kty);
    try {
      if (jwk instanceof RSAKey) {
        return rsaKey((RSAKey) jwk, alg, provider);
      }
      if (jwk instanceof OctetKeyPair) {
        return ed25519Key((OctetKeyPair) jwk, alg, provider);
      }
      return ecKey((ECKey) jwk, alg, provider);
    } catch (JOSEException | RuntimeException e) {
      throw new KeyRefusedException("its parameters are invalid (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Refuses a key that is not a public signature-verification key of a type we accept (RFC 7517
   * sections 4.2-4.3: {@code use}, {@code key_ops}; RFC 8037 section 3.2: X25519/X448 are for key
   * agreement). Returns its {@code kty}.
   */
  private static String checkPurpose(JWK jwk) throws KeyRefusedException {
    String kty = jwk.getKeyType().getValue();
    if (!kty.equals("RSA") && !kty.equals("EC") && !kty.equals("OKP")) {
      throw new KeyRefusedException("kty " + kty + " cannot verify an accepted algorithm");
    }
    if (jwk.isPrivate()) {
      throw new KeyRefusedException("it contains private key parts");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new KeyRefusedException("use is " + jwk.getKeyUse().getValue() + ", not sig", true);
    }
    Set<KeyOperation> ops = jwk.getKeyOperations();
    if (ops != null && !ops.contains(KeyOperation.VERIFY)) {
      throw new KeyRefusedException("key_ops does not contain verify", true);
    }
    String kid = jwk.getKeyID();
    if (kid != null && (kid.isEmpty() || kid.length() > MAX_KID_LENGTH)) {
      throw new KeyRefusedException("kid is empty or longer than " + MAX_KID_LENGTH);
    }
    if (jwk instanceof OctetKeyPair) {
      Curve curve = ((OctetKeyPair) jwk).getCurve();
      if (Curve.X25519.equals(curve) || Curve.X448.equals(curve)) {
        // Published for ECDH-ES key agreement (RFC 8037 3.2), like an RSA key with use enc.
        throw new KeyRefusedException("OKP curve " + curve + " is for key agreement, not signatures", true);
      }
      if (!Curve.Ed25519.equals(curve)) {
        throw new KeyRefusedException("OKP curve " + curve + " is not Ed25519, the only EdDSA curve accepted");
      }
    }
    return kty;
  }

  /** The key's own {@code alg} (RFC 7517 section 4.4), which must fit its type; null when it has none. */
  private static Algorithm keyAlgorithm(JWK jwk, String kty) throws KeyRefusedException {
    if (jwk.getAlgorithm() == null) {
      return null;
    }
    Algorithm alg;
    try {
      alg = Algorithm.valueOf(jwk.getAlgorithm().getName());
    } catch (IllegalArgumentException e) {
      throw new KeyRefusedException("alg " + jwk.getAlgorithm().getName() + " is not a signature algorithm we accept");
    }
    if (!alg.keyType().equals(kty)) {
      throw new KeyRefusedException("alg " + alg + " does not fit kty " + kty);
    }
    return alg;
  }

  /** An RSA key of at least {@link #MIN_RSA_BITS} bits (RFC 7518 section 3.3, from the modulus itself). */
  private static VerificationKey rsaKey(RSAKey rsa, Algorithm alg, Provider provider) throws JOSEException, KeyRefusedException {
    int bits = rsa.getModulus().decodeToBigInteger().bitLength();
    if (bits < MIN_RSA_BITS) {
      throw new KeyRefusedException("RSA modulus has " + bits + " bits, fewer than " + MIN_RSA_BITS);
    }
    RSAPublicKey publicKey = forProvider(rsa.toRSAPublicKey(), RSAPublicKey.class, "RSA", provider);
    RSASSAVerifier verifier = new RSASSAVerifier(publicKey);
    if (provider != null) {
      verifier.getJCAContext().setProvider(provider);
    }
    SignaturePool[] pkcs1 = {
      new SignaturePool("SHA256withRSA", publicKey, provider),
      new SignaturePool("SHA384withRSA", publicKey, provider),
      new SignaturePool("SHA512withRSA", publicKey, provider),
    };
    return new VerificationKey(rsa.getKeyID(), "RSA", alg, null, verifier, rsa.computeThumbprint().toString(), pkcs1);
  }

  /** An Ed25519 key (RFC 8037 section 2), verified with the JDK's own Ed25519. */
  private static VerificationKey ed25519Key(OctetKeyPair okp, Algorithm alg, Provider provider) throws JOSEException, KeyRefusedException {
    Ed25519JdkVerifier verifier;
    try {
      verifier = Ed25519JdkVerifier.forKey(okp.getDecodedX(), provider);
    } catch (GeneralSecurityException e) {
      throw new KeyRefusedException("its Ed25519 public key x is invalid (" + e.getClass().getSimpleName() + ")");
    }
    return new VerificationKey(okp.getKeyID(), "OKP", alg, Curve.Ed25519, verifier, okp.computeThumbprint().toString(), null);
  }

  /** An EC key on P-256, P-384 or P-521 whose own {@code alg}, if any, fits its curve. */
  private static VerificationKey ecKey(ECKey ec, Algorithm alg, Provider provider) throws JOSEException, KeyRefusedException {
    Curve curve = ec.getCurve();
    if (!Curve.P_256.equals(curve) && !Curve.P_384.equals(curve) && !Curve.P_521.equals(curve)) {
      throw new KeyRefusedException("EC curve " + curve + " is not P-256, P-384 or P-521");
    }
    ECPublicKey publicKey = forProvider(ec.toECPublicKey(), ECPublicKey.class, "EC", provider);
    ECDSAVerifier verifier = new ECDSAVerifier(publicKey);
    if (provider != null) {
      verifier.getJCAContext().setProvider(provider);
    }
    VerificationKey key = new VerificationKey(ec.getKeyID(), "EC", alg, curve, verifier, ec.computeThumbprint().toString(), null);
    if (alg != null && !key.allows(alg)) {
      throw new KeyRefusedException("alg " + alg + " does not fit curve " + curve);
    }
    return key;
  }

  /** Why a JWK was left out of the key set. */
  static final class KeyRefusedException extends Exception {
    private static final long serialVersionUID = 1L;
    /** A key published for another purpose (encryption): expected in many JWKS, not a problem. */
    final boolean routine;

    KeyRefusedException(String message) {
      this(message, false);
    }

    KeyRefusedException(String message, boolean routine) {
      super(message, null, false, false);
      this.routine = routine;
    }
  }
}
