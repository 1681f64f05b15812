package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reused JCA signatures of an RSA key: never shared, never reused after an exception, bounded. */
class SignaturePoolTest {
  private static final byte[] DATA = "header.payload".getBytes(StandardCharsets.US_ASCII);

  @Test
  void aSignatureThatThrewIsDroppedSoItsLeftoverInputNeverReachesTheNextToken() throws Exception {
    PublicKey key = rsaKeys().getPublic();
    StickySignature.created.set(0);
    SignaturePool pool = new SignaturePool("STICKY", key, new StickyProvider());
    byte[] good = StickySignature.signatureOf(DATA);

    assertThat(pool.verify(DATA, 0, DATA.length, good)).isTrue();
    assertThat(pool.idleCount()).isEqualTo(1);
    // The provider throws and keeps the input it was given: reusing it would check "DATA + DATA".
    assertThat(pool.verify(DATA, 0, DATA.length, new byte[0])).isFalse();
    assertThat(pool.idleCount()).as("the object that threw is not put back").isZero();
    assertThat(pool.verify(DATA, 0, DATA.length, good)).isTrue();
    assertThat(StickySignature.created.get()).isEqualTo(2);
  }

  @Test
  void aSignatureThatAnsweredFalseIsReusedForTheNextToken() throws Exception {
    KeyPair keys = rsaKeys();
    SignaturePool pool = new SignaturePool("SHA256withRSA", keys.getPublic(), null);
    byte[] good = sign(keys.getPrivate(), DATA);
    byte[] bad = Arrays.copyOf(good, good.length);
    bad[bad.length / 2] ^= 1;

    assertThat(pool.verify(DATA, 0, DATA.length, bad)).isFalse();
    assertThat(pool.idleCount()).isEqualTo(1);
    assertThat(pool.verify(DATA, 0, DATA.length, good)).isTrue();
    assertThat(pool.verify(DATA, 0, DATA.length, new byte[3])).as("a signature of the wrong length").isFalse();
    assertThat(pool.verify(DATA, 0, DATA.length, good)).isTrue();
  }

  @Test
  void verifiesTheRangeItIsGivenAndNothingAroundIt() throws Exception {
    KeyPair keys = rsaKeys();
    SignaturePool pool = new SignaturePool("SHA256withRSA", keys.getPublic(), null);
    byte[] token = "header.payload.signature".getBytes(StandardCharsets.US_ASCII);
    byte[] signature = sign(keys.getPrivate(), Arrays.copyOf(token, 14));

    assertThat(pool.verify(token, 0, 14, signature)).isTrue();
    assertThat(pool.verify(token, 0, 15, signature)).isFalse();
    assertThat(pool.verify(token, 1, 13, signature)).isFalse();
  }

  @Test
  void aProviderWithoutTheAlgorithmIsAnUncheckableSignatureNotAnAnswer() throws Exception {
    Provider empty = new Provider("Empty", "1", "offers no algorithms") {
      private static final long serialVersionUID = 1L;
    };
    SignaturePool pool = new SignaturePool("SHA256withRSA", rsaKeys().getPublic(), empty);
    assertThatThrownBy(() -> pool.verify(DATA, 0, DATA.length, new byte[256])).isInstanceOf(JOSEException.class);
  }

  @Test
  void threadsVerifyingAtOnceNeverShareAnObjectAndAtMostSlotsStayIdle() throws Exception {
    KeyPair keys = rsaKeys();
    SignaturePool pool = new SignaturePool("SHA256withRSA", keys.getPublic(), null);
    List<byte[]> inputs = new ArrayList<>();
    List<byte[]> signatures = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      byte[] input = ("token-" + i).getBytes(StandardCharsets.US_ASCII);
      inputs.add(input);
      signatures.add(sign(keys.getPrivate(), input));
    }
    int threads = SignaturePool.SLOTS * 2;
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int offset = t;
        tasks.add(() -> {
          int wrong = 0;
          for (int n = 0; n < 200; n++) {
            int i = (n + offset) % inputs.size();
            int j = (n % 3 == 0) ? (i + 1) % inputs.size() : i; // every third call: another token's signature
            boolean verified = pool.verify(inputs.get(i), 0, inputs.get(i).length, signatures.get(j));
            if (verified != (i == j)) {
              wrong++;
            }
          }
          return wrong;
        });
      }
      for (Future<Integer> wrong : executor.invokeAll(tasks)) {
        assertThat(wrong.get()).isZero();
      }
    } finally {
      executor.shutdownNow();
    }
    assertThat(pool.idleCount()).isBetween(1, SignaturePool.SLOTS);
  }

  private static KeyPair rsaKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return generator.generateKeyPair();
  }

  private static byte[] sign(PrivateKey key, byte[] data) throws Exception {
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(key);
    signer.update(data);
    return signer.sign();
  }

  /** Offers STICKY, a signature that keeps its input when it throws (which the JCA contract allows). */
  static final class StickyProvider extends Provider {
    private static final long serialVersionUID = 1L;

    StickyProvider() {
      super("Sticky", "1", "a signature that keeps its input after an exception");
      put("Signature.STICKY", StickySignature.class.getName());
    }
  }

  /** "Verifies" when the signature is the reversed input; an empty signature throws, keeping the input. */
  public static final class StickySignature extends SignatureSpi {
    static final AtomicInteger created = new AtomicInteger();
    private final ByteArrayOutputStream input = new ByteArrayOutputStream();

    public StickySignature() {
      created.incrementAndGet();
    }

    static byte[] signatureOf(byte[] data) {
      byte[] reversed = new byte[data.length];
      for (int i = 0; i < data.length; i++) {
        reversed[i] = data[data.length - 1 - i];
      }
      return reversed;
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) throws InvalidKeyException {
      input.reset();
    }

    @Override
    protected void engineInitSign(PrivateKey privateKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void engineUpdate(byte b) {
      input.write(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
      input.write(b, off, len);
    }

    @Override
    protected byte[] engineSign() {
      throw new UnsupportedOperationException();
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
      if (sigBytes.length == 0) {
        throw new SignatureException("empty");
      }
      boolean verified = Arrays.equals(sigBytes, signatureOf(input.toByteArray()));
      input.reset();
      return verified;
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      throw new UnsupportedOperationException();
    }
  }
}
