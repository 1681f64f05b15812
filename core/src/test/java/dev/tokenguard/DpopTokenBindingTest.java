package dev.tokenguard;

import static dev.tokenguard.DpopFixture.METHOD;
import static dev.tokenguard.DpopFixture.URI_;
import static dev.tokenguard.DpopFixture.reasonFor;
import static dev.tokenguard.DpopFixture.refusal;
import static dev.tokenguard.DpopFixture.request;
import static dev.tokenguard.TokenVerificationException.Reason.BINDING_MISMATCH;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_DPOP_PROOF;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import dev.tokenguard.testing.TestKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 9449 section 4.3 check 12 and section 6: {@code ath} is the hash of the token presented, and
 * the proof's key is the one the token is bound to ({@code cnf.jkt}, the RFC 7638 thumbprint). A
 * wrong key is {@code invalid_token} (section 7.1, Figure 16); a binding the verifier cannot check
 * is refused, never ignored.
 */
class DpopTokenBindingTest {
  private static final DpopFixture F = new DpopFixture();
  private static final AccessTokenVerifier VERIFIER = F.verifier();

  @AfterAll
  static void stop() {
    F.close();
  }

  // RFC 9449 Figures 13 and 14: the example token's ath.
  @Test
  void athIsTheBase64urlSha256OfTheAsciiToken() {
    assertThat(DpopProofCheck.accessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"))
        .isEqualTo("fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
  }

  // RFC 9449 Figures 4 and 9: the example proof key's thumbprint is the example token's cnf.jkt.
  @Test
  void jktIsTheRfc7638ThumbprintOfTheProofKey() throws Exception {
    JWK jwk = JWK.parse(Map.of("kty", "EC", "crv", "P-256", "x", "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
        "y", "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"));
    assertThat(VerificationKey.accept(jwk, null).thumbprint).isEqualTo("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
  }

  @Test
  void refusesAProofForAnotherToken() {
    String token = F.boundToken();
    String otherToken = F.boundToken();
    TokenVerificationException e = refusal(VERIFIER, request(token, F.proof(otherToken).sign()));
    assertThat(e.reason()).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(e.getMessage()).contains("ath");
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).ath(DpopProofCheck.accessTokenHash(token).toLowerCase()).sign())))
        .isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(VERIFIER, request(token, F.proof(token).ath(DpopProofCheck.accessTokenHash(token) + "=").sign())))
        .isEqualTo(INVALID_DPOP_PROOF);
  }

  @Test
  void refusesAProofByAnotherKeyAsInvalidToken() {
    String token = F.boundToken();
    TestKey thief = TestKey.ecP256();
    TokenVerificationException e = refusal(VERIFIER, request(token, F.issuer.dpopProof(thief, METHOD, URI_).accessToken(token).sign()));
    assertThat(e.reason()).isEqualTo(BINDING_MISMATCH);
    assertThat(e.errorCode()).isEqualTo("invalid_token");
    assertThat(e.httpStatus()).isEqualTo(401);
  }

  @Test
  void theBindingComparesTheWholeThumbprint() {
    String thumbprint = F.holder.thumbprint();
    for (String jkt : List.of(thumbprint.substring(1), thumbprint + "A", thumbprint.toLowerCase(), " " + thumbprint)) {
      if (jkt.equals(thumbprint)) {
        continue;
      }
      String token = F.issuer.accessToken().claim("cnf", Map.of("jkt", jkt)).sign();
      assertThat(reasonFor(VERIFIER, request(token, F.proof(token).sign()))).as(jkt).isEqualTo(BINDING_MISMATCH);
    }
  }

  // rfc9449-dpop-bound-token-must-contain-cnf-jkt and the shapes of cnf the verifier cannot check.
  @Test
  void refusesACnfItCannotCheck() {
    for (Object cnf : List.of(Map.of(), "jkt", List.of(F.holder.thumbprint()), Map.of("jkt", 1), Map.of("jkt", ""),
        Map.of("jwk", Map.of("kty", "EC")), Map.of("jkt", F.holder.thumbprint(), "kid", "k1"))) {
      String token = F.issuer.accessToken().claim("cnf", cnf).sign();
      assertThat(reasonFor(VERIFIER, request(token, F.proof(token).sign()))).as(String.valueOf(cnf)).isEqualTo(BINDING_MISMATCH);
      assertThat(reasonFor(VERIFIER, TokenRequest.bearer(token))).as(String.valueOf(cnf)).isEqualTo(BINDING_MISMATCH);
    }
    String nullCnf = F.issuer.accessToken().claim("cnf", null).sign();
    assertThat(reasonFor(VERIFIER, TokenRequest.bearer(nullCnf))).isEqualTo(BINDING_MISMATCH);
  }
}
