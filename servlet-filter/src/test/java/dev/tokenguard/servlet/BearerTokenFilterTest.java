package dev.tokenguard.servlet;

import static dev.tokenguard.servlet.Challenges.assertWellFormed;
import static dev.tokenguard.servlet.Challenges.params;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.support.Http;
import dev.tokenguard.testing.FakeIssuer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The filter built in code, in embedded Jetty 12, called over real HTTP: every RFC 6750 answer
 * and the attacks of the HTTP layer (SECURITY-RULES 3.5, H-01 to H-14).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BearerTokenFilterTest {
  private FakeIssuer issuer;
  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    issuer = FakeIssuer.start();
    BearerTokenFilter filter = BearerTokenFilter.builder(issuer.httpVerifierBuilder().build())
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
    server = TestServer.start(filter);
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
    issuer.close();
  }

  private String token(String... scopes) {
    return issuer.accessToken().subject("auth0|alice").scopes(scopes).sign();
  }

  private HttpResponse<String> get(String path, String... headers) {
    return Http.get(server.uri(path), headers);
  }

  private static void assertNoCredentialsAnswer(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(401);
    String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
    assertWellFormed(challenge);
    assertThat(challenge).isEqualTo("Bearer realm=\"health-api\"");
    assertThat(r.body()).doesNotContain("\"error\"");
  }

  private static void assertError(HttpResponse<String> r, int status, String error) {
    assertThat(r.statusCode()).isEqualTo(status);
    String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
    assertWellFormed(challenge);
    Map<String, String> params = params(challenge);
    assertThat(params).containsEntry("realm", "health-api").containsEntry("error", error).containsKey("error_description");
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
    assertThat(r.body()).startsWith("{\"error\":\"" + error + "\",\"error_description\":\"");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Nested
  class Success {
    @Test
    void validTokenReachesTheApplicationWithPrincipalRemoteUserAndScopesAsRoles() {
      HttpResponse<String> r = get("/api/patients", "Authorization", "Bearer " + token("read:patients"));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body())
          .contains("token=auth0|alice\n", "attribute=true\n", "principal=auth0|alice\n", "remoteUser=auth0|alice\n",
              "authType=Bearer\n", "role:read:patients=true\n", "role:read:admin=false\n");
      assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
    }

    @Test
    void unmatchedPathNeedsOnlyAValidToken() {
      assertThat(get("/api/me", "Authorization", "Bearer " + token()).statusCode()).isEqualTo(200);
      assertNoCredentialsAnswer(get("/api/me"));
    }

    @Test
    void publicPathNeedsNoTokenAndIgnoresBrokenCredentials() {
      HttpResponse<String> r = get("/api/public");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("token=null\n", "principal=null\n", "role:read:patients=false\n");
      assertThat(get("/api/public", "Authorization", "Bearer").statusCode()).isEqualTo(200);
    }

    @Test
    void publicExactPathDoesNotOpenPathsBelowIt() {
      assertNoCredentialsAnswer(get("/api/public/secret"));
      assertNoCredentialsAnswer(get("/api/publicity"));
    }

    @Test
    void prefixRuleCoversThePathItselfAndEverythingBelowButNotLookalikes() {
      String readOnly = token("read:patients");
      assertThat(get("/api/patients/42", "Authorization", "Bearer " + readOnly).statusCode()).isEqualTo(200);
      assertThat(get("/api/admin", "Authorization", "Bearer " + readOnly).statusCode()).isEqualTo(403);
      assertThat(get("/api/admin/users/7", "Authorization", "Bearer " + readOnly).statusCode()).isEqualTo(403);
      // Not below /api/admin: only a valid token is needed.
      assertThat(get("/api/administrators", "Authorization", "Bearer " + readOnly).statusCode()).isEqualTo(200);
    }

    @Test
    void dotSegmentsCannotReachAProtectedPathThroughAPublicOne() {
      HttpResponse<String> r = get("/api/public/../admin", "Authorization", "Bearer " + token("read:patients"));
      // The container normalises the path first, so the admin rule applies.
      assertThat(r.statusCode()).isIn(400, 403);
      assertThat(r.statusCode()).isNotEqualTo(200);
      List<String> raw = Http.raw(server.port(), "GET /api/public/%2e%2e/admin HTTP/1.1", "Host: 127.0.0.1");
      assertThat(raw.get(0)).doesNotContain(" 200 ");
      List<String> slash = Http.raw(server.port(), "GET /api/public%2F..%2Fadmin HTTP/1.1", "Host: 127.0.0.1");
      assertThat(slash.get(0)).doesNotContain(" 200 ");
    }

    @Test
    void aPublicPrefixCannotBeUsedToReachAProtectedPathWithoutAToken() {
      assertThat(get("/docs/index.html").statusCode()).isEqualTo(200); // the public prefix itself
      // A filter matching the raw request URI would see these start with /docs/ and let them through.
      for (String path : List.of("/docs/../api/admin", "/docs/./../api/patients/1", "/docs;x=1/../api/admin",
          "/docs/%2e%2e/api/admin", "/docs/%2E%2E/api/admin", "/docs/..;/api/admin", "/docs%2F..%2Fapi/admin")) {
        List<String> answer = Http.raw(server.port(), "GET " + path + " HTTP/1.1", "Host: 127.0.0.1");
        assertThat(answer.get(0)).as(path).startsWith("HTTP/1.1 ").doesNotContain(" 200 ");
      }
    }

    @Test
    void pathParametersDoNotHideAProtectedPath() {
      String readOnly = token("read:patients");
      assertThat(get("/api/admin;jsessionid=1", "Authorization", "Bearer " + readOnly).statusCode()).isEqualTo(403);
      assertThat(get("/api/admin;x=1/users", "Authorization", "Bearer " + readOnly).statusCode()).isEqualTo(403);
      assertNoCredentialsAnswer(get("/api/public;x=1/../admin"));
    }

    @Test
    void schemeNameIsCaseInsensitive() {
      String t = token();
      for (String scheme : List.of("bearer", "BEARER", "BeArEr")) {
        assertThat(get("/api/me", "Authorization", scheme + " " + t).statusCode()).as(scheme).isEqualTo(200);
      }
    }

    @Test
    void severalSpacesAfterTheSchemeAreAccepted() {
      assertThat(get("/api/me", "Authorization", "Bearer   " + token()).statusCode()).isEqualTo(200);
    }

    @Test
    void corsPreflightPassesWithoutTokenButOtherOptionsRequestsDoNot() {
      HttpResponse<String> preflight = Http.method("OPTIONS", server.uri("/api/patients"), null,
          "Origin", "https://app.example", "Access-Control-Request-Method", "GET");
      assertThat(preflight.statusCode()).isEqualTo(200);
      assertThat(preflight.body()).contains("method=OPTIONS");

      assertNoCredentialsAnswer(Http.method("OPTIONS", server.uri("/api/patients"), null));
    }

    @Test
    void machineToMachineTokenIsNamedAfterItsClient() {
      String m2m = issuer.machineToMachineToken().scopes("read:patients").sign();
      HttpResponse<String> r = get("/api/patients", "Authorization", "Bearer " + m2m);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).containsPattern("principal=client-[^\\n]+@clients\\n");
    }
  }

  /** Issue 10 item 9: a scope rule written without /* used to leave the paths below it open to any valid token. */
  @Nested
  class SubPaths {
    @ParameterizedTest
    @ValueSource(strings = {"/api/orders", "/api/orders/", "/api/orders/42", "/api/orders/42/lines"})
    void aScopeRuleWithoutStarProtectsItsPathAndEverythingBelow(String path) {
      HttpResponse<String> r = get(path, "Authorization", "Bearer " + token("read:patients"));
      assertError(r, 403, "insufficient_scope");
      assertThat(params(r.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("scope", "read:orders");
      assertThat(get(path, "Authorization", "Bearer " + token("read:orders")).statusCode()).isEqualTo(200);
      assertNoCredentialsAnswer(get(path));
    }

    @Test
    void aScopeRuleDoesNotReachLookalikePaths() {
      assertThat(get("/api/ordersX", "Authorization", "Bearer " + token()).statusCode()).isEqualTo(200);
    }
  }

  @Nested
  class NoCredentials {
    @Test
    void requestWithoutCredentialsGets401WithRealmOnlyChallenge() {
      HttpResponse<String> r = get("/api/patients");
      assertNoCredentialsAnswer(r);
      assertThat(r.body()).isEqualTo("{\"error_description\":\"This request requires an access token.\"}");
    }

    @Test
    void unsupportedSchemeIsTreatedAsNoCredentials() {
      assertNoCredentialsAnswer(get("/api/patients", "Authorization", "Basic YWxpY2U6c2VjcmV0"));
      assertNoCredentialsAnswer(get("/api/patients", "Authorization", "DPoP " + token("read:patients")));
    }
  }

  @Nested
  class InvalidRequest {
    @Test
    void twoAuthorizationHeaderLinesAreRejected() {
      String t = token("read:patients");
      List<String> raw = Http.raw(server.port(), "GET /api/patients HTTP/1.1", "Host: 127.0.0.1",
          "Authorization: Bearer " + t, "Authorization: Bearer " + t);
      assertThat(raw.get(0)).contains(" 400 ");
      assertThat(raw).anySatisfy(h -> assertThat(h).startsWith("WWW-Authenticate: Bearer realm=\"health-api\", error=\"invalid_request\""));
    }

    @Test
    void twoAuthorizationHeadersFromHttpClientAreRejected() {
      String t = token("read:patients");
      assertError(get("/api/patients", "Authorization", "Bearer " + t, "Authorization", "Bearer " + t), 400, "invalid_request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "bearer", "Bearer\tabc.def.ghi", "Bearerabc.def.ghi"})
    void bearerWithoutATokenOrWithoutTheSpaceIsRejected(String header) {
      assertError(get("/api/patients", "Authorization", header), 400, "invalid_request");
    }

    /** Issue 10 item 11: a token sent without its scheme used to be answered as if no credentials were sent. */
    @Test
    void tokenWithoutTheBearerSchemeIsAMalformedRequestThatSaysWhatToSend() {
      String t = token("read:patients");
      HttpResponse<String> r = get("/api/patients", "Authorization", t);
      assertError(r, 400, "invalid_request");
      assertThat(params(r.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("error_description",
          "The Authorization header lacks its scheme; send the access token as Authorization: Bearer <token>.");
      assertThat(r.body()).doesNotContain(t.substring(t.lastIndexOf('.') + 1));
    }

    @Test
    void emptyAuthorizationHeaderIsRejected() {
      List<String> raw = Http.raw(server.port(), "GET /api/patients HTTP/1.1", "Host: 127.0.0.1", "Authorization: ");
      assertThat(raw.get(0)).contains(" 400 ");
    }

    @Test
    void headerAndQueryTokenTogetherAreRejectedEvenThoughTheQueryMethodIsOff() {
      String t = token("read:patients");
      assertError(get("/api/patients?access_token=" + t, "Authorization", "Bearer " + t), 400, "invalid_request");
    }

    @Test
    void queryTokenIsRefusedWhileTheQueryMethodIsOff() {
      HttpResponse<String> r = get("/api/patients?access_token=" + token("read:patients"));
      assertError(r, 400, "invalid_request");
      assertThat(r.body()).doesNotContain("eyJ");
    }

    @Test
    void percentEncodedParameterNameIsStillSeenAsAccessToken() {
      String t = token("read:patients");
      assertError(get("/api/patients?access%5Ftoken=" + t, "Authorization", "Bearer " + t), 400, "invalid_request");
    }

    @Test
    void formBodyIsNeverReadWhileTheFormMethodIsOff() {
      HttpResponse<String> r = Http.post(server.uri("/api/patients"), "application/x-www-form-urlencoded",
          "access_token=" + token("read:patients"));
      assertNoCredentialsAnswer(r);
    }
  }

  @Nested
  class InvalidToken {
    @Test
    void expiredTokenGets401InvalidTokenWithFixedDescription() {
      HttpResponse<String> r = get("/api/patients", "Authorization", "Bearer " + issuer.accessToken().scopes("read:patients").expired().sign());
      assertError(r, 401, "invalid_token");
      assertThat(params(r.headers().firstValue("WWW-Authenticate").orElseThrow()))
          .containsEntry("error_description", "The access token has expired.");
    }

    @Test
    void idTokenGets401InvalidTokenSayingSo() {
      HttpResponse<String> r = get("/api/me", "Authorization", "Bearer " + issuer.idToken().sign());
      assertError(r, 401, "invalid_token");
      assertThat(r.body()).contains("An ID token was presented where an access token is required.");
    }

    @Test
    void badSignatureGets401() {
      assertError(get("/api/me", "Authorization", "Bearer " + issuer.accessToken().tamperedSignature().sign()), 401, "invalid_token");
    }

    @Test
    void tokenWithCharactersOutsideB64tokenGets401InvalidToken() {
      assertError(get("/api/me", "Authorization", "Bearer abc,def"), 401, "invalid_token");
      assertError(get("/api/me", "Authorization", "Bearer " + token() + " extra"), 401, "invalid_token");
      assertError(get("/api/me", "Authorization", "Bearer a=b"), 401, "invalid_token");
    }

    @Test
    void opaqueTokenGets401() {
      assertError(get("/api/me", "Authorization", "Bearer mF_9.B5f-4.1JqM"), 401, "invalid_token");
      assertError(get("/api/me", "Authorization", "Bearer opaque-token=="), 401, "invalid_token");
    }

    @Test
    void headerInjectionThroughKidAndClaimsIsNotEchoed() {
      String evilKid = issuer.accessToken().keyId("k\"\r\nX-Injected: yes\\").sign();
      HttpResponse<String> r = get("/api/me", "Authorization", "Bearer " + evilKid);
      assertError(r, 401, "invalid_token");
      assertThat(r.headers().map()).doesNotContainKey("x-injected");
      assertThat(r.body()).doesNotContain("X-Injected").doesNotContain("k\\\"");

      String evilClaims = issuer.accessToken().issuer("https://evil.example/\"\r\nX-Injected: yes").sign();
      HttpResponse<String> r2 = get("/api/me", "Authorization", "Bearer " + evilClaims);
      assertError(r2, 401, "invalid_token");
      assertThat(r2.headers().map()).doesNotContainKey("x-injected");
      assertThat(r2.body()).doesNotContain("evil");
    }
  }

  @Nested
  class InsufficientScope {
    @Test
    void missingScopeGets403WithTheRequiredScope() {
      HttpResponse<String> r = get("/api/admin", "Authorization", "Bearer " + token("read:patients"));
      assertError(r, 403, "insufficient_scope");
      assertThat(params(r.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("scope", "read:admin");
    }

    @Test
    void allOfRuleNeedsEveryScopeAndNamesThemAll() {
      assertThat(get("/api/both", "Authorization", "Bearer " + token("read:patients", "read:admin")).statusCode()).isEqualTo(200);
      HttpResponse<String> r = get("/api/both", "Authorization", "Bearer " + token("read:patients"));
      assertError(r, 403, "insufficient_scope");
      assertThat(params(r.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("scope", "read:patients read:admin");
    }

    @Test
    void anyOfRuleAcceptsEitherScope() {
      assertThat(get("/api/reports/1", "Authorization", "Bearer " + token("read:reports")).statusCode()).isEqualTo(200);
      assertThat(get("/api/reports/1", "Authorization", "Bearer " + token("read:admin")).statusCode()).isEqualTo(200);
      HttpResponse<String> r = get("/api/reports/1", "Authorization", "Bearer " + token("read:patients"));
      assertError(r, 403, "insufficient_scope");
      assertThat(params(r.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("scope", "read:reports read:admin");
    }

    @Test
    void auth0PermissionsCountAsScopes() {
      String t = issuer.accessToken().permissions("read:admin").sign();
      assertThat(get("/api/admin", "Authorization", "Bearer " + t).statusCode()).isEqualTo(200);
    }

    @Test
    void scopeClaimWithQuotesDoesNotReachTheChallenge() {
      String t = issuer.accessToken().scopes("read\"x", "a\\b").sign();
      HttpResponse<String> r = get("/api/admin", "Authorization", "Bearer " + t);
      assertError(r, 403, "insufficient_scope");
      assertThat(params(r.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("scope", "read:admin");
    }
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
      get("/api/me", "Authorization", "Bearer " + expired);
      get("/api/admin", "Authorization", "Bearer " + wrongScope);
      get("/api/me", "Authorization", "Bearer " + tampered);
      get("/api/me?access_token=" + wrongScope);
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).contains("Refused a request: 401 invalid_token (EXPIRED)", "Refused a request: 403 insufficient_scope");
    for (String t : List.of(expired, wrongScope, tampered)) {
      assertThat(log).doesNotContain(t).doesNotContain(t.substring(t.lastIndexOf('.') + 1));
    }
  }
}
