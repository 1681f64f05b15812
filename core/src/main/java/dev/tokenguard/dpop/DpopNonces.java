package dev.tokenguard.dpop;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Server-provided DPoP nonces (RFC 9449 sections 8 and 9) that every instance of an API computes
 * alike from a shared secret and the time, so no state is shared: a nonce one instance hands out is
 * accepted by all of them.
 *
 * <p>Time is divided into slots of {@link #rotation()}; the nonce of a slot is its number (8 bytes)
 * followed by the first 16 bytes of HMAC-SHA-256 over a fixed label and that number, keyed with the
 * secret, the 24 bytes base64url-encoded: 32 characters, which fit the nonce syntax ({@code
 * 1*NQCHAR}, section 8.1) and cannot be predicted without the secret (section 8: "Nonce values
 * MUST be unpredictable"). {@link #current()} is the current slot's nonce. A nonce is accepted
 * from the start of its slot until {@link #grace()} after its end, so a client that was handed
 * one just before a rotation keeps working; a nonce of the next slot is accepted up to 30 seconds
 * early, for instances whose clocks differ by that much.
 *
 * <p>Use one secret per API (per resource server: a nonce is for the server that issued it, section
 * 9), at least 32 random bytes, from configuration shared by its instances. With nonces on, a proof
 * can no longer be made in advance for later use (section 11.2): it is good for at most {@code
 * rotation + grace}. Immutable and thread-safe; the {@code with*} methods return copies.
 *
 * <pre>{@code
 * DpopNonces nonces = DpopNonces.fromSecret(secretBytes);   // e.g. base64-decoded from the environment
 * AccessTokenVerifier verifier = AccessTokenVerifier.builder()
 *     ...
 *     .dpop(DpopPolicy.defaults().withNonces(nonces))
 *     .build();
 * }</pre>
 */
public final class DpopNonces {
  /** The shortest secret accepted, in bytes (256 bits, the HMAC-SHA-256 key size). */
  public static final int MIN_SECRET_BYTES = 32;
  /** The default rotation: a new nonce every 5 minutes. */
  public static final Duration DEFAULT_ROTATION = Duration.ofMinutes(5);
  /** The default grace: a nonce stays valid for 1 minute after its slot ends. */
  public static final Duration DEFAULT_GRACE = Duration.ofMinutes(1);
  /** How early a nonce of the next slot is accepted (clocks of instances differing). */
  static final long EARLY_MILLIS = 30_000;
  private static final Duration MAX_DURATION = Duration.ofHours(24);
  private static final byte[] LABEL = "tokenguard DPoP nonce v1".getBytes(StandardCharsets.US_ASCII);
  private static final int SLOT_BYTES = 8;
  private static final int MAC_BYTES = 16;
  private static final int NONCE_CHARS = 32;

  private final SecretKeySpec key;
  private final long rotationMillis;
  private final long graceMillis;
  private final Clock clock;

  private DpopNonces(SecretKeySpec key, long rotationMillis, long graceMillis, Clock clock) {
    this.key = key;
    this.rotationMillis = rotationMillis;
    this.graceMillis = graceMillis;
    this.clock = clock;
  }

  /**
   * Nonces derived from {@code secret} (copied), rotating every {@link #DEFAULT_ROTATION} with
   * {@link #DEFAULT_GRACE}, on the system UTC clock.
   *
   * @param secret at least {@link #MIN_SECRET_BYTES} random bytes, the same for every instance
   * @return the nonces; immutable
   * @throws NullPointerException when {@code secret} is null
   * @throws IllegalArgumentException when {@code secret} is shorter than {@link #MIN_SECRET_BYTES}
   */
  public static DpopNonces fromSecret(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("the DPoP nonce secret must have at least " + MIN_SECRET_BYTES
          + " bytes, it has " + secret.length);
    }
    return new DpopNonces(new SecretKeySpec(Arrays.copyOf(secret, secret.length), "HmacSHA256"),
        DEFAULT_ROTATION.toMillis(), DEFAULT_GRACE.toMillis(), Clock.systemUTC());
  }

  /**
   * These nonces with another rotation and grace.
   *
   * @param rotation how long each nonce is the current one: 1 second to 24 hours
   * @param grace how long a nonce stays valid after that: 0 to 24 hours
   * @return new nonces with this rotation and grace, from the same secret
   * @throws IllegalArgumentException when either is out of range
   */
  public DpopNonces withRotation(Duration rotation, Duration grace) {
    Objects.requireNonNull(rotation, "rotation");
    Objects.requireNonNull(grace, "grace");
    if (rotation.compareTo(Duration.ofSeconds(1)) < 0 || rotation.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("rotation must be between 1 second and 24 hours, was " + rotation);
    }
    if (grace.isNegative() || grace.compareTo(MAX_DURATION) > 0) {
      throw new IllegalArgumentException("grace must be between 0 and 24 hours, was " + grace);
    }
    return new DpopNonces(key, rotation.toMillis(), grace.toMillis(), clock);
  }

  /**
   * These nonces on {@code clock} (for tests, a clock they move).
   *
   * @param clock the clock nonces rotate on
   * @return new nonces on {@code clock}, from the same secret
   * @throws NullPointerException when {@code clock} is null
   */
  public DpopNonces withClock(Clock clock) {
    return new DpopNonces(key, rotationMillis, graceMillis, Objects.requireNonNull(clock, "clock"));
  }

  /**
   * How long each nonce is the current one.
   *
   * @return the rotation period
   */
  public Duration rotation() {
    return Duration.ofMillis(rotationMillis);
  }

  /**
   * How long a nonce stays valid after it stopped being the current one.
   *
   * @return the grace period
   */
  public Duration grace() {
    return Duration.ofMillis(graceMillis);
  }

  /**
   * The nonce to hand to clients now, in a {@code DPoP-Nonce} header: with a {@code use_dpop_nonce}
   * refusal, and on successful answers so clients move to a new nonce before the old one expires
   * (RFC 9449 section 8.2). 32 base64url characters.
   *
   * @return the current nonce, 32 base64url characters
   */
  public String current() {
    return nonce(Math.floorDiv(clock.millis(), rotationMillis));
  }

  /**
   * Whether a proof may carry {@code nonce} now: made with this secret for a slot that began at most
   * 30 seconds from now and ended less than {@link #grace()} ago. Compares in constant time.
   *
   * @param nonce the proof's {@code nonce} claim; null is never accepted
   * @return true when a proof may carry {@code nonce} now
   */
  public boolean accepts(String nonce) {
    if (nonce == null || nonce.length() != NONCE_CHARS) {
      return false;
    }
    byte[] decoded;
    try {
      decoded = Base64.getUrlDecoder().decode(nonce);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (decoded.length != SLOT_BYTES + MAC_BYTES) {
      return false;
    }
    long slot = ByteBuffer.wrap(decoded, 0, SLOT_BYTES).getLong();
    long now = clock.millis();
    long start;
    long end;
    try {
      start = Math.multiplyExact(slot, rotationMillis);
      end = Math.addExact(start, rotationMillis);
    } catch (ArithmeticException e) {
      return false;
    }
    if (start - EARLY_MILLIS > now || now >= end + graceMillis) {
      return false;
    }
    byte[] expected = Arrays.copyOfRange(Base64.getUrlDecoder().decode(nonce(slot)), SLOT_BYTES, SLOT_BYTES + MAC_BYTES);
    return MessageDigest.isEqual(expected, Arrays.copyOfRange(decoded, SLOT_BYTES, decoded.length));
  }

  private String nonce(long slot) {
    byte[] slotBytes = ByteBuffer.allocate(SLOT_BYTES).putLong(slot).array();
    byte[] mac;
    try {
      Mac hmac = Mac.getInstance("HmacSHA256");
      hmac.init(key);
      hmac.update(LABEL);
      mac = hmac.doFinal(slotBytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e); // every JDK has it
    }
    byte[] nonce = Arrays.copyOf(slotBytes, SLOT_BYTES + MAC_BYTES);
    System.arraycopy(mac, 0, nonce, SLOT_BYTES, MAC_BYTES);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
  }

  /** Names the rotation and grace, never the secret. */
  @Override
  public String toString() {
    return "DpopNonces{rotation=" + rotation() + ", grace=" + grace() + "}";
  }
}
