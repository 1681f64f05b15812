package dev.tokenguard.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;

/** {@link TestKey#keyStore(char[])}: the key and its certificate, usable as TLS key material. */
class TestKeyStoreTest {
  private static final char[] PASSWORD = "changeit".toCharArray();

  @Test
  void holdsTheKeyWithItsCertificateForEveryKeyType() throws Exception {
    for (TestKey key : List.of(TestKey.ecP256(), TestKey.rsa(2048), TestKey.ed25519())) {
      KeyStore store = key.keyStore(PASSWORD);
      assertThat(store.getType()).isEqualTo("PKCS12");
      assertThat(java.util.Collections.list(store.aliases())).containsExactly(TestKey.KEY_STORE_ALIAS);
      assertThat(store.getCertificateChain(TestKey.KEY_STORE_ALIAS)).containsExactly(key.certificate());
      Key privateKey = store.getKey(TestKey.KEY_STORE_ALIAS, PASSWORD);
      // The entry's private key signs what the certificate's public key verifies.
      String algorithm = key.certificate().getSigAlgName();
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign((PrivateKey) privateKey);
      signer.update(new byte[] {1, 2, 3});
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(key.certificate().getPublicKey());
      verifier.update(new byte[] {1, 2, 3});
      assertThat(verifier.verify(signer.sign())).as(algorithm).isTrue();
    }
  }

  @Test
  void isTlsKeyMaterial() throws Exception {
    TestKey key = TestKey.ecP256();
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(key.keyStore(PASSWORD), PASSWORD);
    X509KeyManager manager = (X509KeyManager) factory.getKeyManagers()[0];
    assertThat(manager.getCertificateChain(TestKey.KEY_STORE_ALIAS)).containsExactly(key.certificate());
    assertThat(key.keyStore(PASSWORD)).as("a new store on each call").isNotSameAs(key.keyStore(PASSWORD));
    assertThatThrownBy(() -> key.keyStore(null)).isInstanceOf(NullPointerException.class);
  }
}
