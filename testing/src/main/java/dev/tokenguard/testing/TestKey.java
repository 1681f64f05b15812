package dev.tokenguard.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A signing key for tests, with control over how it is published in a JWKS ({@code use},
 * {@code key_ops}, {@code alg}, even private parts), so tests can check that a verifier refuses
 * keys it must not use. It is also a client's key: a DPoP holder key ({@link #thumbprint()},
 * {@link FakeIssuer#dpopProof}) or a TLS key with its {@link #certificate()} (in a {@link
 * #keyStore key store} for a TLS server or client). Immutable and thread-safe; the {@code with*}
 * methods return copies.
 */
public final class TestKey {
  /** The alias of the key entry in {@link #keyStore(char[])}. */
  public static final String KEY_STORE_ALIAS = "tokenguard-test";
  /** Validity of {@link #certificate()}: long enough never to matter (RFC 8705 checks no validity). */
  private static final Instant CERTIFICATE_NOT_BEFORE = Instant.parse("2000-01-01T00:00:00Z");
  private static final Instant CERTIFICATE_NOT_AFTER = Instant.parse("2099-12-31T23:59:59Z");

  private final JWK privateJwk;
  private final Map<String, Object> publishedOverrides;
  private final boolean publishPrivate;
  /** The key's certificate, made on first use and shared by every copy of this key. */
  private final AtomicReference<X509Certificate> certificate;

  private TestKey(JWK privateJwk, Map<String, Object> overrides, boolean publishPrivate) {
    this(privateJwk, overrides, publishPrivate, new AtomicReference<>());
  }

  private TestKey(JWK privateJwk, Map<String, Object> overrides, boolean publishPrivate,
      AtomicReference<X509Certificate> certificate) {
    this.privateJwk = privateJwk;
    this.publishedOverrides = Map.copyOf(overrides);
    this.publishPrivate = publishPrivate;
    this.certificate = certificate;
  }

  /**
   * A new RSA key of {@code bits} bits (use 1024 to test the 2048-bit minimum), {@code use: sig}.
   *
   * @param bits the modulus length, e.g. 2048
   * @return a new key
   */
  public static TestKey rsa(int bits) {
    return new TestKey(FakeIssuer.newKey(bits), Map.of(), false);
  }

  /**
   * A new P-256 key for ES256, {@code use: sig}.
   *
   * @return a new key
   */
  public static TestKey ecP256() {
    try {
      ECKey key = new ECKeyGenerator(Curve.P_256).keyID(FakeIssuer.randomId()).keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256).generate();
      return new TestKey(key, Map.of(), false);
    } catch (JOSEException e) {
      throw new IllegalStateException("EC key generation failed", e);
    }
  }

  /**
   * A new Ed25519 key ({@code kty: OKP}, {@code crv: Ed25519}, RFC 8037) published with {@code use:
   * sig} and {@code alg: EdDSA}, as Keycloak publishes its EdDSA keys. Tokens signed with it carry
   * {@code alg: EdDSA}, or {@code Ed25519} (RFC 9864) when the key is published with that {@code
   * alg} ({@code withAlgorithm("Ed25519")}). Made and used with the JDK's own Ed25519 (Java 15+).
   *
   * @return a new key
   * @throws IllegalStateException when the JDK offers no Ed25519
   */
  public static TestKey ed25519() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] spki = pair.getPublic().getEncoded(); // RFC 8410: a fixed 12-byte header, then the 32-byte key
      byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
      byte[] d = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
      OctetKeyPair key = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).d(Base64URL.encode(d))
          .keyID(FakeIssuer.randomId()).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.EdDSA).build();
      return new TestKey(key, Map.of(), false);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 key generation failed", e);
    }
  }

  /**
   * The same key published with {@code use} set to {@code use} ({@code null} removes it).
   *
   * @param use the {@code use} to publish, or {@code null}
   * @return a new key object for the same key
   */
  public TestKey withUse(String use) {
    return withOverride("use", use);
  }

  /**
   * The same key published with these {@code key_ops} ({@code null} removes them).
   *
   * @param ops the {@code key_ops} to publish, or {@code null}
   * @return a new key object for the same key
   */
  public TestKey withKeyOps(String... ops) {
    return withOverride("key_ops", ops == null ? null : List.of(ops));
  }

  /**
   * The same key published with {@code alg} ({@code null} removes it).
   *
   * @param alg the {@code alg} to publish, or {@code null}
   * @return a new key object for the same key
   */
  public TestKey withAlgorithm(String alg) {
    return withOverride("alg", alg);
  }

  /**
   * The same key under another {@code kid}.
   *
   * @param kid the new {@code kid}
   * @return a new key object for the same key
   */
  public TestKey withKeyId(String kid) {
    return withOverride("kid", kid);
  }

  /**
   * The same key, published with its private parts (a JWKS must never carry them).
   *
   * @return a new key object for the same key
   */
  public TestKey withPrivatePartsPublished() {
    return new TestKey(privateJwk, publishedOverrides, true, certificate);
  }

  /**
   * The RFC 7638 SHA-256 thumbprint of the public key, base64url (43 characters): what a token
   * bound to this key as a DPoP key carries in {@code cnf.jkt} (RFC 9449 section 6.1).
   *
   * @return the thumbprint, 43 base64url characters
   */
  public String thumbprint() {
    try {
      return privateJwk.toPublicJWK().computeThumbprint().toString();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot compute the thumbprint", e);
    }
  }

  /**
   * A self-signed X.509 certificate for this key ({@code CN=tokenguard-test}, valid 2000 to 2099),
   * made on first use and the same on every call: a TLS client certificate for tokens bound to it
   * ({@link TokenBuilder#certificateBound}, RFC 8705). Signed with SHA256withRSA, SHA256withECDSA
   * or Ed25519 by this key.
   *
   * @return the certificate, the same on every call
   * @throws IllegalStateException when the JDK cannot sign with this key
   */
  public X509Certificate certificate() {
    X509Certificate made = certificate.get();
    if (made == null) {
      try {
        made = makeCertificate();
      } catch (GeneralSecurityException | JOSEException e) {
        throw new IllegalStateException("cannot make a certificate for this key", e);
      }
      if (!certificate.compareAndSet(null, made)) {
        made = certificate.get();
      }
    }
    return made;
  }

  /**
   * A PKCS #12 key store holding this key's private key with its {@link #certificate()} as a
   * one-certificate chain, under the alias {@value #KEY_STORE_ALIAS} and protected by {@code
   * password}: the key material of a TLS server or client in tests of mutual TLS (RFC 8705), for
   * a {@code KeyManagerFactory} or an embedded server's TLS settings. Its trust side (the
   * certificates a peer accepts) is a key store of {@code certificate()}s the test builds. A new
   * key store on each call.
   *
   * <pre>{@code
   * TestKey client = TestKey.ecP256();
   * KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
   * keys.init(client.keyStore("changeit".toCharArray()), "changeit".toCharArray());
   * String token = issuer.accessToken().certificateBound(client.certificate()).sign();
   * }</pre>
   *
   * @param password protects the key entry and the store; not kept
   * @return a loaded PKCS #12 key store with one key entry
   * @throws NullPointerException when {@code password} is null
   * @throws IllegalStateException when the JDK cannot make the key store
   */
  public KeyStore keyStore(char[] password) {
    Objects.requireNonNull(password, "password");
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, password);
      store.setKeyEntry(KEY_STORE_ALIAS, privateKey(), password, new Certificate[] {certificate()});
      return store;
    } catch (GeneralSecurityException | JOSEException | java.io.IOException e) {
      throw new IllegalStateException("cannot make a key store for this key", e);
    }
  }

  private X509Certificate makeCertificate() throws GeneralSecurityException, JOSEException {
    String algorithm;
    if (privateJwk instanceof RSAKey) {
      algorithm = "SHA256withRSA";
    } else if (privateJwk instanceof ECKey) {
      algorithm = "SHA256withECDSA";
    } else {
      algorithm = "Ed25519";
    }
    return SelfSignedCertificate.create(publicKey(), privateKey(), algorithm, "tokenguard-test", CERTIFICATE_NOT_BEFORE,
        CERTIFICATE_NOT_AFTER);
  }

  /** The public key as a JCA key. */
  private PublicKey publicKey() throws GeneralSecurityException, JOSEException {
    if (privateJwk instanceof RSAKey) {
      return ((RSAKey) privateJwk).toRSAPublicKey();
    } else if (privateJwk instanceof ECKey) {
      return ((ECKey) privateJwk).toECPublicKey();
    }
    OctetKeyPair okp = (OctetKeyPair) privateJwk;
    byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
    System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
    System.arraycopy(okp.getDecodedX(), 0, spki, ED25519_SPKI_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  /** The private key as a JCA key. */
  private PrivateKey privateKey() throws GeneralSecurityException, JOSEException {
    if (privateJwk instanceof RSAKey) {
      return ((RSAKey) privateJwk).toRSAPrivateKey();
    } else if (privateJwk instanceof ECKey) {
      return ((ECKey) privateJwk).toECPrivateKey();
    }
    OctetKeyPair okp = (OctetKeyPair) privateJwk;
    return KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, okp.getDecodedD()));
  }

  /** RFC 8410 SubjectPublicKeyInfo of an Ed25519 key, up to the 32 key bytes. */
  private static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  /**
   * The {@code kid} tokens signed with this key carry.
   *
   * @return the key's {@code kid}
   */
  public String keyId() {
    Object kid = publishedOverrides.get("kid");
    return kid instanceof String ? (String) kid : privateJwk.getKeyID();
  }

  /** The key as published in the JWKS. */
  JWK publicJwk() {
    Map<String, Object> json = new LinkedHashMap<>(publishPrivate ? privateJwk.toJSONObject() : privateJwk.toPublicJWK().toJSONObject());
    for (Map.Entry<String, Object> e : publishedOverrides.entrySet()) {
      if (e.getValue() == null || e.getValue() == NULL) {
        json.remove(e.getKey());
      } else {
        json.put(e.getKey(), e.getValue());
      }
    }
    try {
      return JWK.parse(json);
    } catch (ParseException e) {
      throw new IllegalStateException("cannot build the published JWK", e);
    }
  }

  JWK privateJwk() {
    return privateJwk;
  }

  boolean isRsa() {
    return privateJwk instanceof RSAKey;
  }

  /**
   * The {@code alg} a token signed with this key carries unless told otherwise: RS256, ES256, or
   * for Ed25519 the key's published {@code alg} when it is {@code Ed25519}, else {@code EdDSA}.
   */
  String tokenAlgorithm() {
    if (privateJwk instanceof OctetKeyPair) {
      com.nimbusds.jose.Algorithm published = publicJwk().getAlgorithm();
      return published != null && published.getName().equals("Ed25519") ? "Ed25519" : "EdDSA";
    }
    return privateJwk instanceof ECKey ? "ES256" : "RS256";
  }

  private static final Object NULL = new Object();

  private TestKey withOverride(String name, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(publishedOverrides);
    copy.put(Objects.requireNonNull(name), value == null ? NULL : value);
    return new TestKey(privateJwk, copy, publishPrivate, certificate);
  }

}
