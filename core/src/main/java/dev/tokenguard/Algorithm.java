package dev.tokenguard;

/**
 * The JWS signature algorithms a verifier can be told to accept.
 *
 * <p>Only asymmetric algorithms exist here: {@code none} and the HMAC family ({@code HS256} ...)
 * cannot be enabled at all, because a resource server holds only public keys and an HMAC "key"
 * would be one (the classic RS256-to-HS256 confusion attack). The default allow-list is
 * {@link #RS256} alone, the algorithm every RFC 9068 resource server must support. Immutable and
 * thread-safe, like every enum.
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
  ES512("EC");

  private final String keyType;

  Algorithm(String keyType) {
    this.keyType = keyType;
  }

  /** The JWK {@code kty} a key must have to be used with this algorithm: {@code RSA} or {@code EC}. */
  public String keyType() {
    return keyType;
  }
}
