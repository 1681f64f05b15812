package dev.tokenguard;

import static dev.tokenguard.DpopFixture.reasonFor;
import static dev.tokenguard.DpopFixture.refusal;
import static dev.tokenguard.DpopFixture.request;
import static dev.tokenguard.TokenVerificationException.Reason.BINDING_MISMATCH;
import static dev.tokenguard.TokenVerificationException.Reason.DPOP_REQUIRED;
import static dev.tokenguard.TokenVerificationException.Reason.INSUFFICIENT_SCOPE;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_DPOP_PROOF;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.dpop.ReplayStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 9449 section 7: which scheme a token may come with. A DPoP-bound token never as a bearer
 * token (section 7.2); the DPoP scheme only with a DPoP-bound token and its proof (section 7.1);
 * DPoP required per path ({@link Requirement#withDpop()}) or per API ({@link DpopPolicy#required()}),
 * or off ({@link DpopPolicy#disabled()}). The checks run on every request, also when the token
 * comes from the verified-token cache.
 */
class DpopPresentationTest {
  private static final DpopFixture F = new DpopFixture();
  private static final AccessTokenVerifier VERIFIER = F.verifier();

  @AfterAll
  static void stop() {
    F.close();
  }

  // Section 7.2 (H-15): a DPoP-bound token received as a bearer token is a downgrade.
  @Test
  void refusesADpopBoundTokenPresentedAsABearerToken() {
    TokenVerificationException e = refusal(VERIFIER, TokenRequest.bearer(F.boundToken()));
    assertThat(e.reason()).isEqualTo(BINDING_MISMATCH);
    assertThat(e.errorCode()).isEqualTo("invalid_token");
    assertThat(e.getMessage()).contains("section 7.2");
  }

  @Test
  void refusesTheDowngradeAlsoWhenTheTokenIsCached() {
    String token = F.boundToken();
    assertThat(VERIFIER.verify(request(token, F.proof(token).sign()))).isNotNull();
    assertThat(reasonFor(VERIFIER, TokenRequest.bearer(token))).isEqualTo(BINDING_MISMATCH);
  }

  // Section 7.1: the DPoP scheme is for DPoP-bound tokens; check 12 cannot pass without a bound key.
  @Test
  void refusesAnUnboundTokenPresentedWithTheDpopScheme() {
    DpopFixture.RecordingStore store = new DpopFixture.RecordingStore(ReplayStores.inMemory(10, F.clock));
    AccessTokenVerifier verifier = F.verifier(DpopPolicy.defaults().withReplayStore(store));
    String unbound = F.issuer.accessToken().sign();
    TokenVerificationException e = refusal(verifier, request(unbound, F.proof(unbound).sign()));
    assertThat(e.reason()).isEqualTo(BINDING_MISMATCH);
    assertThat(e.getMessage()).contains("not DPoP-bound");
    assertThat(reasonFor(verifier, request(unbound, null))).isEqualTo(BINDING_MISMATCH);
    assertThat(store.writes()).isZero();
  }

  @Test
  void acceptsAnUnboundTokenAsABearerTokenByDefault() {
    AccessToken token = VERIFIER.verify(TokenRequest.bearer(F.issuer.accessToken().sign()));
    assertThat(token.isSenderConstrained()).isFalse();
    assertThat(token.dpopKeyThumbprint()).isEmpty();
  }

  @Test
  void aPathRequiringDpopRefusesBearerTokens() {
    Requirement dpop = Requirement.allScopes("read:patients").withDpop();
    String unbound = F.issuer.accessToken().scopes("read:patients").sign();
    TokenVerificationException e = refusal(VERIFIER, TokenRequest.bearer(unbound).requiring(dpop));
    assertThat(e.reason()).isEqualTo(DPOP_REQUIRED);
    assertThat(e.errorCode()).isEqualTo("invalid_token");
    assertThat(e.httpStatus()).isEqualTo(401);
    String bound = F.issuer.accessToken().scopes("read:patients").dpopBound(F.holder).sign();
    assertThat(reasonFor(VERIFIER, TokenRequest.bearer(bound).requiring(dpop))).isEqualTo(DPOP_REQUIRED);
    assertThat(reasonFor(VERIFIER, request(unbound, F.proof(unbound).sign()).requiring(dpop))).isEqualTo(BINDING_MISMATCH);
    assertThat(VERIFIER.verify(request(bound, F.proof(bound).sign()).requiring(dpop))).isNotNull();
    // Other paths of the same verifier still take bearer tokens.
    assertThat(VERIFIER.verify(TokenRequest.bearer(unbound).requiring(Requirement.allScopes("read:patients")))).isNotNull();
  }

  @Test
  void anApiRequiringDpopRefusesBearerTokensEverywhere() {
    AccessTokenVerifier required = F.verifier(DpopPolicy.defaults().required());
    assertThat(reasonFor(required, TokenRequest.bearer(F.issuer.accessToken().sign()))).isEqualTo(DPOP_REQUIRED);
    String bound = F.boundToken();
    assertThat(required.verify(request(bound, F.proof(bound).sign()))).isNotNull();
    assertThat(required.dpopPolicy().isRequired()).isTrue();
  }

  @Test
  void withDpopDisabledNoTokenIsAcceptedWithTheDpopScheme() {
    AccessTokenVerifier off = F.verifier(DpopPolicy.disabled());
    String bound = F.boundToken();
    assertThat(refusal(off, request(bound, F.proof(bound).sign())).getMessage()).contains("disabled");
    assertThat(reasonFor(off, TokenRequest.bearer(bound))).isEqualTo(BINDING_MISMATCH);
    assertThat(reasonFor(off, TokenRequest.bearer(F.issuer.accessToken().sign()).requiring(Requirement.none().withDpop())))
        .isEqualTo(DPOP_REQUIRED);
    assertThat(off.verify(TokenRequest.bearer(F.issuer.accessToken().sign()))).isNotNull();
    assertThat(off.dpopPolicy().isEnabled()).isFalse();
  }

  // The binding is per request: a cached token is not a pass for a bad proof.
  @Test
  void everyRequestWithACachedTokenNeedsItsOwnValidProof() {
    AccessTokenVerifier verifier = F.verifier();
    String token = F.boundToken();
    assertThat(verifier.verify(request(token, F.proof(token).sign()))).isNotNull();
    assertThat(reasonFor(verifier, request(token, F.proof(token).htm("POST").sign()))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(reasonFor(verifier, request(token, null))).isEqualTo(INVALID_DPOP_PROOF);
    assertThat(verifier.verify(request(token, F.proof(token).sign()))).isNotNull();
    assertThat(((DefaultAccessTokenVerifier) verifier).cachedTokenCount()).isEqualTo(1);
  }

  // The requirement is checked before the proof is recorded: a refused request does not use it up.
  @Test
  void aProofRefusedForScopeIsNotUsedUp() {
    String token = F.issuer.accessToken().scopes("read:patients").dpopBound(F.holder).sign();
    String proof = F.proof(token).sign();
    assertThat(reasonFor(VERIFIER, request(token, proof).requiring(Requirement.allScopes("read:admin"))))
        .isEqualTo(INSUFFICIENT_SCOPE);
    assertThat(VERIFIER.verify(request(token, proof).requiring(Requirement.allScopes("read:patients")))).isNotNull();
  }

  @Test
  void theVerifierReportsItsPolicy() {
    assertThat(VERIFIER.dpopPolicy().isEnabled()).isTrue();
    assertThat(VERIFIER.dpopPolicy().isRequired()).isFalse();
    assertThat(VERIFIER.dpopPolicy().algorithms()).containsExactlyInAnyOrder(Algorithm.ES256, Algorithm.PS256,
        Algorithm.RS256, Algorithm.EdDSA);
    AccessTokenVerifier lambda = request -> null;
    assertThat(lambda.dpopPolicy().isEnabled()).isFalse();
  }
}
