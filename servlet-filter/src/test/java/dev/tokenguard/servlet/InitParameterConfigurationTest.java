package dev.tokenguard.servlet;

import static dev.tokenguard.servlet.Challenges.params;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenRequest;
import dev.tokenguard.servlet.TestServer.Container;
import dev.tokenguard.support.Http;
import dev.tokenguard.testing.FakeIssuer;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The filter created by the container from its class name and configured only by init parameters,
 * as in a WAR's web.xml; its verifier fetches the keys over HTTP. The same class runs on embedded
 * Jetty 12 and on embedded Tomcat 11, where the filter is declared by a FilterDef and a FilterMap as
 * Tomcat reads them from web.xml.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(Container.class)
class InitParameterConfigurationTest {
  private final Container container;

  InitParameterConfigurationTest(Container container) {
    this.container = container;
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class InAContainer {
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
      server = TestServer.startWithInitParameters(container, params);
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
        try (TestServer server = TestServer.startWithInitParameters(container, params)) {
          HttpResponse<String> ok = Http.get(server.uri("/api/me?access_token=" + issuer.accessToken().sign()));
          assertThat(ok.statusCode()).isEqualTo(200);
          assertThat(issuer.discoveryRequestCount()).isZero();
          assertThat(issuer.jwksRequestCount()).isEqualTo(1);
        }
        issuer.failJwks(FakeIssuer.JwksFailure.HTTP_500);
        try (TestServer server = TestServer.startWithInitParameters(container, params)) {
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
      server = TestServer.startWithInitParameters(container, Map.of(
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

  /** A misspelled init parameter stops the web application from starting, and what says so names it. */
  @Nested
  class WhenMisconfigured {
    @Test
    void theWebApplicationDoesNotStartAndTheReasonNamesTheParameter() {
      Map<String, String> params = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example",
          "scope-rule", "/api/admin=read:admin");
      StringBuilder reported = new StringBuilder();
      Handler tomcatLog = new Handler() {
        @Override
        public void publish(LogRecord record) {
          for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            reported.append(t.getMessage()).append('\n');
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
      Logger catalina = Logger.getLogger("org.apache.catalina");
      catalina.addHandler(tomcatLog);
      try {
        TestServer server = TestServer.startWithInitParameters(container, params);
        server.close();
        throw new AssertionError("the web application started with " + params);
      } catch (Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
          reported.append(t.getMessage()).append('\n');
        }
      } finally {
        catalina.removeHandler(tomcatLog);
      }
      assertThat(reported.toString()).contains("unknown init parameter scope-rule");
    }
  }

  /**
   * Issue 10 item 11: stopping the container used to leave the verifier's tokenguard-jwks-fetch
   * thread behind. Tomcat checks for such threads (and ThreadLocals) when it stops a web
   * application and warns about each; its warnings are collected too.
   */
  @Nested
  class Destroy {
    @Test
    void destroyClosesTheVerifierTheFilterBuiltFromItsInitParameters() throws Exception {
      try (FakeIssuer issuer = FakeIssuer.start(); TomcatLeakWarnings warnings = TomcatLeakWarnings.collect()) {
        Set<Thread> before = fetchThreads();
        Set<Thread> started;
        try (TestServer server = TestServer.startWithInitParameters(container, Map.of("issuer", issuer.issuer(), "audience", issuer.audience()))) {
          HttpResponse<String> ok = Http.get(server.uri("/api/me"), "Authorization", "Bearer " + issuer.accessToken().sign());
          assertThat(ok.statusCode()).isEqualTo(200);
          started = fetchThreads();
          started.removeAll(before);
          assertThat(started).as("the filter's verifier fetched its keys on its own thread").hasSize(1);
        } // the container stops: the filter's destroy()
        for (Thread t : started) {
          t.join(10_000);
          assertThat(t.isAlive()).as("%s after destroy()", t).isFalse();
        }
        assertThat(warnings.messages()).as("Tomcat's memory-leak warnings on stopping the web application").isEmpty();
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
}
