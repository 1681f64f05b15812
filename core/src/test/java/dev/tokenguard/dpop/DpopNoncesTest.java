package dev.tokenguard.dpop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Server-provided nonces (RFC 9449 sections 8 and 9) derived from a shared secret and the time:
 * rotation, grace, agreement between instances without shared state, and what is refused.
 */
class DpopNoncesTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  /** A slot boundary of the default 5-minute rotation. */
  private static final Instant SLOT_START = Instant.ofEpochSecond(1_767_225_600L);

  private final TestClock clock = TestClock.at(SLOT_START);
  private final DpopNonces nonces = DpopNonces.fromSecret(SECRET).withClock(clock);

  @Test
  void theNonceIsStableWithinASlotAndChangesAtItsEnd() {
    String first = nonces.current();
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    assertThat(nonces.current()).isEqualTo(first);
    clock.advance(Duration.ofMillis(1));
    assertThat(nonces.current()).isNotEqualTo(first);
  }

  @Test
  void anOldNonceStaysValidForTheGraceOnly() {
    String old = nonces.current();
    clock.advance(Duration.ofMinutes(5)); // the next slot: old is in its grace minute
    assertThat(nonces.accepts(old)).isTrue();
    clock.advance(Duration.ofMinutes(1).minusMillis(1));
    assertThat(nonces.accepts(old)).isTrue();
    clock.advance(Duration.ofMillis(1));
    assertThat(nonces.accepts(old)).isFalse();
    assertThat(nonces.accepts(nonces.current())).isTrue();
  }

  @Test
  void rotationAndGraceAreConfigurable() {
    DpopNonces fast = nonces.withRotation(Duration.ofSeconds(10), Duration.ZERO);
    String first = fast.current();
    clock.advance(Duration.ofSeconds(9));
    assertThat(fast.accepts(first)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(fast.accepts(first)).isFalse();
    assertThat(fast.rotation()).isEqualTo(Duration.ofSeconds(10));
    assertThat(fast.grace()).isZero();
  }

  @Test
  void instancesWithTheSameSecretAgreeWithoutSharingState() {
    DpopNonces otherInstance = DpopNonces.fromSecret(SECRET.clone()).withClock(clock);
    assertThat(otherInstance.current()).isEqualTo(nonces.current());
    assertThat(otherInstance.accepts(nonces.current())).isTrue();
    // An instance whose clock runs up to 30 s ahead is already in the next slot: accepted early.
    clock.set(SLOT_START.plus(Duration.ofMinutes(5)).minusSeconds(30));
    DpopNonces ahead = DpopNonces.fromSecret(SECRET).withClock(TestClock.at(SLOT_START.plus(Duration.ofMinutes(5))));
    assertThat(nonces.accepts(ahead.current())).isTrue();
    clock.set(SLOT_START.plus(Duration.ofMinutes(5)).minusSeconds(31));
    assertThat(nonces.accepts(ahead.current())).isFalse();
  }

  @Test
  void anotherSecretsNoncesAreRefused() {
    byte[] other = SECRET.clone();
    other[0] ^= 1;
    assertThat(nonces.accepts(DpopNonces.fromSecret(other).withClock(clock).current())).isFalse();
  }

  @Test
  void refusesGarbageAndTamperedNonces() {
    String nonce = nonces.current();
    byte[] raw = Base64.getUrlDecoder().decode(nonce);
    byte[] tamperedMac = raw.clone();
    tamperedMac[raw.length - 1] ^= 1;
    byte[] otherSlot = raw.clone();
    otherSlot[7] ^= 1; // the slot number, with the old MAC
    for (String bad : new String[] {null, "", "x", nonce + "A", nonce.substring(1), nonce.toUpperCase(), "!" + nonce.substring(1),
        encode(tamperedMac), encode(otherSlot), encode(Arrays.copyOf(raw, 23)) + "==",
        encode(new byte[24])}) {
      assertThat(nonces.accepts(bad)).as(String.valueOf(bad)).isFalse();
    }
    assertThat(nonces.accepts(nonce)).isTrue();
  }

  @Test
  void aFarFutureSlotIsRefusedWithoutOverflow() {
    byte[] raw = Base64.getUrlDecoder().decode(nonces.current());
    Arrays.fill(raw, 0, 8, (byte) 0x7f);
    assertThat(nonces.accepts(encode(raw))).isFalse();
  }

  // RFC 9449 section 8.1: nonce = 1*NQCHAR (%x21 / %x23-5B / %x5D-7E).
  @Test
  void nonceFitsTheNonceSyntax() {
    for (int i = 0; i < 50; i++) {
      assertThat(nonces.current()).hasSize(32).matches("[A-Za-z0-9_-]+");
      clock.advance(Duration.ofMinutes(5));
    }
  }

  @Test
  void refusesAShortSecretAndOutOfRangeDurations() {
    assertThatThrownBy(() -> DpopNonces.fromSecret(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DpopNonces.fromSecret(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> nonces.withRotation(Duration.ofMillis(999), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> nonces.withRotation(Duration.ofHours(25), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> nonces.withRotation(Duration.ofMinutes(1), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> nonces.withRotation(Duration.ofMinutes(1), Duration.ofHours(25)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSecretIsCopiedAndNeverShown() {
    byte[] secret = SECRET.clone();
    DpopNonces made = DpopNonces.fromSecret(secret).withClock(clock);
    String before = made.current();
    secret[0] ^= 1;
    assertThat(made.current()).isEqualTo(before);
    assertThat(made.toString()).doesNotContain("0123456789").contains("rotation=PT5M", "grace=PT1M");
  }

  private static String encode(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
