package dev.tokenguard;

import static dev.tokenguard.DpopFixture.reasonFor;
import static dev.tokenguard.DpopFixture.refusal;
import static dev.tokenguard.DpopFixture.request;
import static dev.tokenguard.TokenVerificationException.Reason.USE_DPOP_NONCE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.dpop.DpopNonces;
import dev.tokenguard.dpop.ReplayStores;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 9449 section 4.3 check 10, sections 9 and 11.3: with nonces on, a proof without a nonce the
 * resource server provided recently is refused with {@code use_dpop_nonce}, and the refusal carries
 * the nonce to send in {@code DPoP-Nonce}; several instances sharing the secret agree.
 */
class DpopNonceTest {
  private static final byte[] SECRET = "a shared secret of 32 bytes or more!".getBytes(StandardCharsets.US_ASCII);

  private final DpopFixture f = new DpopFixture();
  private final DpopNonces nonces = DpopNonces.fromSecret(SECRET).withClock(f.clock);
  private final AccessTokenVerifier verifier = f.verifier(DpopPolicy.defaults().withNonces(nonces));

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void aProofWithoutNonceGetsOneToRetryWith() {
    String token = f.boundToken();
    TokenVerificationException e = refusal(verifier, request(token, f.proof(token).sign()));
    assertThat(e.reason()).isEqualTo(USE_DPOP_NONCE);
    assertThat(e.errorCode()).isEqualTo("use_dpop_nonce");
    assertThat(e.httpStatus()).isEqualTo(401);
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.dpopNonce()).contains(nonces.current());
    assertThat(verifier.verify(request(token, f.proof(token).nonce(e.dpopNonce().orElseThrow()).sign()))).isNotNull();
  }

  // Section 11.3: no proof without the nonce once nonces are in use.
  @Test
  void refusesAWrongNonce() {
    String token = f.boundToken();
    for (String wrong : new String[] {"wrong-nonce", "", nonces.current().toLowerCase()}) {
      TokenVerificationException e = refusal(verifier, request(token, f.proof(token).nonce(wrong).sign()));
      assertThat(e.reason()).as(wrong).isEqualTo(USE_DPOP_NONCE);
      assertThat(e.dpopNonce()).contains(nonces.current());
    }
    assertThat(reasonFor(verifier, request(token, f.proof(token).claim("nonce", 7).sign()))).isEqualTo(USE_DPOP_NONCE);
  }

  @Test
  void anOldNonceIsAcceptedForTheGraceThenAFreshOneIsHandedOut() {
    long rotation = nonces.rotation().toMillis();
    f.clock.set(java.time.Instant.ofEpochMilli((f.clock.millis() / rotation + 1) * rotation)); // a slot's start
    String token = f.boundToken();
    String old = nonces.current();
    f.clock.advance(nonces.rotation());
    assertThat(verifier.verify(request(token, f.proof(token).nonce(old).sign()))).isNotNull();
    f.clock.advance(nonces.grace());
    TokenVerificationException e = refusal(verifier, request(token, f.proof(token).nonce(old).sign()));
    assertThat(e.reason()).isEqualTo(USE_DPOP_NONCE);
    assertThat(e.dpopNonce().orElseThrow()).isNotEqualTo(old).isEqualTo(nonces.current());
  }

  @Test
  void aNonceFromOneInstanceIsAcceptedByAnother() {
    AccessTokenVerifier otherInstance = f.verifier(DpopPolicy.defaults()
        .withNonces(DpopNonces.fromSecret(SECRET).withClock(f.clock)));
    String token = f.boundToken();
    String nonce = refusal(verifier, request(token, f.proof(token).sign())).dpopNonce().orElseThrow();
    assertThat(otherInstance.verify(request(token, f.proof(token).nonce(nonce).sign()))).isNotNull();
  }

  @Test
  void aNonceRefusalCostsNoStoreWrite() {
    DpopFixture.RecordingStore store = new DpopFixture.RecordingStore(ReplayStores.inMemory(10, f.clock));
    AccessTokenVerifier recorded = f.verifier(DpopPolicy.defaults().withNonces(nonces).withReplayStore(store));
    String token = f.boundToken();
    assertThat(reasonFor(recorded, request(token, f.proof(token).sign()))).isEqualTo(USE_DPOP_NONCE);
    assertThat(store.writes()).isZero();
  }

  @Test
  void withoutNoncesANonceInTheProofIsIgnored() {
    AccessTokenVerifier noNonces = f.verifier();
    String token = f.boundToken();
    assertThat(noNonces.verify(request(token, f.proof(token).nonce("anything").sign()))).isNotNull();
    assertThat(noNonces.dpopPolicy().nonces()).isEmpty();
    assertThat(verifier.dpopPolicy().nonces()).containsSame(nonces);
  }

  @Test
  void onlyUseDpopNonceCarriesANonce() {
    String token = f.boundToken();
    TokenVerificationException other = refusal(verifier, request(token, f.proof(token).nonce(nonces.current()).htm("PUT").sign()));
    assertThat(other.reason()).isEqualTo(TokenVerificationException.Reason.INVALID_DPOP_PROOF);
    assertThat(other.dpopNonce()).isEmpty();
  }
}
