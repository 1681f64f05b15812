package dev.tokenguard;

import static dev.tokenguard.DpopFixture.METHOD;
import static dev.tokenguard.DpopFixture.URI_;
import static dev.tokenguard.DpopFixture.reasonFor;
import static dev.tokenguard.DpopFixture.refusal;
import static dev.tokenguard.DpopFixture.request;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_DPOP_PROOF;
import static dev.tokenguard.TokenVerificationException.Reason.REPLAY_CHECK_UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.dpop.ReplayStore;
import dev.tokenguard.dpop.ReplayStoreUnavailableException;
import dev.tokenguard.dpop.ReplayStores;
import dev.tokenguard.testing.DpopProofBuilder;
import dev.tokenguard.testing.TestKey;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The replay check comes last, so a forged or wrong proof costs no store write (the architecture
 * review's ordering claim, counted with a recording store), and it fails closed: a store that
 * cannot answer makes the request 503, never accepted.
 */
class DpopCheckOrderTest {
  private final DpopFixture f = new DpopFixture();
  private final DpopFixture.RecordingStore store = new DpopFixture.RecordingStore(ReplayStores.inMemory(100, f.clock));
  private final AccessTokenVerifier verifier = f.verifier(DpopPolicy.defaults().withReplayStore(store));

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void noBrokenProofCostsAStoreWrite() {
    String token = f.boundToken();
    TestKey thief = TestKey.ecP256();
    List<UnaryOperator<DpopProofBuilder>> breakages = List.of(
        DpopProofBuilder::tamperedSignature,
        p -> p.htm("POST"),
        p -> p.htu("https://api.example.test/admin"),
        p -> p.ath("AAAA"),
        p -> p.issuedAt(f.clock.instant().minusSeconds(300)),
        p -> p.type("JWT"),
        DpopProofBuilder::withPrivateJwk,
        DpopProofBuilder::algNone,
        DpopProofBuilder::hs256,
        p -> p.withoutClaim("jti"),
        p -> p.jwkOf(thief));
    for (UnaryOperator<DpopProofBuilder> breakage : breakages) {
      refusal(verifier, request(token, breakage.apply(f.proof(token)).sign()));
    }
    refusal(verifier, request(token, f.issuer.dpopProof(thief, METHOD, URI_).accessToken(token).sign()));
    refusal(verifier, request(token, null));
    refusal(verifier, TokenRequest.bearer(token));
    assertThat(store.writes()).isZero();
  }

  @Test
  void aForgedTokenCostsNoStoreWriteEither() {
    String forged = f.issuer.accessToken().dpopBound(f.holder).tamperedSignature().sign();
    refusal(verifier, request(forged, f.proof(forged).sign()));
    assertThat(store.writes()).isZero();
  }

  @Test
  void anAcceptedProofCostsExactlyOneWrite() {
    String token = f.boundToken();
    verifier.verify(request(token, f.proof(token).sign()));
    assertThat(store.writes()).isEqualTo(1);
    assertThat(store.keys().get(0)).matches("[A-Za-z0-9_-]{43}");
  }

  @Test
  void aReplayIsRefusedAsAnInvalidProof() {
    String token = f.boundToken();
    String proof = f.proof(token).sign();
    verifier.verify(request(token, proof));
    assertThat(reasonFor(verifier, request(token, proof))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(store.writes()).as("the in-memory store knows the replay before any write").isEqualTo(1);
  }

  @Test
  void aKnownReplayIsRefusedBeforeItsSignatureIsChecked() {
    String token = f.boundToken();
    verifier.verify(request(token, f.proof(token).jti("used-once").sign()));
    // Same key and jti, signature broken: refused as the replay it is, so the signature was never checked.
    TokenVerificationException e = refusal(verifier, request(token, f.proof(token).jti("used-once").tamperedSignature().sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("was used before");
  }

  @Test
  void aStoreWithoutTheHintStillRefusesEveryReplayAtItsWrite() {
    ReplayStore inMemory = ReplayStores.inMemory(100, f.clock);
    ReplayStore writesOnly = inMemory::firstUse; // knownUsed: the default, no hint
    AccessTokenVerifier noHint = f.verifier(DpopPolicy.defaults().withReplayStore(writesOnly));
    String token = f.boundToken();
    String proof = f.proof(token).sign();
    noHint.verify(request(token, proof));
    TokenVerificationException e = refusal(noHint, request(token, proof));
    assertThat(e.getMessage()).contains("was used before");
    TokenVerificationException forged = refusal(noHint, request(token, f.proof(token).jti("fresh").tamperedSignature().sign()));
    assertThat(forged.getMessage()).doesNotContain("was used before");
  }

  @Test
  void aHintThatThrowsIsNoHintAndTheWriteDecides() {
    ReplayStore inMemory = ReplayStores.inMemory(100, f.clock);
    ReplayStore throwingHint = new ReplayStore() {
      @Override
      public boolean firstUse(String key, java.time.Instant until) {
        return inMemory.firstUse(key, until);
      }

      @Override
      public boolean knownUsed(String key) {
        throw new IllegalStateException("a hint that breaks its promise");
      }
    };
    AccessTokenVerifier verifier = f.verifier(DpopPolicy.defaults().withReplayStore(throwingHint));
    String token = f.boundToken();
    String proof = f.proof(token).sign();
    verifier.verify(request(token, proof));
    assertThat(refusal(verifier, request(token, proof)).getMessage()).contains("was used before");
  }

  @Test
  void anUnavailableStoreFailsClosedWith503() {
    ReplayStore down = (key, until) -> {
      throw new ReplayStoreUnavailableException("connection refused by the store");
    };
    AccessTokenVerifier failing = f.verifier(DpopPolicy.defaults().withReplayStore(down));
    String token = f.boundToken();
    TokenVerificationException e = refusal(failing, request(token, f.proof(token).sign()));
    assertThat(e.reason()).isEqualTo(REPLAY_CHECK_UNAVAILABLE);
    assertThat(e.httpStatus()).isEqualTo(503);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.errorCode()).isEqualTo("temporarily_unavailable");
    assertThat(e.getMessage()).contains("connection refused by the store");
  }

  @Test
  void aStoreThatThrowsAnythingElseFailsClosedToo() {
    ReplayStore broken = (key, until) -> {
      throw new IllegalStateException("bug");
    };
    AccessTokenVerifier failing = f.verifier(DpopPolicy.defaults().withReplayStore(broken));
    String token = f.boundToken();
    assertThat(reasonFor(failing, request(token, f.proof(token).sign()))).isEqualTo(REPLAY_CHECK_UNAVAILABLE);
  }

  @Test
  void aStoreOutageIsLoggedForTheOperatorAtMostOnceAMinute() {
    ReplayStore down = (key, until) -> {
      throw new ReplayStoreUnavailableException("store unreachable");
    };
    AccessTokenVerifier failing = f.verifier(DpopPolicy.defaults().withReplayStore(down));
    String token = f.boundToken();
    String log = LogCapture.captureStandardError(() -> {
      refusal(failing, request(token, f.proof(token).sign()));
      refusal(failing, request(token, f.proof(token).sign()));
      f.clock.advance(Duration.ofMinutes(1));
      refusal(failing, request(token, f.proof(token).sign()));
    });
    assertThat(LogCapture.count(log, "WARN")).isEqualTo(2);
    assertThat(log).contains("store unreachable");
  }

  @Test
  void neverLogsTheTokenOrTheProof() {
    String token = f.boundToken();
    String tampered = f.proof(token).tamperedSignature().sign();
    String wrongUri = f.proof(token).htu("https://api.example.test/other").sign();
    String log = LogCapture.captureStandardError(() -> {
      refusal(verifier, request(token, tampered));
      refusal(verifier, request(token, wrongUri));
    });
    assertThat(log).contains("INVALID_DPOP_PROOF").contains("signature").contains("htu");
    for (String secret : List.of(token, tampered, wrongUri)) {
      for (String part : secret.split("\\.")) {
        assertThat(log).doesNotContain(part);
      }
    }
    assertThat(log).doesNotContain(DpopProofCheck.accessTokenHash(token));
  }
}
