package dev.tokenguard.servlet;

import static dev.tokenguard.servlet.Challenges.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenRequest;
import dev.tokenguard.testing.FakeIssuer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The filter created by the container from its class name and configured only by init parameters,
 * as in a WAR's web.xml; its verifier fetches the keys over HTTP.
 */
class InitParameterConfigurationTest {

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class InJetty {
    private FakeIssuer issuer;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
      issuer = FakeIssuer.start();
      Map<String, String> params = new LinkedHashMap<>();
      params.put("issuer", issuer.issuer());
      params.put("audience", "https://other.example, " + issuer.audience());
      params.put("realm", "health-api");
      params.put("public-paths", "/api/public, /health");
      params.put("scope-rules", "/api/patients/*=read:patients; /api/admin/*=read:admin ;/api/reports/*=read:reports|read:admin");
      params.put("allow-options", "true");
      params.put("retry-after-seconds", "12");
      server = TestServer.startWithInitParameters(params);
    }

    @AfterAll
    void stop() throws Exception {
      server.close();
      issuer.close();
    }

    @Test
    void publicPathsNeedNoToken() {
      assertThat(Http.get(server.uri("/api/public")).statusCode()).isEqualTo(200);
      assertThat(Http.get(server.uri("/health")).statusCode()).isEqualTo(200);
    }

    @Test
    void noTokenGets401WithTheConfiguredRealm() {
      HttpResponse<String> r = Http.get(server.uri("/api/patients"));
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"health-api\"");
    }

    @Test
    void scopeRulesApply() {
      String patients = issuer.accessToken().subject("auth0|carol").scopes("read:patients").sign();
      HttpResponse<String> ok = Http.get(server.uri("/api/patients/1"), "Authorization", "Bearer " + patients);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("principal=auth0|carol\n", "role:read:patients=true\n");

      HttpResponse<String> forbidden = Http.get(server.uri("/api/admin"), "Authorization", "Bearer " + patients);
      assertThat(forbidden.statusCode()).isEqualTo(403);
      assertThat(params(forbidden.headers().firstValue("WWW-Authenticate").orElseThrow()))
          .containsEntry("error", "insufficient_scope").containsEntry("scope", "read:admin");
    }

    @Test
    void anyOfScopeRuleApplies() {
      String admin = issuer.accessToken().scopes("read:admin").sign();
      assertThat(Http.get(server.uri("/api/reports"), "Authorization", "Bearer " + admin).statusCode()).isEqualTo(200);
      String patients = issuer.accessToken().scopes("read:patients").sign();
      HttpResponse<String> r = Http.get(server.uri("/api/reports"), "Authorization", "Bearer " + patients);
      assertThat(params(r.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("scope", "read:reports read:admin");
    }

    @Test
    void anyOfTheListedAudiencesIsAccepted() {
      String other = issuer.accessToken().audience("https://other.example").sign();
      assertThat(Http.get(server.uri("/api/me"), "Authorization", "Bearer " + other).statusCode()).isEqualTo(200);
      String wrong = issuer.accessToken().audience("https://third.example").sign();
      assertThat(Http.get(server.uri("/api/me"), "Authorization", "Bearer " + wrong).statusCode()).isEqualTo(401);
    }

    @Test
    void queryMethodStaysOffUnlessEnabled() {
      assertThat(Http.get(server.uri("/api/me?access_token=" + issuer.accessToken().sign())).statusCode()).isEqualTo(400);
    }

    @Test
    void corsPreflightPassesWhenAllowed() {
      HttpResponse<String> r = Http.method("OPTIONS", server.uri("/api/admin"), null,
          "Origin", "https://app.example", "Access-Control-Request-Method", "GET");
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class WithExplicitJwksUriAndKeysDown {
    @Test
    void explicitJwksUriIsUsedAndItsFailureGives503WithTheConfiguredRetryAfter() throws Exception {
      try (FakeIssuer issuer = FakeIssuer.start()) {
        Map<String, String> params = Map.of(
            "issuer", issuer.issuer(),
            "audience", issuer.audience(),
            "jwks-uri", issuer.jwksUri().toString(),
            "retry-after-seconds", "12",
            "accept-query-token", "true");
        try (TestServer server = TestServer.startWithInitParameters(params)) {
          HttpResponse<String> ok = Http.get(server.uri("/api/me?access_token=" + issuer.accessToken().sign()));
          assertThat(ok.statusCode()).isEqualTo(200);
          assertThat(issuer.discoveryRequestCount()).isZero();
          assertThat(issuer.jwksRequestCount()).isEqualTo(1);
        }
        issuer.failJwks(FakeIssuer.JwksFailure.HTTP_500);
        try (TestServer server = TestServer.startWithInitParameters(params)) {
          HttpResponse<String> down = Http.get(server.uri("/api/me"), "Authorization", "Bearer " + issuer.accessToken().sign());
          assertThat(down.statusCode()).isEqualTo(503);
          assertThat(down.headers().firstValue("Retry-After")).hasValue("12");
        }
      }
    }
  }

  /** Issue 10 item 1: Okta sends scp as an array, Entra ID as a string; scope-claims names the claims to read. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class ScopeClaimsParameter {
    private FakeIssuer issuer;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
      issuer = FakeIssuer.start();
      server = TestServer.startWithInitParameters(Map.of(
          "issuer", issuer.issuer(),
          "audience", issuer.audience(),
          "scope-claims", "scp",
          "scope-rules", "/api/patients=read:patients; /api/admin=read:admin"));
    }

    @AfterAll
    void stop() throws Exception {
      server.close();
      issuer.close();
    }

    @Test
    void oktaShapedTokenWithAnScpArrayMeetsTheScopeRule() {
      String okta = issuer.accessToken().subject("00u1okta").claim("scp", List.of("read:patients", "openid")).claim("cid", "0oa1client").sign();
      HttpResponse<String> r = Http.get(server.uri("/api/patients/1"), "Authorization", "Bearer " + okta);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("principal=00u1okta\n", "role:read:patients=true\n", "role:read:admin=false\n");
      assertThat(Http.get(server.uri("/api/admin"), "Authorization", "Bearer " + okta).statusCode()).isEqualTo(403);
    }

    @Test
    void entraShapedTokenWithAnScpStringMeetsTheScopeRule() {
      String entra = issuer.accessToken().claim("scp", "read:patients write:notes").claim("appid", "client-app").sign();
      HttpResponse<String> r = Http.get(server.uri("/api/patients"), "Authorization", "Bearer " + entra);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("role:read:patients=true\n");
    }

    @Test
    void claimsNotNamedAreNotReadForScopes() {
      String scopeClaimOnly = issuer.accessToken().scopes("read:admin").permissions("read:admin").sign();
      HttpResponse<String> r = Http.get(server.uri("/api/admin"), "Authorization", "Bearer " + scopeClaimOnly);
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(params(r.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("scope", "read:admin");
    }
  }

  /** Issue 10 item 11: stopping the container used to leave the verifier's tokenguard-jwks-fetch thread behind. */
  @Nested
  class Destroy {
    @Test
    void destroyClosesTheVerifierTheFilterBuiltFromItsInitParameters() throws Exception {
      try (FakeIssuer issuer = FakeIssuer.start()) {
        Set<Thread> before = fetchThreads();
        Set<Thread> started;
        try (TestServer server = TestServer.startWithInitParameters(Map.of("issuer", issuer.issuer(), "audience", issuer.audience()))) {
          HttpResponse<String> ok = Http.get(server.uri("/api/me"), "Authorization", "Bearer " + issuer.accessToken().sign());
          assertThat(ok.statusCode()).isEqualTo(200);
          started = fetchThreads();
          started.removeAll(before);
          assertThat(started).as("the filter's verifier fetched its keys on its own thread").hasSize(1);
        } // Jetty stops: the filter's destroy()
        for (Thread t : started) {
          t.join(10_000);
          assertThat(t.isAlive()).as("%s after destroy()", t).isFalse();
        }
      }
    }

    @Test
    void destroyLeavesAVerifierGivenToTheBuilderToItsOwner() {
      try (FakeIssuer issuer = FakeIssuer.start(); AccessTokenVerifier verifier = issuer.verifierBuilder().build()) {
        AtomicInteger closes = new AtomicInteger();
        AccessTokenVerifier owned = new AccessTokenVerifier() {
          @Override
          public AccessToken verify(TokenRequest request) {
            return verifier.verify(request);
          }

          @Override
          public void close() {
            closes.incrementAndGet();
          }
        };
        BearerTokenFilter filter = BearerTokenFilter.builder(owned).build();
        filter.destroy();
        assertThat(closes).hasValue(0);
      }
    }

    private Set<Thread> fetchThreads() {
      return Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals("tokenguard-jwks-fetch") && t.isAlive())
          .collect(Collectors.toCollection(HashSet::new));
    }
  }

  @Nested
  class Misconfiguration {
    private ServletException initFails(Map<String, String> params) {
      BearerTokenFilter filter = new BearerTokenFilter();
      try {
        filter.init(config(params));
      } catch (ServletException e) {
        return e;
      }
      throw new AssertionError("init accepted " + params);
    }

    @Test
    void missingIssuerStopsTheFilterFromStarting() {
      assertThat(initFails(Map.of("audience", "https://api.example")).getMessage()).contains("issuer is required");
    }

    @Test
    void missingAudienceStopsTheFilterFromStarting() {
      assertThat(initFails(Map.of("issuer", "https://tenant.example/")).getMessage()).contains("audience is required");
    }

    @Test
    void misspelledParameterStopsTheFilterFromStarting() {
      Map<String, String> params = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example",
          "scope-rule", "/api/admin/*=read:admin");
      assertThat(initFails(params).getMessage()).contains("unknown init parameter scope-rule");
    }

    @Test
    void malformedScopeRuleStopsTheFilterFromStarting() {
      Map<String, String> base = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example");
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("/api/admin/*", "each rule is pattern=scopes");
      expected.put("/api/admin/*=", "each rule is pattern=scopes");
      expected.put("api/admin=read:admin", "a path pattern starts with /");
      expected.put("/api/*/x=read", "* is allowed only as a final /*");
      expected.put("/a=b|c d", "do not mix | (any of) with spaces or commas");
      expected.put("/a=x; /a=y", "the path pattern /a already has a rule");
      expected.put("/a=x|", "an any-of rule has an empty scope");
      expected.put("/a=|x", "an any-of rule has an empty scope");
      expected.forEach((rule, message) -> {
        Map<String, String> params = new LinkedHashMap<>(base);
        params.put("scope-rules", rule);
        assertThat(initFails(params)).as(rule).hasMessageContaining("BearerTokenFilter").hasMessageContaining(message);
      });
    }

    @Test
    void publicPathThatAScopeRuleNamesStopsTheFilterFromStarting() {
      Map<String, String> params = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example",
          "public-paths", "/api/orders", "scope-rules", "/api/orders/*=read:orders");
      assertThat(initFails(params).getMessage()).contains("init parameter scope-rules").contains("already public");
    }

    @Test
    void jwksUriThatIsNotAUriStopsTheFilterFromStartingAndIsNamed() {
      Map<String, String> params = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example",
          "jwks-uri", "not a uri");
      assertThat(initFails(params).getMessage()).contains("init parameter jwks-uri is not a URI");
    }

    @Test
    void nonBooleanFlagStopsTheFilterFromStarting() {
      Map<String, String> params = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example", "allow-options", "yes");
      assertThat(initFails(params).getMessage()).contains("allow-options must be true or false");
    }

    @Test
    void plainHttpIssuerThatIsNotLoopbackStopsTheFilterFromStarting() {
      assertThat(initFails(Map.of("issuer", "http://tenant.example/", "audience", "https://api.example"))).isNotNull();
    }

    @Test
    void uninitialisedFilterRefusesToServeInsteadOfLettingRequestsThrough() {
      BearerTokenFilter filter = new BearerTokenFilter();
      FilterChain chain = (req, res) -> {
        throw new AssertionError("the request reached the application");
      };
      assertThatThrownBy(() -> filter.doFilter(null, null, chain)).isInstanceOf(ServletException.class);
    }
  }

  static FilterConfig config(Map<String, String> params) {
    return new FilterConfig() {
      @Override
      public String getFilterName() {
        return "tokenguard";
      }

      @Override
      public ServletContext getServletContext() {
        return null;
      }

      @Override
      public String getInitParameter(String name) {
        return params.get(name);
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(params.keySet());
      }
    };
  }
}
