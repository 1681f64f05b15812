package dev.tokenguard;

import static dev.tokenguard.DpopFixture.METHOD;
import static dev.tokenguard.DpopFixture.URI_;
import static dev.tokenguard.DpopFixture.reasonFor;
import static dev.tokenguard.DpopFixture.refusal;
import static dev.tokenguard.DpopFixture.request;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_DPOP_PROOF;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.dpop.ReplayStore;
import dev.tokenguard.dpop.ReplayStores;
import dev.tokenguard.testing.TestKey;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 9449 section 4.3 check 11 and section 11.1: a proof is accepted only within a short window
 * around its {@code iat} (60 s back, 5 s forward by default), not after its {@code exp}, and only
 * once: its {@code jti} is remembered for the window, scoped to the proof's key.
 */
class DpopProofFreshnessTest {
  private final DpopFixture f = new DpopFixture();

  @AfterEach
  void stop() {
    f.close();
  }

  private Instant now() {
    return f.clock.instant();
  }

  @Test
  void acceptsAProofUpToSixtySecondsOldByDefault() {
    AccessTokenVerifier verifier = f.verifier();
    String token = f.boundToken();
    assertThat(verifier.verify(request(token, f.proof(token).issuedAt(now().minusSeconds(60)).sign()))).isNotNull();
    TokenVerificationException e = refusal(verifier, request(token, f.proof(token).issuedAt(now().minusSeconds(61)).sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("old");
  }

  @Test
  void acceptsAProofUpToFiveSecondsInTheFutureByDefault() {
    AccessTokenVerifier verifier = f.verifier();
    String token = f.boundToken();
    assertThat(verifier.verify(request(token, f.proof(token).issuedAt(now().plusSeconds(5)).sign()))).isNotNull();
    TokenVerificationException e = refusal(verifier, request(token, f.proof(token).issuedAt(now().plusSeconds(6)).sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("future");
  }

  @Test
  void aProofMadeNowStopsWorkingWhenTheClockMovesOn() {
    AccessTokenVerifier verifier = f.verifier();
    String token = f.boundToken();
    String proof = f.proof(token).sign();
    f.clock.advance(Duration.ofSeconds(61));
    assertThat(reasonFor(verifier, request(token, proof))).isEqualTo(INVALID_DPOP_PROOF);
  }

  @Test
  void theWindowIsConfigurable() {
    AccessTokenVerifier verifier = f.verifier(DpopPolicy.defaults().withProofWindow(Duration.ofSeconds(10), Duration.ZERO));
    String token = f.boundToken();
    assertThat(verifier.verify(request(token, f.proof(token).issuedAt(now().minusSeconds(10)).sign()))).isNotNull();
    assertThat(reasonFor(verifier, request(token, f.proof(token).issuedAt(now().minusSeconds(11)).sign())))
        .isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(verifier, request(token, f.proof(token).issuedAt(now().plusSeconds(1)).sign())))
        .isEqualTo(INVALID_DPOP_PROOF);
  }

  @Test
  void enforcesExpWhenPresent() {
    AccessTokenVerifier verifier = f.verifier();
    String token = f.boundToken();
    assertThat(verifier.verify(request(token, f.proof(token).expiresAt(now().plusSeconds(30)).sign()))).isNotNull();
    // exp is allowed the forward skew (5 s) as leeway, like iat.
    assertThat(verifier.verify(request(token, f.proof(token).expiresAt(now().minusSeconds(4)).sign()))).isNotNull();
    TokenVerificationException e = refusal(verifier, request(token, f.proof(token).expiresAt(now().minusSeconds(5)).sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("expired");
    assertThat(reasonFor(verifier, request(token, f.proof(token).claim("exp", "soon").sign()))).isEqualTo(INVALID_DPOP_PROOF);
  }

  // Section 11.1: the same proof twice.
  @Test
  void refusesTheSameProofTwice() {
    AccessTokenVerifier verifier = f.verifier();
    String token = f.boundToken();
    String proof = f.proof(token).sign();
    assertThat(verifier.verify(request(token, proof))).isNotNull();
    TokenVerificationException e = refusal(verifier, request(token, proof));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("used before");
  }

  @Test
  void refusesAnotherProofWithAUsedJti() {
    AccessTokenVerifier verifier = f.verifier();
    String token = f.boundToken();
    assertThat(verifier.verify(request(token, f.proof(token).jti("jti-1").sign()))).isNotNull();
    assertThat(reasonFor(verifier, request(token, f.proof(token).jti("jti-1").htm("GET").sign()))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(verifier.verify(request(token, f.proof(token).jti("jti-2").sign()))).isNotNull();
  }

  // The jti is scoped to the proof's key: one client cannot use up another's jti.
  @Test
  void theSameJtiFromAnotherKeyIsAnotherProof() {
    AccessTokenVerifier verifier = f.verifier();
    String token = f.boundToken();
    assertThat(verifier.verify(request(token, f.proof(token).jti("shared-jti").sign()))).isNotNull();
    TestKey other = TestKey.ecP256();
    String otherToken = f.issuer.accessToken().dpopBound(other).sign();
    String otherProof = f.issuer.dpopProof(other, METHOD, URI_).accessToken(otherToken).jti("shared-jti").sign();
    assertThat(verifier.verify(request(otherToken, otherProof))).isNotNull();
    assertThat(DpopProofCheck.replayKey(f.holder.thumbprint(), "shared-jti"))
        .isNotEqualTo(DpopProofCheck.replayKey(other.thumbprint(), "shared-jti"))
        .matches("[A-Za-z0-9_-]{43}");
  }

  // Two instances behind a load balancer: only a shared store recognises a replay to the other one.
  @Test
  void aSharedStoreRefusesAReplayToAnotherVerifier() {
    ReplayStore shared = ReplayStores.inMemory(1000, f.clock);
    AccessTokenVerifier first = f.verifier(DpopPolicy.defaults().withReplayStore(shared));
    AccessTokenVerifier second = f.verifier(DpopPolicy.defaults().withReplayStore(shared));
    String token = f.boundToken();
    String proof = f.proof(token).sign();
    assertThat(first.verify(request(token, proof))).isNotNull();
    assertThat(reasonFor(second, request(token, proof))).isEqualTo(INVALID_DPOP_PROOF);
    // Each verifier's own default store knows only its own proofs.
    AccessTokenVerifier separateA = f.verifier();
    AccessTokenVerifier separateB = f.verifier();
    String another = f.proof(token).sign();
    assertThat(separateA.verify(request(token, another))).isNotNull();
    assertThat(separateB.verify(request(token, another))).isNotNull();
  }

  @Test
  void usedProofsAreRememberedUntilTheyWouldBeTooOld() {
    DpopFixture.RecordingStore store = new DpopFixture.RecordingStore(ReplayStores.inMemory(10, f.clock));
    AccessTokenVerifier verifier = f.verifier(DpopPolicy.defaults().withReplayStore(store));
    String token = f.boundToken();
    Instant iat = now().minusSeconds(20);
    verifier.verify(request(token, f.proof(token).issuedAt(iat).sign()));
    assertThat(store.deadlines).containsExactly(iat.plusSeconds(60).plusMillis(1));
  }
}
