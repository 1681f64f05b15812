package dev.tokenguard.jaxrs;

import static dev.tokenguard.jaxrs.Challenges.params;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.DpopPolicy;
import dev.tokenguard.dpop.DpopNonces;
import dev.tokenguard.support.Http;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The feature on Jersey 4 over real HTTP: what resources see, the answers, the opt-in methods. */
class BearerTokenFeatureTest {
  static ResourceConfig healthApi() {
    return new ResourceConfig(HealthApi.Api.class, HealthApi.Patients.class, HealthApi.Wards.class, HealthApi.Property.class)
        .property(ServerProperties.WADL_FEATURE_DISABLE, true);
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class WithDefaults {
    private final FakeIssuer issuer = FakeIssuer.start();
    private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();
    private final JerseyServer server = JerseyServer.start(healthApi().register(BearerTokenFeature.builder(verifier).realm("health-api").build()));

    @AfterAll
    void stop() {
      server.close();
      verifier.close();
      issuer.close();
    }

    private HttpResponse<String> get(String path, String token) {
      return Http.get(server.uri(path), "Authorization", "Bearer " + token);
    }

    @Test
    void theResourceSeesTheSubjectAsPrincipalAndTheScopesAsRoles() {
      HttpResponse<String> r = get("/api/patients/7", issuer.accessToken().subject("auth0|nurse").scopes("read:patients").sign());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("id=7\ntoken=auth0|nurse\nprincipal=auth0|nurse\nscheme=Bearer\n"
          + "role:read:patients=true\nrole:read:admin=false\n");
    }

    @Test
    void otherFiltersFindTheTokenInTheRequestProperty() {
      HttpResponse<String> r = get("/api/property", issuer.accessToken().subject("auth0|carol").sign());
      assertThat(r.body()).isEqualTo("property=auth0|carol");
    }

    @Test
    void aPublicMethodSeesNoTokenEvenWhenOneIsSent() {
      HttpResponse<String> r = get("/api/public", issuer.accessToken().sign());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("token=null\nprincipal=null\n");
    }

    @Test
    void aMethodAnnotationReplacesItsClassAnnotation() {
      assertThat(Http.get(server.uri("/api/patients/count")).statusCode()).isEqualTo(200);
      assertThat(Http.get(server.uri("/api/patients")).statusCode()).isEqualTo(401);
    }

    @Test
    void theAnswerIsTheHttpLayersAnswerHeaderForHeader() {
      HttpResponse<String> r = get("/api/admin", issuer.accessToken().scopes("read:patients").sign());
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"health-api\", error=\"insufficient_scope\", "
          + "error_description=\"The access token lacks the scope this request requires.\", scope=\"read:admin\"");
      assertThat(r.headers().allValues("Cache-Control")).containsExactly("no-store");
      assertThat(r.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(r.body()).isEqualTo("{\"error\":\"insufficient_scope\",\"error_description\":"
          + "\"The access token lacks the scope this request requires.\",\"scope\":\"read:admin\"}");
    }

    @Test
    void noCredentialsGetsTheBareChallengeAndAJsonBodyWithoutError() {
      HttpResponse<String> r = Http.get(server.uri("/api/me"));
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"health-api\"");
      assertThat(r.body()).isEqualTo("{\"error_description\":\"This request requires an access token.\"}");
    }

    @Test
    void aSubResourceFromALocatorIsProtectedByItsOwnAnnotationsAndNeedsATokenWithout() {
      assertThat(Http.get(server.uri("/api/wards/north")).statusCode()).isEqualTo(401);
      HttpResponse<String> ok = get("/api/wards/north", issuer.accessToken().subject("auth0|porter").sign());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).startsWith("ward=north\ntoken=auth0|porter\n");

      HttpResponse<String> lacking = get("/api/wards/north/beds", issuer.accessToken().sign());
      assertThat(lacking.statusCode()).isEqualTo(403);
      assertThat(params(lacking.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("scope", "read:beds");
      assertThat(get("/api/wards/north/beds", issuer.accessToken().scopes("read:beds").sign()).statusCode()).isEqualTo(200);
    }

    /** The check binds to the method the runtime matched, so no spelling of its path reaches it without the scope. */
    @ParameterizedTest
    @ValueSource(strings = {"/api/admin", "/api/admin/", "/api/admin;x=1", "/api/%61dmin", "/api/./admin", "/api/public/../admin",
        "/api//admin", "/api/public/%2e%2e/admin", "/API/admin"})
    void noSpellingOfAProtectedPathReachesItsMethodWithoutTheScope(String path) {
      HttpResponse<String> r = get(path, issuer.accessToken().scopes("read:patients").sign());
      assertThat(r.statusCode()).as("%s: %s", path, r.body()).isIn(403, 404);
      assertThat(r.body()).doesNotContain("token=");
    }

    @Test
    void queryAndFormTokensAreRefusedUnlessEnabled() {
      String token = issuer.accessToken().sign();
      assertThat(Http.get(server.uri("/api/me?access_token=" + token)).statusCode()).isEqualTo(400);
      assertThat(Http.post(server.uri("/api/notes"), "application/x-www-form-urlencoded", "note=hi&access_token=" + token).statusCode())
          .isEqualTo(401);
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class WithQueryAndFormMethods {
    private final FakeIssuer issuer = FakeIssuer.start();
    private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();
    private final JerseyServer server = JerseyServer.start(healthApi()
        .register(BearerTokenFeature.builder(verifier).acceptQueryParameter().acceptFormBody().build()));

    @AfterAll
    void stop() {
      server.close();
      verifier.close();
      issuer.close();
    }

    @Test
    void aQueryTokenIsAcceptedAndTheResponseIsMarkedPrivate() {
      HttpResponse<String> r = Http.get(server.uri("/api/me?access_token=" + issuer.accessToken().subject("auth0|q").sign()));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("token=auth0|q\n");
      assertThat(r.headers().allValues("Cache-Control")).containsExactly("private");
    }

    @Test
    void aFormTokenIsAcceptedAndTheResourceStillReadsTheWholeForm() {
      String token = issuer.accessToken().subject("auth0|f").sign();
      HttpResponse<String> r = Http.post(server.uri("/api/notes"), "application/x-www-form-urlencoded", "note=h%C3%A9llo&access_token=" + token);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.body()).startsWith("note=h\u00e9llo\ntoken=auth0|f\n");
    }

    @Test
    void aTokenSentTwiceIsAMalformedRequest() {
      String token = issuer.accessToken().sign();
      HttpResponse<String> r = Http.get(server.uri("/api/me?access_token=" + token), "Authorization", "Bearer " + token);
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(params(r.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("error", "invalid_request");
    }
  }

  /**
   * DPoP (RFC 9449) through the feature, with server nonces: the proof's {@code htu} names the
   * public URL and the request URI's raw path; the nonce comes back in {@code DPoP-Nonce}, on the
   * refusal and on the application's response.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class WithDpop {
    private final FakeIssuer issuer = FakeIssuer.builder().clock(TestClock.startingNow()).start();
    private final DpopNonces nonces =
        DpopNonces.fromSecret("a secret of 32 bytes or more....".getBytes(StandardCharsets.US_ASCII)).withClock(issuer.clock());
    private final AccessTokenVerifier verifier = issuer.verifierBuilder().dpop(DpopPolicy.defaults().withNonces(nonces)).build();
    private final JerseyServer server = JerseyServer.start(healthApi()
        .register(BearerTokenFeature.builder(verifier).realm("health-api").publicUrl(URI.create("https://api.example.test")).build()));
    private final TestKey holder = TestKey.ecP256();
    private final URI target = URI.create("https://api.example.test/api/patients/7");

    @AfterAll
    void stop() {
      server.close();
      verifier.close();
      issuer.close();
    }

    @Test
    void aBoundTokenWithAGoodProofIsAcceptedAsDpopAndAsABearerTokenIsRefused() {
      String token = issuer.accessToken().dpopBound(holder).subject("auth0|nurse").scopes("read:patients").sign();
      HttpResponse<String> noNonce = Http.get(server.uri("/api/patients/7"), "Authorization", "DPoP " + token,
          "DPoP", issuer.dpopProof(holder, "GET", target).accessToken(token).sign());
      assertThat(noNonce.statusCode()).isEqualTo(401);
      assertThat(noNonce.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"health-api\"",
          "DPoP realm=\"health-api\", algs=\"ES256 EdDSA PS256 RS256\", error=\"use_dpop_nonce\", "
              + "error_description=\"The DPoP proof must carry the nonce this resource server provides.\"");
      assertThat(noNonce.headers().allValues("DPoP-Nonce")).containsExactly(nonces.current());

      HttpResponse<String> ok = Http.get(server.uri("/api/patients/7"), "Authorization", "DPoP " + token,
          "DPoP", issuer.dpopProof(holder, "GET", target).accessToken(token).nonce(nonces.current()).sign());
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("id=7\ntoken=auth0|nurse\nprincipal=auth0|nurse\nscheme=DPoP\n"
          + "role:read:patients=true\nrole:read:admin=false\n");
      assertThat(ok.headers().allValues("DPoP-Nonce")).containsExactly(nonces.current());
      assertThat(ok.headers().allValues("Cache-Control")).containsExactly("no-store");

      HttpResponse<String> asBearer = Http.get(server.uri("/api/patients/7"), "Authorization", "Bearer " + token);
      assertThat(asBearer.statusCode()).isEqualTo(401);
      assertThat(asBearer.headers().allValues("WWW-Authenticate").get(0)).startsWith("Bearer realm=\"health-api\", error=\"invalid_token\"");
      assertThat(asBearer.headers().allValues("WWW-Authenticate").get(1)).isEqualTo("DPoP realm=\"health-api\", algs=\"ES256 EdDSA PS256 RS256\"");
    }

    @Test
    void aProofForAnotherPathIsRefused() {
      String token = issuer.accessToken().dpopBound(holder).scopes("read:patients").sign();
      HttpResponse<String> r = Http.get(server.uri("/api/patients/7"), "Authorization", "DPoP " + token, "DPoP",
          issuer.dpopProof(holder, "GET", URI.create("https://api.example.test/api/patients/8")).accessToken(token).nonce(nonces.current()).sign());
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().allValues("WWW-Authenticate").get(1)).contains("error=\"invalid_dpop_proof\"");
    }

    /** Jersey on the JDK's HTTP server exposes no client certificate: a certificate-bound token is refused, never accepted unproven. */
    @Test
    void aCertificateBoundTokenIsRefusedWithoutACertificateApi() {
      String token = issuer.accessToken().certificateBound(TestKey.ecP256().certificate()).scopes("read:patients").sign();
      HttpResponse<String> r = Http.get(server.uri("/api/patients/7"), "Authorization", "Bearer " + token);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().allValues("WWW-Authenticate").get(0)).startsWith("Bearer realm=\"health-api\", error=\"invalid_token\"");
    }
  }

  @Nested
  class WhenTheIssuerIsDown {
    @Test
    void unavailableKeysGive503WithRetryAfterAndAChallengeWithoutError() {
      try (FakeIssuer issuer = FakeIssuer.start(); AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build()) {
        issuer.failJwks(FakeIssuer.JwksFailure.HTTP_500);
        try (JerseyServer server = JerseyServer.start(healthApi()
            .register(BearerTokenFeature.builder(verifier).realm("health-api").retryAfter(Duration.ofSeconds(12)).build()))) {
          HttpResponse<String> r = Http.get(server.uri("/api/me"), "Authorization", "Bearer " + issuer.accessToken().sign());
          assertThat(r.statusCode()).isEqualTo(503);
          assertThat(r.headers().allValues("Retry-After")).containsExactly("12");
          assertThat(r.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"health-api\"");
          assertThat(r.headers().allValues("Cache-Control")).containsExactly("no-store");
        }
      }
    }
  }
}
