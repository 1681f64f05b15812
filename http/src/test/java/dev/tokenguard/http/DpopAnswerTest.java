package dev.tokenguard.http;

import static dev.tokenguard.http.Answers.bearerParams;
import static dev.tokenguard.http.Answers.body;
import static dev.tokenguard.http.Answers.dpopParams;
import static dev.tokenguard.http.Answers.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Algorithm;
import dev.tokenguard.DpopPolicy;
import dev.tokenguard.Requirement;
import dev.tokenguard.TokenRequest;
import dev.tokenguard.dpop.DpopNonces;
import dev.tokenguard.dpop.ReplayStoreUnavailableException;
import dev.tokenguard.testing.DpopProofBuilder;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code DPoP} scheme as the HTTP layer answers it (RFC 9449 sections 4.3, 7, 8, 9; RFC 8705
 * section 3), with in-memory requests and the real verifier: which schemes a path accepts, where the
 * error goes when both are challenged, the {@code DPoP} header (exactly one, none with a bearer
 * token), the target URI built from the public URL and the raw path and never from {@code Host},
 * nonces, the replay store, and certificate-bound tokens. The servlet filter's {@code
 * DpopFilterAttackTest} sends the same attacks over HTTP.
 */
class DpopAnswerTest {
  static final String PUBLIC_URL = "https://api.example.test";
  static final String PATIENTS = "/api/patients";
  static final URI TARGET = URI.create(PUBLIC_URL + PATIENTS);
  static final String ALGS = "ES256 EdDSA PS256 RS256";

  final TestClock clock = TestClock.startingNow();
  final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  final TestKey holder = TestKey.ecP256();

  @AfterEach
  void stop() {
    issuer.close();
  }

  ProtectedResource.Builder resource(AccessTokenVerifier verifier) {
    return ProtectedResource.builder(verifier)
        .realm("x")
        .permit("/api/public")
        .requireScopes(PATIENTS, "read:patients")
        .require("/api/transfers", Requirement.none().withDpop())
        .publicUrl(URI.create(PUBLIC_URL));
  }

  /** The same without the path that requires DPoP, for verifiers with DPoP off. */
  ProtectedResource.Builder withoutDpopPath(AccessTokenVerifier verifier) {
    return ProtectedResource.builder(verifier).realm("x").requireScopes(PATIENTS, "read:patients").publicUrl(URI.create(PUBLIC_URL));
  }

  ProtectedResource resource() {
    return resource(issuer.verifierBuilder().build()).build();
  }

  String bound() {
    return issuer.accessToken().dpopBound(holder).scopes("read:patients").sign();
  }

  DpopProofBuilder proof(String token) {
    return issuer.dpopProof(holder, "GET", TARGET).accessToken(token);
  }

  static Decision decide(ProtectedResource r, InMemoryRequest request) {
    try {
      return r.decide(request);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static InMemoryRequest get(String path) {
    return InMemoryRequest.get(path);
  }

  @Nested
  class Schemes {
    @Test
    void withoutCredentialsBothSchemesAreChallengedWithoutError() {
      Answer answer = refused(decide(resource(), get(PATIENTS)), 401);
      assertThat(answer.headers().get("WWW-Authenticate")).containsExactly("Bearer realm=\"x\"", "DPoP realm=\"x\", algs=\"" + ALGS + "\"");
      assertThat(answer.headers()).doesNotContainKey("DPoP-Nonce");
    }

    @Test
    void algsNamesTheConfiguredAlgorithms() {
      ProtectedResource r = resource(issuer.verifierBuilder().dpop(DpopPolicy.defaults().withAlgorithms(Algorithm.PS256, Algorithm.ES256))
          .build()).build();
      assertThat(dpopParams(refused(decide(r, get(PATIENTS)), 401))).containsEntry("algs", "ES256 PS256");
    }

    @Test
    void aPathRequiringDpopChallengesWithDpopAlone() {
      Answer answer = refused(decide(resource(), get("/api/transfers")), 401);
      assertThat(answer.headers().get("WWW-Authenticate")).containsExactly("DPoP realm=\"x\", algs=\"" + ALGS + "\"");
    }

    @Test
    void aPolicyRequiringDpopChallengesWithDpopAloneEverywhereAndSaysSoInTheMetadata() {
      ProtectedResource r = resource(issuer.verifierBuilder().dpop(DpopPolicy.defaults().required()).build())
          .publishMetadata(ProtectedResourceMetadata.builder(PUBLIC_URL).build()).build();
      assertThat(refused(decide(r, get(PATIENTS)), 401).headers().get("WWW-Authenticate")).containsExactly(
          "DPoP realm=\"x\", algs=\"" + ALGS + "\", resource_metadata=\"" + PUBLIC_URL + "/.well-known/oauth-protected-resource\"");
      assertThat(r.metadata().orElseThrow().toJson()).endsWith(
          "\"dpop_signing_alg_values_supported\":[\"ES256\",\"EdDSA\",\"PS256\",\"RS256\"],\"dpop_bound_access_tokens_required\":true}");
      String unbound = issuer.accessToken().scopes("read:patients").sign();
      Answer bearer = refused(decide(r, get(PATIENTS).bearer(unbound)), 401);
      assertThat(Schemes.dpopOnly(bearer)).containsEntry("error", "invalid_token")
          .containsEntry("error_description", "This resource requires a DPoP-bound access token sent with the DPoP scheme.");
    }

    @Test
    void theMetadataNamesTheProofAlgorithmsUnlessItNamesItsOwn() {
      ProtectedResource own = resource(issuer.verifierBuilder().build())
          .publishMetadata(ProtectedResourceMetadata.builder(PUBLIC_URL).dpopSigningAlgValuesSupported("ES256").build()).build();
      assertThat(own.metadata().orElseThrow().dpopSigningAlgValuesSupported()).containsExactly("ES256");
      assertThat(own.metadata().orElseThrow().dpopBoundAccessTokensRequired()).isEmpty();
      ProtectedResource off = withoutDpopPath(issuer.verifierBuilder().dpop(DpopPolicy.disabled()).build())
          .publishMetadata(ProtectedResourceMetadata.builder(PUBLIC_URL).build()).build();
      assertThat(off.metadata().orElseThrow().toJson()).doesNotContain("dpop");
    }

    /** Which challenge alone is there, parsed. */
    static Map<String, String> dpopOnly(Answer answer) {
      List<String> challenges = answer.headers().get("WWW-Authenticate");
      assertThat(challenges).hasSize(1);
      Challenges.assertWellFormed(challenges.get(0));
      return Challenges.params(challenges.get(0));
    }
  }

  @Nested
  class Accepted {
    @Test
    void aBoundTokenWithItsProofIsAcceptedAsDpop() {
      String token = bound();
      Decision d = decide(resource(), get(PATIENTS).dpop(token, proof(token).sign()));
      assertThat(d.isAllowed()).as("%s", d).isTrue();
      assertThat(d.authenticationScheme()).contains("DPoP");
      assertThat(d.accessToken().orElseThrow().dpopKeyThumbprint()).contains(holder.thumbprint());
      assertThat(d.responseHeaders()).as("no nonces, nothing to add").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"DPoP ", "dpop ", "DPOP ", "dPoP   "})
    void theSchemeNameIsCaseInsensitive(String scheme) {
      String token = bound();
      Decision d = decide(resource(), get(PATIENTS).header("Authorization", scheme + token).header("DPoP", proof(token).sign()));
      assertThat(d.isAllowed()).as("%s", d).isTrue();
    }

    @Test
    void anUnboundTokenIsStillABearerToken() {
      Decision d = decide(resource(), get(PATIENTS).bearer(issuer.accessToken().scopes("read:patients").sign()));
      assertThat(d.isAllowed()).isTrue();
      assertThat(d.authenticationScheme()).contains("Bearer");
    }

    @Test
    void theTargetIsThePublicUrlAndTheRawPathNeverTheHostHeader() {
      String token = bound();
      URI evil = URI.create("https://evil.example" + PATIENTS);
      String forEvil = issuer.dpopProof(holder, "GET", evil).accessToken(token).sign();
      InMemoryRequest request = get(PATIENTS).dpop(token, forEvil)
          .header("Host", "evil.example").header("X-Forwarded-Host", "evil.example").header("X-Forwarded-Proto", "https")
          .header("Forwarded", "host=evil.example;proto=https");
      Answer answer = refused(decide(resource(), request), 401);
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_dpop_proof");

      // The raw path as sent (percent-encoded, a path parameter) is what the proof names, normalised.
      String encoded = issuer.dpopProof(holder, "GET", URI.create(PUBLIC_URL + "/api/patients/%7Ea;v=1")).accessToken(token).sign();
      assertThat(decide(resource(), get("/api/patients/~a").rawPath("/api/patients/%7ea;v=1").dpop(token, encoded)).isAllowed()).isTrue();
    }

    @Test
    void thePublicUrlKeepsItsPathPrefix() {
      ProtectedResource prefixed = ProtectedResource.builder(issuer.verifierBuilder().build())
          .publicUrl(URI.create("https://gateway.example.test/health/")).build();
      String token = bound();
      String proof = issuer.dpopProof(holder, "GET", URI.create("https://gateway.example.test/health/api/me")).accessToken(token).sign();
      assertThat(decide(prefixed, get("/api/me").dpop(token, proof)).isAllowed()).isTrue();
    }
  }

  @Nested
  class Refused {
    @Test
    void aBoundTokenPresentedAsABearerTokenIsRefusedOnTheBearerChallenge() {
      Answer answer = refused(decide(resource(), get(PATIENTS).bearer(bound())), 401);
      assertThat(bearerParams(answer)).containsEntry("error", "invalid_token").containsEntry("error_description",
          "The access token's binding to a key or certificate does not match how this request presents it.");
      assertThat(dpopParams(answer)).doesNotContainKey("error").containsEntry("algs", ALGS);
    }

    @Test
    void theDpopSchemeWithoutAProofIsAnInvalidProof() {
      Answer answer = refused(decide(resource(), get(PATIENTS).dpop(bound(), null)), 401);
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_dpop_proof")
          .containsEntry("error_description", "The DPoP proof is missing or invalid.");
      assertThat(bearerParams(answer)).doesNotContainKey("error");
      assertThat(body(answer)).isEqualTo("{\"error\":\"invalid_dpop_proof\",\"error_description\":\"The DPoP proof is missing or invalid.\"}");
    }

    /** RFC 9449 section 4.3 check 1, refused before the verifier spends anything on the token. */
    @Test
    void twoDpopHeaderLinesAreAnInvalidProof() {
      String token = bound();
      AccessTokenVerifier[] called = {null};
      AccessTokenVerifier verifier = issuer.verifierBuilder().build();
      AccessTokenVerifier spy = new AccessTokenVerifier() {
        @Override
        public dev.tokenguard.AccessToken verify(TokenRequest request) {
          called[0] = this;
          return verifier.verify(request);
        }

        @Override
        public DpopPolicy dpopPolicy() {
          return verifier.dpopPolicy();
        }
      };
      InMemoryRequest request = get(PATIENTS).dpop(token, proof(token).sign()).header("DPoP", proof(token).sign());
      Answer answer = refused(decide(resource(spy).build(), request), 401);
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_dpop_proof")
          .containsEntry("error_description", "The request carries more than one DPoP header.");
      assertThat(bearerParams(answer)).doesNotContainKey("error");
      assertThat(called[0]).as("the verifier was not asked").isNull();
    }

    @Test
    void twoProofsFoldedIntoOneLineAreAnInvalidProof() {
      String token = bound();
      Answer answer = refused(decide(resource(), get(PATIENTS).dpop(token, proof(token).sign() + ", " + proof(token).sign())), 401);
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_dpop_proof");
    }

    /** A stray DPoP header on a bearer request: ambiguous, so 400 on both challenges (RFC 9449 section 7.2, Figure 19). */
    @Test
    void aDpopHeaderWithABearerTokenIsAnInvalidRequestOnBothChallenges() {
      String unbound = issuer.accessToken().scopes("read:patients").sign();
      String strayProof = issuer.dpopProof(holder, "GET", TARGET).accessToken(unbound).sign();
      Answer answer = refused(decide(resource(), get(PATIENTS).bearer(unbound).header("DPoP", strayProof)), 400);
      assertThat(bearerParams(answer)).containsEntry("error", "invalid_request")
          .containsEntry("error_description", ProtectedResource.STRAY_PROOF);
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_request")
          .containsEntry("error_description", ProtectedResource.STRAY_PROOF);
      InMemoryRequest query = InMemoryRequest.get(PATIENTS + "?access_token=" + unbound).header("DPoP", strayProof);
      ProtectedResource withQuery = resource(issuer.verifierBuilder().build()).acceptQueryParameter().build();
      assertThat(bearerParams(refused(decide(withQuery, query), 400))).containsEntry("error", "invalid_request");
    }

    /** RFC 9449 Figure 19: two Authorization lines, one per scheme. */
    @Test
    void bothSchemesAtOnceAreAnInvalidRequestOnBothChallenges() {
      String token = bound();
      Answer answer = refused(decide(resource(), get(PATIENTS).bearer(token).dpop(token, proof(token).sign())), 400);
      assertThat(bearerParams(answer)).containsEntry("error", "invalid_request");
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"DPoP", "DPoP ", "DPoP\tabc", "DPoPabc.def.ghi"})
    void theDpopSchemeWithoutItsTokenIsAnInvalidRequestOnTheDpopChallenge(String value) {
      Answer answer = refused(decide(resource(), get(PATIENTS).header("Authorization", value)), 400);
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_request");
      assertThat(bearerParams(answer)).doesNotContainKey("error");
    }

    @Test
    void aMalformedDpopTokenIsInvalidOnTheDpopChallenge() {
      Answer answer = refused(decide(resource(), get(PATIENTS).dpop("abc$def", proof("abc$def").sign())), 401);
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_token");
      assertThat(bearerParams(answer)).doesNotContainKey("error");
    }

    @Test
    void anUnboundTokenWithTheDpopSchemeIsAnInvalidToken() {
      String unbound = issuer.accessToken().scopes("read:patients").sign();
      Answer answer = refused(decide(resource(), get(PATIENTS).dpop(unbound, proof(unbound).sign())), 401);
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_token");
      assertThat(bearerParams(answer)).doesNotContainKey("error");
    }

    @Test
    void aProofForAnotherMethodOrPathOrTokenIsAnInvalidProof() {
      String token = bound();
      for (String proof : List.of(
          proof(token).htm("POST").sign(),
          proof(token).htu(PUBLIC_URL + "/api/admin").sign(),
          proof(token).htu("http://api.example.test" + PATIENTS).sign(),
          proof(bound()).sign())) {
        assertThat(dpopParams(refused(decide(resource(), get(PATIENTS).dpop(token, proof)), 401)))
            .containsEntry("error", "invalid_dpop_proof");
      }
    }

    @Test
    void aProofByAnotherKeyIsAnInvalidToken() {
      String token = bound();
      String proof = issuer.dpopProof(TestKey.ecP256(), "GET", TARGET).accessToken(token).sign();
      Answer answer = refused(decide(resource(), get(PATIENTS).dpop(token, proof)), 401);
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_token");
    }

    @Test
    void aReplayedProofIsAnInvalidProof() {
      String token = bound();
      String proof = proof(token).sign();
      ProtectedResource r = resource();
      assertThat(decide(r, get(PATIENTS).dpop(token, proof)).isAllowed()).isTrue();
      assertThat(dpopParams(refused(decide(r, get(PATIENTS).dpop(token, proof)), 401))).containsEntry("error", "invalid_dpop_proof");
    }

    @Test
    void aValidDpopTokenWithoutTheScopeIs403OnTheDpopChallenge() {
      String token = issuer.accessToken().dpopBound(holder).scopes("other").sign();
      Answer answer = refused(decide(resource(), get(PATIENTS).dpop(token, proof(token).sign())), 403);
      assertThat(dpopParams(answer)).containsEntry("error", "insufficient_scope").containsEntry("scope", "read:patients");
      assertThat(bearerParams(answer)).doesNotContainKey("error");
    }

    @Test
    void aBearerTokenOnAPathRequiringDpopIsRefusedOnTheDpopChallenge() {
      Answer answer = refused(decide(resource(), get("/api/transfers").bearer(issuer.accessToken().sign())), 401);
      assertThat(Schemes.dpopOnly(answer)).containsEntry("error", "invalid_token");
      String token = issuer.accessToken().dpopBound(holder).sign();
      String proof = issuer.dpopProof(holder, "GET", URI.create(PUBLIC_URL + "/api/transfers")).accessToken(token).sign();
      assertThat(decide(resource(), get("/api/transfers").dpop(token, proof)).isAllowed()).as("control").isTrue();
    }

    @Test
    void aReplayStoreThatCannotAnswerIs503WithRetryAfterAndNoError() {
      AccessTokenVerifier verifier = issuer.verifierBuilder().dpop(DpopPolicy.defaults().withReplayStore((key, until) -> {
        throw new ReplayStoreUnavailableException("down");
      })).build();
      String token = bound();
      Answer answer = refused(decide(resource(verifier).build(), get(PATIENTS).dpop(token, proof(token).sign())), 503);
      assertThat(answer.headers().get("Retry-After")).containsExactly("30");
      assertThat(bearerParams(answer)).doesNotContainKey("error");
      assertThat(dpopParams(answer)).doesNotContainKey("error");
      assertThat(body(answer)).startsWith("{\"error\":\"temporarily_unavailable\"");
    }

    /** An adapter written before DPoP cannot tell the request target: DPoP is refused, never accepted unchecked. */
    @Test
    void anAdapterThatCannotTellTheTargetGetsDpopRefused() {
      String token = bound();
      Answer answer = refused(decide(resource(), get(PATIENTS).rawPath(null).dpop(token, proof(token).sign())), 401);
      assertThat(dpopParams(answer)).containsEntry("error", "invalid_dpop_proof")
          .containsEntry("error_description", ProtectedResource.NO_TARGET);
      Answer bad = refused(decide(resource(), get(PATIENTS).rawPath("/a b").dpop(token, proof(token).sign())), 401);
      assertThat(dpopParams(bad)).containsEntry("error", "invalid_dpop_proof");
      Answer method = refused(decide(resource(), get(PATIENTS).method("G T").dpop(token, proof(token).sign())), 401);
      assertThat(dpopParams(method)).containsEntry("error", "invalid_dpop_proof");
    }
  }

  @Nested
  class Nonces {
    final byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    final DpopNonces nonces = DpopNonces.fromSecret(secret).withClock(clock);
    final ProtectedResource r = resource(issuer.verifierBuilder().dpop(DpopPolicy.defaults().withNonces(nonces)).build()).build();

    @Test
    void aProofWithoutTheNonceGets401UseDpopNonceAndTheNonce() {
      String token = bound();
      Answer answer = refused(decide(r, get(PATIENTS).dpop(token, proof(token).sign())), 401);
      assertThat(dpopParams(answer)).containsEntry("error", "use_dpop_nonce");
      assertThat(bearerParams(answer)).doesNotContainKey("error");
      assertThat(answer.headers().get("DPoP-Nonce")).containsExactly(nonces.current());
      assertThat(answer.headers().get("Cache-Control")).containsExactly("no-store");

      Answer wrong = refused(decide(r, get(PATIENTS).dpop(token, proof(token).nonce("not-the-nonce").sign())), 401);
      assertThat(dpopParams(wrong)).containsEntry("error", "use_dpop_nonce");
      assertThat(wrong.headers().get("DPoP-Nonce")).containsExactly(nonces.current());
    }

    @Test
    void anAllowedDpopRequestGetsTheCurrentNonceAndNoStore() {
      String token = bound();
      Decision d = decide(r, get(PATIENTS).dpop(token, proof(token).nonce(nonces.current()).sign()));
      assertThat(d.isAllowed()).as("%s", d).isTrue();
      assertThat(d.responseHeaders()).containsExactly(
          Map.entry("DPoP-Nonce", List.of(nonces.current())), Map.entry("Cache-Control", List.of("no-store")));
      clock.advance(Duration.ofMinutes(5));
      String later = bound();
      Decision next = decide(r, get(PATIENTS).dpop(later, proof(later).nonce(nonces.current()).sign()));
      assertThat(next.responseHeaders().get("DPoP-Nonce")).as("the nonce rotated").containsExactly(nonces.current());
    }

    @Test
    void aBearerRequestGetsNoNonce() {
      Decision d = decide(r, get(PATIENTS).bearer(issuer.accessToken().scopes("read:patients").sign()));
      assertThat(d.isAllowed()).isTrue();
      assertThat(d.responseHeaders()).isEmpty();
      assertThat(refused(decide(r, get(PATIENTS)), 401).headers()).doesNotContainKey("DPoP-Nonce");
    }
  }

  @Nested
  class CertificateBound {
    final TestKey client = TestKey.ecP256();

    @Test
    void aCertificateBoundTokenNeedsItsCertificateWithEitherScheme() {
      String token = issuer.accessToken().certificateBound(client.certificate()).scopes("read:patients").sign();
      assertThat(decide(resource(), get(PATIENTS).bearer(token).certificate(client.certificate())).isAllowed()).isTrue();
      assertThat(bearerParams(refused(decide(resource(), get(PATIENTS).bearer(token)), 401))).containsEntry("error", "invalid_token");
      Answer other = refused(decide(resource(), get(PATIENTS).bearer(token).certificate(TestKey.ecP256().certificate())), 401);
      assertThat(bearerParams(other)).containsEntry("error", "invalid_token");
    }

    @Test
    void aTokenBoundBothWaysNeedsTheProofAndTheCertificate() {
      String token = issuer.accessToken().dpopBound(holder).certificateBound(client.certificate()).scopes("read:patients").sign();
      assertThat(decide(resource(), get(PATIENTS).dpop(token, proof(token).sign()).certificate(client.certificate())).isAllowed())
          .isTrue();
      assertThat(dpopParams(refused(decide(resource(), get(PATIENTS).dpop(token, proof(token).sign())), 401)))
          .containsEntry("error", "invalid_token");
    }
  }

  @Nested
  class WithoutDpop {
    @Test
    void aVerifierWithDpopOffMakesABearerOnlyResource() {
      ProtectedResource off = withoutDpopPath(issuer.verifierBuilder().dpop(DpopPolicy.disabled()).build()).build();
      String token = bound();
      Answer answer = refused(decide(off, get(PATIENTS).dpop(token, proof(token).sign())), 401);
      assertThat(answer.headers().get("WWW-Authenticate")).as("an unknown scheme: no credentials, no error (RFC 6750 3.1)")
          .containsExactly("Bearer realm=\"x\"");
      String unbound = issuer.accessToken().scopes("read:patients").sign();
      assertThat(decide(off, get(PATIENTS).bearer(unbound).header("DPoP", "x.y.z")).isAllowed())
          .as("a resource that knows no DPoP ignores the header").isTrue();
    }

    @Test
    void withoutAPublicUrlTheDpopSchemeIsNotAccepted() {
      ProtectedResource noUrl = ProtectedResource.builder(issuer.verifierBuilder().build()).build();
      String token = bound();
      Answer answer = refused(decide(noUrl, get(PATIENTS).dpop(token, proof(token).sign())), 401);
      assertThat(answer.headers().get("WWW-Authenticate")).containsExactly("Bearer realm=\"api\"");
      assertThat(noUrl.dpopAccepted).isFalse();
    }

    @Test
    void requiringDpopThatCannotBeAcceptedDoesNotBuild() {
      AccessTokenVerifier off = issuer.verifierBuilder().dpop(DpopPolicy.disabled()).build();
      assertThatThrownBy(() -> resource(off).build()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("/api/transfers").hasMessageContaining("DPoP disabled");
      AccessTokenVerifier on = issuer.verifierBuilder().build();
      assertThatThrownBy(() -> ProtectedResource.builder(on).require("/a", Requirement.none().withDpop()).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("public URL");
      AccessTokenVerifier required = issuer.verifierBuilder().dpop(DpopPolicy.defaults().required()).build();
      assertThatThrownBy(() -> ProtectedResource.builder(required).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("policy requires DPoP");
    }

    @Test
    void aPublicUrlNeedsNoMetadata() {
      ProtectedResource r = ProtectedResource.builder(issuer.verifierBuilder().build()).publicUrl(URI.create(PUBLIC_URL)).build();
      assertThat(r.metadata()).isEmpty();
      assertThat(r.metadataUrl()).isEmpty();
      assertThat(Arrays.asList(refused(decide(r, get("/x")), 401).headers().get("WWW-Authenticate").toArray()))
          .containsExactly("Bearer realm=\"api\"", "DPoP realm=\"api\", algs=\"" + ALGS + "\"");
    }
  }
}
