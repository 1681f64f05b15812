package dev.tokenguard;

/**
 * The JWS signature algorithms a verifier can be told to accept.
 *
 * <p>Only asymmetric algorithms exist here: {@code none} and the HMAC family ({@code HS256} ...)
 * cannot be enabled at all, because a resource server holds only public keys and an HMAC "key"
 * would be one (the classic RS256-to-HS256 confusion attack). The default allow-list is
 * {@link #RS256} alone, the algorithm every RFC 9068 resource server must support; every other one
 * is opt-in. Immutable and thread-safe, like every enum.
 */
public enum Algorithm {
  /** RSASSA-PKCS1-v1_5 with SHA-256 (RSA keys of at least 2048 bits). The default. */
  RS256("RSA"),
  /** RSASSA-PKCS1-v1_5 with SHA-384. */
  RS384("RSA"),
  /** RSASSA-PKCS1-v1_5 with SHA-512. */
  RS512("RSA"),
  /** RSASSA-PSS with SHA-256. */
  PS256("RSA"),
  /** RSASSA-PSS with SHA-384. */
  PS384("RSA"),
  /** RSASSA-PSS with SHA-512. */
  PS512("RSA"),
  /** ECDSA on P-256 with SHA-256. */
  ES256("EC"),
  /** ECDSA on P-384 with SHA-384. */
  ES384("EC"),
  /** ECDSA on P-521 with SHA-512. */
  ES512("EC"),
  /**
   * EdDSA (RFC 8037 3.1) with an Ed25519 key: the name Keycloak, Ory and most other issuers send
   * for Ed25519 signatures. RFC 9864 deprecates it in favour of {@link #Ed25519} (it leaves the
   * curve to the key); only Ed25519 keys ({@code kty} {@code OKP}, {@code crv} {@code Ed25519}) are
   * used, never Ed448. A key whose own {@code alg} is {@code Ed25519} verifies it too. Checked with
   * the JDK's own Ed25519 implementation (Java 15 or later).
   */
  EdDSA("OKP"),
  /**
   * Ed25519 (RFC 9864), the fully specified name of EdDSA on the Ed25519 curve. A key whose
   * own {@code alg} is {@code EdDSA} verifies it too (on an Ed25519 key the two names mean the
   * same signature).
   */
  Ed25519("OKP");

  private final String keyType;

  Algorithm(String keyType) {
    this.keyType = keyType;
  }

  /**
   * The JWK {@code kty} a key must have to be used with this algorithm: {@code RSA}, {@code EC} or
   * (for {@link #EdDSA} and {@link #Ed25519}) {@code OKP}.
   *
   * @return {@code RSA}, {@code EC} or {@code OKP}
   */
  public String keyType() {
    return keyType;
  }
}
