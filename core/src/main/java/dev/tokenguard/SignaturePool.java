package dev.tokenguard;

import com.nimbusds.jose.JOSEException;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * JCA {@link Signature} objects for one public key and one JCA algorithm, initialised for
 * verification once and reused: {@code Signature.getInstance} (a provider lookup) and {@code
 * initVerify} cost little next to an RSA operation, but they are paid on every token otherwise, and
 * a native provider pays more. A verification takes an idle object (or makes one), uses it alone,
 * and puts it back; the JCA contract says {@link Signature#verify(byte[])} leaves the object
 * initialised for the same key whatever it answers. An object whose {@code update} or {@code verify}
 * threw is dropped, never reused: the contract does not say what state an exception leaves, and
 * data left in a digest would be checked with the next token's.
 *
 * <p>At most {@link #SLOTS} idle objects are kept; more threads than that verifying at once make
 * their own, which are dropped afterwards. Slots are not tied to threads, so virtual threads share
 * them as well as platform threads do. Thread-safe.
 */
final class SignaturePool {
  /** Idle objects kept per key and algorithm: enough for every core, bounded whatever the thread count. */
  static final int SLOTS = Math.min(32, Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));

  private final String jcaName;
  private final PublicKey key;
  /** The provider to verify with, or null for the JCA's own choice (the first that takes the key). */
  private final Provider provider;
  private final AtomicReferenceArray<Signature> idle = new AtomicReferenceArray<>(SLOTS);

  SignaturePool(String jcaName, PublicKey key, Provider provider) {
    this.jcaName = jcaName;
    this.key = key;
    this.provider = provider;
  }

  /**
   * Whether {@code signature} verifies over {@code length} bytes of {@code data} from {@code
   * offset}. A signature the provider cannot even parse (a {@link SignatureException}) does not
   * verify.
   *
   * @throws JOSEException when no {@link Signature} can be had for the key (the provider lacks the
   *     algorithm or refuses the key), as Nimbus's verifiers report it
   */
  boolean verify(byte[] data, int offset, int length, byte[] signature) throws JOSEException {
    Signature check = take();
    boolean verified;
    try {
      check.update(data, offset, length);
      verified = check.verify(signature);
    } catch (SignatureException e) {
      return false; // dropped: its state after the exception is the provider's business
    }
    release(check);
    return verified;
  }

  private Signature take() throws JOSEException {
    int start = start();
    for (int i = 0; i < SLOTS; i++) {
      int slot = (start + i) % SLOTS;
      Signature s = idle.get(slot);
      if (s != null && idle.compareAndSet(slot, s, null)) {
        return s;
      }
    }
    try {
      Signature s = provider == null ? Signature.getInstance(jcaName) : Signature.getInstance(jcaName, provider);
      s.initVerify(key);
      return s;
    } catch (GeneralSecurityException e) {
      throw new JOSEException(jcaName + " verification is unavailable: " + e.getClass().getSimpleName(), e);
    }
  }

  private void release(Signature s) {
    int start = start();
    for (int i = 0; i < SLOTS; i++) {
      int slot = (start + i) % SLOTS;
      if (idle.get(slot) == null && idle.compareAndSet(slot, null, s)) {
        return;
      }
    }
  }

  /** Where a thread starts looking: threads that run at the same time mostly touch different slots. */
  private static int start() {
    return (int) (Thread.currentThread().getId() % SLOTS);
  }

  /** The number of idle objects held (for tests). */
  int idleCount() {
    int n = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (idle.get(i) != null) {
        n++;
      }
    }
    return n;
  }
}
