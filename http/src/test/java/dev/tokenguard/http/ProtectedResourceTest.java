package dev.tokenguard.http;

import static dev.tokenguard.http.Answers.body;
import static dev.tokenguard.http.Answers.challenge;
import static dev.tokenguard.http.Answers.params;
import static dev.tokenguard.http.Answers.refused;
import static dev.tokenguard.http.Answers.refusedWith;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.TokenRequest;
import dev.tokenguard.testing.FakeIssuer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every RFC 6750 answer of {@link ProtectedResource#decide}, with plain in-memory requests and a
 * verifier that needs no network: the behaviour contract every adapter inherits.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProtectedResourceTest {
  private final FakeIssuer issuer = FakeIssuer.start();
  private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();
  private final ProtectedResource resource = ProtectedResource.builder(verifier)
      .realm("health-api")
      .permit("/api/public")
      .permit("/docs/*")
      .requireScopes("/api/patients/*", "read:patients")
      .requireScopes("/api/admin/*", "read:admin")
      .requireScopes("/api/both/*", "read:patients", "read:admin")
      .requireAnyScope("/api/reports/*", "read:reports", "read:admin")
      .requireScopes("/api/orders", "read:orders")
      .permitCorsPreflight()
      .build();

  @AfterAll
  void stop() {
    verifier.close();
    issuer.close();
  }

  private String token(String... scopes) {
    return issuer.accessToken().subject("auth0|alice").scopes(scopes).sign();
  }

  private Decision decide(InMemoryRequest request) {
    try {
      return resource.decide(request);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private Decision get(String path, String... authorization) {
    InMemoryRequest request = InMemoryRequest.get(path);
    for (String value : authorization) {
      request.header("Authorization", value);
    }
    return decide(request);
  }

  private static void assertAllowedAs(Decision d, String subject) {
    assertThat(d.isAllowed()).as("allowed: %s", d).isTrue();
    assertThat(d.answer()).isEmpty();
    assertThat(d.accessToken().orElseThrow().subject()).isEqualTo(subject);
  }

  private static void assertNoCredentialsAnswer(Decision d) {
    Answer a = refused(d, 401);
    assertThat(challenge(a)).isEqualTo("Bearer realm=\"health-api\"");
    assertThat(body(a)).isEqualTo("{\"error_description\":\"This request requires an access token.\"}");
  }

  @Nested
  class Allowed {
    @Test
    void validTokenIsAllowedWithTheVerifiedTokenAndNoExtraHeaders() {
      Decision d = get("/api/patients", "Bearer " + token("read:patients"));
      assertAllowedAs(d, "auth0|alice");
      assertThat(d.responseHeaders()).isEmpty();
      assertThat(d.consumedBody()).isEmpty();
    }

    @Test
    void unmatchedPathNeedsOnlyAValidToken() {
      assertAllowedAs(get("/api/me", "Bearer " + token()), "auth0|alice");
      assertNoCredentialsAnswer(get("/api/me"));
    }

    @Test
    void publicPathNeedsNoTokenAndIgnoresBrokenCredentials() {
      Decision d = get("/api/public");
      assertThat(d.isAllowed()).isTrue();
      assertThat(d.accessToken()).isEmpty();
      assertThat(get("/api/public", "Bearer").isAllowed()).isTrue();
      assertThat(get("/api/public", "Bearer a", "Bearer b").isAllowed()).isTrue();
      assertThat(get("/docs/index.html").isAllowed()).isTrue();
      assertThat(get("/docs").isAllowed()).isTrue();
    }

    @Test
    void publicExactPathDoesNotOpenPathsBelowIt() {
      assertNoCredentialsAnswer(get("/api/public/secret"));
      assertNoCredentialsAnswer(get("/api/public/"));
      assertNoCredentialsAnswer(get("/api/publicity"));
    }

    @Test
    void emptyPathIsTheRoot() {
      assertNoCredentialsAnswer(get(""));
    }

    @Test
    void schemeNameIsCaseInsensitiveAndSeveralSpacesAreAccepted() {
      String t = token();
      for (String scheme : List.of("bearer", "BEARER", "BeArEr")) {
        assertThat(get("/api/me", scheme + " " + t).isAllowed()).as(scheme).isTrue();
      }
      assertThat(get("/api/me", "Bearer   " + t).isAllowed()).isTrue();
    }

    @Test
    void corsPreflightPassesWithoutTokenButOtherOptionsRequestsDoNot() {
      Decision preflight = decide(InMemoryRequest.get("/api/patients").method("OPTIONS")
          .header("Origin", "https://app.example").header("Access-Control-Request-Method", "GET"));
      assertThat(preflight.isAllowed()).isTrue();
      assertThat(preflight.accessToken()).isEmpty();
      assertNoCredentialsAnswer(decide(InMemoryRequest.get("/api/patients").method("OPTIONS")));
      assertNoCredentialsAnswer(decide(InMemoryRequest.get("/api/patients").method("OPTIONS").header("Origin", "https://app.example")));
    }

    @Test
    void corsPreflightNeedsATokenUnlessPermitted() {
      ProtectedResource strict = ProtectedResource.builder(verifier).build();
      Decision d;
      try {
        d = strict.decide(InMemoryRequest.get("/x").method("OPTIONS")
            .header("Origin", "https://app.example").header("Access-Control-Request-Method", "GET"));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      assertThat(refused(d, 401).headers().get("WWW-Authenticate")).containsExactly("Bearer realm=\"api\"");
    }
  }

  /** Issue 10 item 9: a scope rule written without /* used to leave everything below it open. */
  @Nested
  class SubPaths {
    @ParameterizedTest
    @ValueSource(strings = {"/api/orders", "/api/orders/", "/api/orders/42", "/api/orders/42/lines"})
    void aScopeRuleWithoutStarProtectsItsPathAndEverythingBelow(String path) {
      Answer a = refusedWith(get(path, "Bearer " + token("read:patients")), 403, "insufficient_scope");
      assertThat(params(a)).containsEntry("scope", "read:orders");
      assertAllowedAs(get(path, "Bearer " + token("read:orders")), "auth0|alice");
      assertNoCredentialsAnswer(get(path));
    }

    @Test
    void aScopeRuleDoesNotReachLookalikePaths() {
      assertAllowedAs(get("/api/ordersX", "Bearer " + token()), "auth0|alice");
      assertAllowedAs(get("/api/administrators", "Bearer " + token("read:patients")), "auth0|alice");
    }

    @Test
    void aPrefixRuleCoversThePathItselfAndEverythingBelow() {
      String readOnly = token("read:patients");
      assertAllowedAs(get("/api/patients/42", "Bearer " + readOnly), "auth0|alice");
      refusedWith(get("/api/admin", "Bearer " + readOnly), 403, "insufficient_scope");
      refusedWith(get("/api/admin/", "Bearer " + readOnly), 403, "insufficient_scope");
      refusedWith(get("/api/admin/users/7", "Bearer " + readOnly), 403, "insufficient_scope");
    }
  }

  @Nested
  class NoCredentials {
    @Test
    void requestWithoutCredentialsGets401WithRealmOnlyChallengeAndTheFixedHeaders() {
      Answer a = refused(get("/api/patients"), 401);
      assertThat(challenge(a)).isEqualTo("Bearer realm=\"health-api\"");
      assertThat(body(a)).isEqualTo("{\"error_description\":\"This request requires an access token.\"}");
      assertThat(List.copyOf(a.headers().keySet())).containsExactly("WWW-Authenticate", "Cache-Control", "X-Content-Type-Options");
      assertThat(a.contentType()).isEqualTo("application/json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic YWxpY2U6c2VjcmV0", "Digest username=\"a\"", "Negotiate YII=", "opaque-value-without-dots"})
    void anotherSchemeIsTreatedAsNoCredentials(String header) {
      assertNoCredentialsAnswer(get("/api/patients", header));
    }

    @Test
    void dpopSchemeIsAnotherSchemeUntilDpopIsAccepted() {
      assertNoCredentialsAnswer(get("/api/patients", "DPoP " + token("read:patients")));
    }
  }

  @Nested
  class InvalidRequest {
    @Test
    void twoAuthorizationHeaderLinesAreRejected() {
      String t = token("read:patients");
      Answer a = refusedWith(get("/api/patients", "Bearer " + t, "Bearer " + t), 400, "invalid_request");
      assertThat(challenge(a)).startsWith("Bearer realm=\"health-api\", error=\"invalid_request\"");
      assertThat(refused(get("/api/patients", "Basic YQ==", "Bearer " + t), 400)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "bearer", "Bearer ", "Bearer\tabc.def.ghi", "Bearerabc.def.ghi", "", " "})
    void bearerWithoutATokenOrWithoutTheSpaceOrAnEmptyHeaderIsRejected(String header) {
      Answer a = refusedWith(get("/api/patients", header), 400, "invalid_request");
      assertThat(params(a)).containsEntry("error_description", "The Authorization header is malformed.");
    }

    /** Issue 10 item 11: a token sent without its scheme used to be answered as "no credentials". */
    @Test
    void aTokenWithoutTheBearerSchemeIsAMalformedRequestThatSaysWhatToSend() {
      String t = token("read:patients");
      Answer a = refusedWith(get("/api/patients", t), 400, "invalid_request");
      assertThat(params(a)).containsEntry("error_description",
          "The Authorization header lacks its scheme; send the access token as Authorization: Bearer <token>.");
      assertThat(body(a)).contains("send the access token as Authorization: Bearer \\u003ctoken\\u003e.");
      for (String part : t.split("\\.")) {
        assertThat(challenge(a)).doesNotContain(part);
        assertThat(body(a)).doesNotContain(part);
      }
      refusedWith(get("/api/patients", t + " trailing"), 400, "invalid_request");
      refusedWith(get("/api/patients", "a.b.c"), 400, "invalid_request");
    }

    @Test
    void aTokenWithoutSchemeAndAQueryTokenAreTwoMethods() {
      String t = token();
      Answer a = refusedWith(get("/api/me?access_token=" + t, t), 400, "invalid_request");
      assertThat(params(a)).containsEntry("error_description", "The request uses more than one method to send an access token.");
    }

    @Test
    void headerAndQueryTokenTogetherAreRejectedEvenThoughTheQueryMethodIsOff() {
      String t = token("read:patients");
      refusedWith(get("/api/patients?access_token=" + t, "Bearer " + t), 400, "invalid_request");
    }

    @Test
    void queryTokenIsRefusedWhileTheQueryMethodIsOffWithoutEchoingIt() {
      String t = token("read:patients");
      Answer a = refusedWith(get("/api/patients?access_token=" + t), 400, "invalid_request");
      assertThat(body(a)).doesNotContain("eyJ");
      assertThat(challenge(a)).doesNotContain("eyJ");
    }

    @Test
    void percentEncodedParameterNameIsStillSeenAsAccessToken() {
      String t = token("read:patients");
      refusedWith(get("/api/patients?access%5Ftoken=" + t, "Bearer " + t), 400, "invalid_request");
    }

    @Test
    void formBodyIsNeverReadWhileTheFormMethodIsOff() {
      InMemoryRequest request = InMemoryRequest.post("/api/patients", "application/x-www-form-urlencoded",
          "access_token=" + token("read:patients"));
      assertNoCredentialsAnswer(decide(request));
      assertThat(request.bodyReads).isZero();
    }
  }

  @Nested
  class InvalidToken {
    @Test
    void expiredTokenGets401InvalidTokenWithCoresDescription() {
      Answer a = refusedWith(get("/api/patients", "Bearer " + issuer.accessToken().scopes("read:patients").expired().sign()), 401, "invalid_token");
      assertThat(params(a)).containsEntry("error_description", "The access token has expired.");
    }

    @Test
    void idTokenGets401InvalidTokenSayingSo() {
      Answer a = refusedWith(get("/api/me", "Bearer " + issuer.idToken().sign()), 401, "invalid_token");
      assertThat(body(a)).contains("An ID token was presented where an access token is required.");
    }

    @Test
    void badSignatureGets401() {
      refusedWith(get("/api/me", "Bearer " + issuer.accessToken().tamperedSignature().sign()), 401, "invalid_token");
    }

    @Test
    void tokenWithCharactersOutsideB64tokenGets401InvalidTokenWithoutReachingTheVerifier() {
      AtomicInteger calls = new AtomicInteger();
      ProtectedResource counting = ProtectedResource.builder(request -> {
        calls.incrementAndGet();
        return verifier.verify(request);
      }).build();
      for (String header : List.of("Bearer abc,def", "Bearer " + token() + " extra", "Bearer a=b", "Bearer abc\"def")) {
        Decision d;
        try {
          d = counting.decide(InMemoryRequest.get("/api/me").header("Authorization", header));
        } catch (IOException e) {
          throw new AssertionError(e);
        }
        Answer a = refused(d, 401);
        assertThat(params(a)).containsEntry("error", "invalid_token").containsEntry("error_description", "The access token is malformed.");
      }
      assertThat(calls).hasValue(0);
    }

    @Test
    void opaqueTokenGets401() {
      refusedWith(get("/api/me", "Bearer mF_9.B5f-4.1JqM"), 401, "invalid_token");
      refusedWith(get("/api/me", "Bearer opaque-token=="), 401, "invalid_token");
    }

    @Test
    void headerInjectionThroughKidAndClaimsIsNotEchoed() {
      Answer a = refusedWith(get("/api/me", "Bearer " + issuer.accessToken().keyId("k\"\r\nX-Injected: yes\\").sign()), 401, "invalid_token");
      assertThat(a.headers()).doesNotContainKey("X-Injected");
      assertThat(body(a)).doesNotContain("X-Injected").doesNotContain("k\\\"");
      Answer b = refusedWith(get("/api/me", "Bearer " + issuer.accessToken().issuer("https://evil.example/\"\r\nX-Injected: yes").sign()), 401, "invalid_token");
      assertThat(body(b)).doesNotContain("evil");
      assertThat(challenge(b)).doesNotContain("evil");
    }
  }

  @Nested
  class InsufficientScope {
    @Test
    void missingScopeGets403WithTheRequiredScopeInChallengeAndBody() {
      Answer a = refusedWith(get("/api/admin", "Bearer " + token("read:patients")), 403, "insufficient_scope");
      assertThat(params(a)).containsEntry("scope", "read:admin")
          .containsEntry("error_description", "The access token lacks the scope this request requires.");
      assertThat(body(a)).endsWith(",\"scope\":\"read:admin\"}");
    }

    @Test
    void allOfRuleNeedsEveryScopeAndNamesThemAll() {
      assertAllowedAs(get("/api/both", "Bearer " + token("read:patients", "read:admin")), "auth0|alice");
      Answer a = refusedWith(get("/api/both", "Bearer " + token("read:patients")), 403, "insufficient_scope");
      assertThat(params(a)).containsEntry("scope", "read:patients read:admin");
    }

    @Test
    void anyOfRuleAcceptsEitherScopeAndSaysOneIsEnough() {
      assertAllowedAs(get("/api/reports/1", "Bearer " + token("read:reports")), "auth0|alice");
      assertAllowedAs(get("/api/reports/1", "Bearer " + token("read:admin")), "auth0|alice");
      Answer a = refusedWith(get("/api/reports/1", "Bearer " + token("read:patients")), 403, "insufficient_scope");
      assertThat(params(a)).containsEntry("scope", "read:reports read:admin")
          .containsEntry("error_description", "The access token lacks every scope this request accepts.");
    }

    @Test
    void auth0PermissionsCountAsScopes() {
      assertThat(get("/api/admin", "Bearer " + issuer.accessToken().permissions("read:admin").sign()).isAllowed()).isTrue();
    }

    @Test
    void scopeClaimWithQuotesDoesNotReachTheChallenge() {
      Answer a = refusedWith(get("/api/admin", "Bearer " + issuer.accessToken().scopes("read\"x", "a\\b").sign()), 403, "insufficient_scope");
      assertThat(params(a)).containsEntry("scope", "read:admin");
    }
  }

  /** Scopes are evaluated in one place, the verifier: the resource hands it the rule's requirement. */
  @Nested
  class OnePlaceForRequirements {
    @Test
    void theRequirementOfTheMostSpecificRuleGoesToTheVerifier() throws IOException {
      List<TokenRequest> seen = new ArrayList<>();
      ProtectedResource recording = ProtectedResource.builder(request -> {
        seen.add(request);
        return verifier.verify(request);
      }).requireAnyScope("/api/reports", "read:reports", "read:admin").requireScopes("/api/reports/secret", "read:admin").build();
      String t = token("read:admin");

      recording.decide(InMemoryRequest.get("/api/reports/1").bearer(t));
      recording.decide(InMemoryRequest.get("/api/reports/secret/2").bearer(t));
      recording.decide(InMemoryRequest.get("/api/me").bearer(t));

      assertThat(seen).extracting(TokenRequest::requirement).containsExactly(
          Requirement.anyScope("read:reports", "read:admin"), Requirement.allScopes("read:admin"), Requirement.none());
      assertThat(seen).extracting(TokenRequest::accessToken).containsOnly(t);
    }

    @Test
    void theResourceDoesNotCheckScopesItself() throws IOException {
      // A verifier that ignores the requirement: whatever it accepts, the resource lets through.
      ProtectedResource lenient = ProtectedResource.builder(request -> verifier.verify(request.accessToken()))
          .requireScopes("/api/admin", "read:admin").build();
      assertThat(lenient.decide(InMemoryRequest.get("/api/admin").bearer(token("read:patients"))).isAllowed()).isTrue();
    }
  }

  @Test
  void closeLeavesAVerifierItWasGivenOpenAndClosesOneItOwns() {
    AtomicInteger closes = new AtomicInteger();
    AccessTokenVerifier counted = new AccessTokenVerifier() {
      @Override
      public dev.tokenguard.AccessToken verify(TokenRequest request) {
        return verifier.verify(request);
      }

      @Override
      public void close() {
        closes.incrementAndGet();
      }
    };
    ProtectedResource.builder(counted).build().close();
    assertThat(closes).as("a verifier given to builder(...) belongs to the caller").hasValue(0);
    ProtectedResource owning = ProtectedResource.builder(counted).ownsVerifier().build();
    owning.close();
    assertThat(closes).hasValue(1);
  }

  @Test
  void neverLogsTheToken() {
    String expired = issuer.accessToken().expired().sign();
    String wrongScope = token("read:patients");
    String tampered = issuer.accessToken().tamperedSignature().sign();
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      get("/api/me", "Bearer " + expired);
      get("/api/admin", "Bearer " + wrongScope);
      get("/api/me", "Bearer " + tampered);
      get("/api/me?access_token=" + wrongScope);
      get("/api/me", wrongScope);
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("Refused a request: 401 invalid_token (EXPIRED)", "Refused a request: 403 insufficient_scope",
        "Refused a request: 400 invalid_request");
    for (String t : List.of(expired, wrongScope, tampered)) {
      assertThat(log).doesNotContain(t).doesNotContain(t.substring(t.lastIndexOf('.') + 1));
    }
  }

  @Test
  void toStringNamesTheRulesNeverAToken() {
    assertThat(resource.toString()).contains("health-api", "/api/orders -> all of [read:orders]", "/api/public -> public");
    Decision allowed = get("/api/me", "Bearer " + token());
    assertThat(allowed.toString()).isEqualTo("allowed (subject auth0|alice)");
  }
}
