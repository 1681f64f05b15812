package dev.tokenguard.http;

import static dev.tokenguard.http.Answers.params;
import static dev.tokenguard.http.Answers.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The shared configuration names and grammar, as web.xml, properties and others give them. */
class ConfigurationReaderTest {
  private static final Map<String, String> BASE = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example");

  static ConfigurationReader reader(Map<String, String> settings) {
    return ConfigurationReader.of(settings.keySet(), settings::get, name -> "init parameter " + name);
  }

  private static Map<String, String> with(Map<String, String> base, String... nameValues) {
    Map<String, String> all = new LinkedHashMap<>(base);
    for (int i = 0; i < nameValues.length; i += 2) {
      all.put(nameValues[i], nameValues[i + 1]);
    }
    return all;
  }

  private static ProtectedResource resource(Map<String, String> settings) {
    return reader(settings).protectedResource();
  }

  @Test
  void theNamesAreTheDocumentedOnes() {
    assertThat(ConfigurationReader.names()).containsExactly("accept-form-token", "accept-query-token", "allow-options",
        "audience", "dpop", "dpop-algorithms", "dpop-nonce-secret", "issuer", "jwks-uri", "public-paths", "public-url", "realm",
        "resource", "resource-documentation", "resource-name", "retry-after-seconds", "scope-claims", "scope-rules");
  }

  @Nested
  class Misconfiguration {
    @Test
    void anUnknownNameIsRefusedWithTheKnownOnes() {
      assertThatThrownBy(() -> reader(with(BASE, "scope-rule", "/a=b")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown init parameter scope-rule")
          .hasMessageContaining("scope-rules").hasMessageContaining("scope-claims");
    }

    @Test
    void theLabelNamesTheSettingAsTheAdapterSpellsIt() {
      Map<String, String> settings = with(BASE, "allow-options", "yes");
      assertThatThrownBy(() -> ConfigurationReader.of(settings.keySet(), settings::get, n -> "property tokenguard." + n).protectedResource())
          .hasMessage("property tokenguard.allow-options must be true or false, got yes");
    }

    @Test
    void missingIssuerOrAudienceIsNamed() {
      assertThatThrownBy(() -> resource(Map.of("audience", "https://api.example")))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("init parameter issuer is required");
      assertThatThrownBy(() -> resource(Map.of("issuer", "https://tenant.example/")))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("init parameter audience is required");
    }

    @Test
    void aBlankValueCountsAsAbsent() {
      assertThatThrownBy(() -> resource(with(BASE, "issuer", "  ")))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("issuer is required");
    }

    @Test
    void malformedScopeRulesAreNamed() {
      Map<String, String> expected = new LinkedHashMap<>();
      expected.put("/api/admin/*", "each rule is pattern=scopes");
      expected.put("/api/admin/*=", "each rule is pattern=scopes");
      expected.put("=read", "each rule is pattern=scopes");
      expected.put("api/admin=read:admin", "a path pattern starts with /");
      expected.put("/api/*/x=read", "* is allowed only as a final /*");
      expected.put("/a=b|c d", "do not mix | (any of) with spaces or commas");
      expected.put("/a=x; /a=y", "the path pattern /a already has a rule");
      expected.put("/a=x; /a/*=y", "the path pattern /a/* already has a rule");
      expected.put("/a=x|", "an any-of rule has an empty scope");
      expected.put("/a=|x", "an any-of rule has an empty scope");
      expected.put("/a=read\"x", "a scope is printable ASCII");
      expected.put("/a=acr=", "an acr= item has an empty value");
      expected.put("/a=acr=x|", "an acr= item has an empty value");
      expected.put("/a=acr=x acr=y", "a rule has one acr= item");
      expected.put("/a=acr=x\"y", "acr value is printable ASCII");
      expected.put("/a=x max-age=", "max-age is a whole number of seconds");
      expected.put("/a=x max-age=-1", "max-age is a whole number of seconds");
      expected.put("/a=x max-age=5m", "max-age is a whole number of seconds");
      expected.put("/a=x max-age=2147483648", "max-age is a whole number of seconds");
      expected.put("/a=x max-age=1 max-age=2", "a rule has one max-age= item");
      expected.put("/a=x max_age=300", "an item holding = is acr=..., max-age=... or dpop=required");
      expected.put("/a=x acr =y", "an item holding = is acr=..., max-age=... or dpop=required");
      expected.put("/a=scope=x", "an item holding = is acr=..., max-age=... or dpop=required");
      expected.put("/a=x dpop=yes", "a rule has at most one dpop item, dpop=required");
      expected.put("/a=x dpop=", "a rule has at most one dpop item, dpop=required");
      expected.put("/a=x dpop=required dpop=required", "a rule has at most one dpop item, dpop=required");
      expected.put("/a=x DPoP=required", "an item holding = is acr=..., max-age=... or dpop=required");
      expected.put("/a=b|c acr=x d", "do not mix | (any of) with spaces or commas");
      expected.forEach((rule, message) -> assertThatThrownBy(() -> resource(with(BASE, "scope-rules", rule)))
          .as(rule).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("init parameter scope-rules").hasMessageContaining(message));
    }

    @Test
    void aPublicPathThatAScopeRuleNamesIsRefused() {
      assertThatThrownBy(() -> resource(with(BASE, "public-paths", "/api/orders", "scope-rules", "/api/orders/*=read:orders")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("init parameter scope-rules").hasMessageContaining("already public");
    }

    @Test
    void otherMalformedValuesAreNamed() {
      assertThat(catchMessage(with(BASE, "jwks-uri", "not a uri"))).contains("init parameter jwks-uri is not a URI");
      assertThat(catchMessage(with(BASE, "jwks-uri", "http://tenant.example/jwks"))).startsWith("init parameter jwks-uri: ");
      assertThat(catchMessage(with(BASE, "issuer", "http://tenant.example/"))).startsWith("init parameter issuer: ");
      assertThat(catchMessage(with(BASE, "retry-after-seconds", "soon"))).contains("init parameter retry-after-seconds must be a number of seconds");
      assertThat(catchMessage(with(BASE, "retry-after-seconds", "0"))).startsWith("init parameter retry-after-seconds: retryAfter must be between");
      assertThat(catchMessage(with(BASE, "realm", "a\u0001b"))).startsWith("init parameter realm: ");
      assertThat(catchMessage(with(BASE, "public-paths", "public"))).startsWith("init parameter public-paths: a path pattern starts with /");
      assertThat(catchMessage(with(BASE, "accept-query-token", "1"))).isEqualTo("init parameter accept-query-token must be true or false, got 1");
    }

    private String catchMessage(Map<String, String> settings) {
      try {
        resource(settings).close();
      } catch (RuntimeException e) {
        return e.getMessage();
      }
      throw new AssertionError("accepted " + settings);
    }
  }

  @Test
  void theSettingsReachTheResource() {
    Map<String, String> settings = with(BASE, "realm", "health-api", "public-paths", "/api/public, /health /docs/*",
        "scope-rules", " /api/patients=read:patients; ;/api/reports/*=read:reports | read:admin; /api/both=a,b c",
        "allow-options", "TRUE", "accept-query-token", "true", "accept-form-token", "false", "retry-after-seconds", " 12 ");
    try (ProtectedResource r = resource(settings)) {
      assertThat(r.realm).isEqualTo("health-api");
      assertThat(r.allowPreflight).isTrue();
      assertThat(r.extractor.queryAllowed).isTrue();
      assertThat(r.extractor.formAllowed).isFalse();
      assertThat(r.retryAfterSeconds).isEqualTo(12);
      assertThat(r.rules.match("/health").isPublic).isTrue();
      assertThat(r.rules.match("/docs/x").isPublic).isTrue();
      assertThat(r.rules.match("/api/patients/1").requirement.toString()).isEqualTo("all of [read:patients]");
      assertThat(r.rules.match("/api/reports").requirement.toString()).isEqualTo("any of [read:reports, read:admin]");
      assertThat(r.rules.match("/api/both").requirement.toString()).isEqualTo("all of [a, b, c]");
    }
  }

  /** The scope-rules grammar: scopes, step-up items (RFC 9470) or both, in any order. */
  @Test
  void stepUpItemsReachTheRulesBesideTheScopes() {
    String mfa = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
    Map<String, String> settings = with(BASE, "scope-rules", "/api/patients=read:patients; "
        + "/api/records=read:patients acr=" + mfa + " max-age=300; /api/transfers=max-age=60;"
        + "/api/vault=acr=urn:gold|urn:silver, read:vault write:vault; /api/reports=max-age=0 read:reports | read:admin");
    try (ProtectedResource r = resource(settings)) {
      assertThat(r.rules.match("/api/records/p-1").requirement)
          .isEqualTo(Requirement.allScopes("read:patients").withAcrValues(mfa).withMaxAge(Duration.ofSeconds(300)));
      assertThat(r.rules.match("/api/transfers").requirement).isEqualTo(Requirement.none().withMaxAge(Duration.ofSeconds(60)));
      assertThat(r.rules.match("/api/vault").requirement)
          .isEqualTo(Requirement.allScopes("read:vault", "write:vault").withAcrValues("urn:gold", "urn:silver"));
      assertThat(r.rules.match("/api/reports").requirement)
          .isEqualTo(Requirement.anyScope("read:reports", "read:admin").withMaxAge(Duration.ZERO));
      assertThat(r.rules.match("/api/patients").requirement).isEqualTo(Requirement.allScopes("read:patients"));
    }
  }

  /** A rule read from text is enforced like one written in code: a wrong acr gets the step-up challenge. */
  @Test
  void aStepUpRuleFromTextIsEnforced() throws IOException {
    try (FakeIssuer issuer = FakeIssuer.start();
        ProtectedResource r = resource(Map.of("issuer", issuer.issuer(), "audience", issuer.audience(),
            "jwks-uri", issuer.jwksUri().toString(), "realm", "health-api",
            "scope-rules", "/api/records=read:patients acr=urn:example:mfa max-age=300"))) {
      Instant now = issuer.clock().instant();
      String weak = issuer.accessToken().scopes("read:patients").acr("urn:example:pwd").authTime(now).sign();
      String strong = issuer.accessToken().scopes("read:patients").acr("urn:example:mfa").authTime(now).sign();
      assertThat(Answers.challenge(refused(r.decide(InMemoryRequest.get("/api/records").bearer(weak)), 401)))
          .isEqualTo("Bearer realm=\"health-api\", error=\"insufficient_user_authentication\", "
              + "error_description=\"A different authentication level is required.\", acr_values=\"urn:example:mfa\", max_age=300");
      assertThat(r.decide(InMemoryRequest.get("/api/records").bearer(strong)).isAllowed()).isTrue();
    }
  }

  /** Several issuers in one setting: each trusted with its own keys found through discovery, no other. */
  @Test
  void severalIssuersAreEachTrustedThroughTheirOwnDiscovery() throws IOException {
    try (FakeIssuer a = FakeIssuer.start(); FakeIssuer b = FakeIssuer.start(); FakeIssuer stranger = FakeIssuer.start();
        ProtectedResource r = resource(Map.of("issuer", a.issuer() + ", " + b.issuer(), "audience", a.audience(),
            "scope-claims", "scp", "scope-rules", "/api/patients=read:patients"))) {
      String fromA = a.accessToken().claim("scp", "read:patients").sign();
      String fromB = b.accessToken().claim("scp", "read:patients").sign();
      assertThat(r.decide(InMemoryRequest.get("/api/patients").bearer(fromA)).isAllowed()).isTrue();
      assertThat(r.decide(InMemoryRequest.get("/api/patients").bearer(fromB)).isAllowed()).isTrue();
      String scopeClaimFromB = b.accessToken().scopes("read:patients").sign();
      assertThat(params(refused(r.decide(InMemoryRequest.get("/api/patients").bearer(scopeClaimFromB)), 403)))
          .as("scope-claims applies to every issuer").containsEntry("scope", "read:patients");
      assertThat(a.discoveryRequestCount()).isGreaterThanOrEqualTo(1);
      assertThat(b.discoveryRequestCount()).isGreaterThanOrEqualTo(1);
      refused(r.decide(InMemoryRequest.get("/api/patients").bearer(stranger.accessToken().sign())), 401);
      assertThat(stranger.requestCount()).as("an untrusted issuer costs no request").isZero();
      String keyOfAClaimingB = a.accessToken().issuer(b.issuer()).claim("scp", "read:patients").sign();
      assertThat(params(refused(r.decide(InMemoryRequest.get("/api/patients").bearer(keyOfAClaimingB)), 401)))
          .containsEntry("error", "invalid_token");
    }
  }

  @Test
  void jwksUriWithSeveralIssuersIsRefused() {
    assertThatThrownBy(() -> resource(with(BASE, "issuer", "https://a.example/ https://b.example/", "jwks-uri", "https://a.example/jwks")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("init parameter jwks-uri applies to a single issuer; with 2 in init parameter issuer each one's keys are"
            + " found through discovery");
  }

  /** RFC 9728: the metadata settings publish the document; authorization_servers are the issuers. */
  @Nested
  class Metadata {
    private final Map<String, String> base = with(BASE, "issuer", "tenant.us.auth0.com https://login.example.com/",
        "scope-rules", "/mcp=mcp:tools; /mcp/admin=mcp:admin acr=urn:mfa");

    @Test
    void theSettingsPublishTheDocumentAndNameItInEveryChallenge() throws IOException {
      try (ProtectedResource r = resource(with(base, "resource", "https://mcp.example.com/mcp", "public-url", "http://127.0.0.1:8080",
          "resource-name", "Example MCP", "resource-documentation", "https://mcp.example.com/docs"))) {
        assertThat(r.metadata().orElseThrow().toJson()).isEqualTo("{\"resource\":\"https://mcp.example.com/mcp\","
            + "\"authorization_servers\":[\"https://tenant.us.auth0.com/\",\"https://login.example.com/\"],"
            + "\"scopes_supported\":[\"mcp:tools\",\"mcp:admin\"],\"bearer_methods_supported\":[\"header\"],"
            + "\"resource_name\":\"Example MCP\",\"resource_documentation\":\"https://mcp.example.com/docs\","
            + "\"dpop_signing_alg_values_supported\":[\"ES256\",\"EdDSA\",\"PS256\",\"RS256\"]}");
        Answer refused = refused(r.decide(InMemoryRequest.get("/mcp")), 401);
        assertThat(Answers.bearerParams(refused))
            .containsEntry("resource_metadata", "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp");
        assertThat(Answers.dpopParams(refused))
            .containsEntry("resource_metadata", "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp");
      }
    }

    @Test
    void theResourceIsTheSingleAudienceByDefault() {
      try (ProtectedResource r = resource(with(base, "public-url", "http://localhost:9000"))) {
        assertThat(r.metadata().orElseThrow().resource()).isEqualTo("https://api.example");
        assertThat(r.metadataUrl().orElseThrow()).hasToString("http://localhost:9000/.well-known/oauth-protected-resource");
      }
      try (ProtectedResource r = resource(with(base, "resource-name", "n"))) {
        assertThat(r.metadataUrl().orElseThrow()).hasToString("https://api.example/.well-known/oauth-protected-resource");
      }
    }

    @Test
    void withoutAMetadataSettingNothingIsPublished() {
      try (ProtectedResource r = resource(base)) {
        assertThat(r.metadata()).isEmpty();
      }
    }

    @Test
    void malformedMetadataSettingsAreNamed() {
      assertThatThrownBy(() -> resource(with(base, "audience", "https://a.example https://b.example", "resource-name", "n")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("init parameter resource is required to publish protected-resource metadata")
          .hasMessageContaining("init parameter audience holds 2 values");
      assertThatThrownBy(() -> resource(with(base, "audience", "my-api", "resource-name", "n")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("init parameter audience (the default of init parameter resource): the resource identifier");
      assertThatThrownBy(() -> resource(with(base, "resource", "http://mcp.example.com")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("init parameter resource: ");
      assertThatThrownBy(() -> resource(with(base, "resource", "https://mcp.example.com", "public-url", "mcp.example.com")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("init parameter public-url: ");
      assertThatThrownBy(() -> resource(with(base, "resource", "https://mcp.example.com", "public-url", "https://x.example/a b")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("init parameter public-url is not a URI");
      assertThatThrownBy(() -> resource(with(base, "resource", "https://mcp.example.com", "resource-documentation", "docs")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("init parameter resource-documentation: ");
      assertThatThrownBy(() -> resource(with(base, "resource", "https://mcp.example.com", "resource-name", "a\u0001b")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("init parameter resource-name: ");
    }
  }

  @Test
  void resourceBuilderNeedsNoIssuerAndDoesNotOwnTheVerifier() {
    try (FakeIssuer issuer = FakeIssuer.start(); AccessTokenVerifier verifier = issuer.verifierBuilder().build()) {
      Map<String, String> settings = Map.of("realm", "r", "scope-rules", "/a=x");
      ProtectedResource r = reader(settings).resourceBuilder(verifier).build();
      assertThat(r.verifier).isSameAs(verifier);
      assertThat(r.rules.match("/a/b").requirement.scopes()).containsExactly("x");
    }
  }

  /** Issue 10 item 1: Okta sends scp as an array, Entra ID as a string; scope-claims chooses the claims. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class ScopeClaims {
    private final FakeIssuer issuer = FakeIssuer.start();

    private Map<String, String> settings(String... extra) {
      return with(Map.of("issuer", issuer.issuer(), "audience", issuer.audience(), "jwks-uri", issuer.jwksUri().toString(),
          "scope-rules", "/api/patients=read:patients; /api/admin=read:admin"), extra);
    }

    @org.junit.jupiter.api.AfterAll
    void stop() {
      issuer.close();
    }

    private static Decision decide(ProtectedResource r, String path, String token) {
      try {
        return r.decide(InMemoryRequest.get(path).bearer(token));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }

    @Test
    void oktaAndEntraShapedScpTokensMeetScopeRulesWithScopeClaimsScp() {
      String okta = issuer.accessToken().claim("scp", List.of("read:patients", "openid")).claim("cid", "0oa1client").sign();
      String entra = issuer.accessToken().claim("scp", "read:patients write:notes").claim("appid", "client-app").sign();
      try (ProtectedResource r = resource(settings("scope-claims", "scp"))) {
        assertThat(decide(r, "/api/patients/1", okta).isAllowed()).isTrue();
        assertThat(decide(r, "/api/patients/1", entra).isAllowed()).isTrue();
        assertThat(params(refused(decide(r, "/api/admin", okta), 403))).containsEntry("scope", "read:admin");
      }
    }

    @Test
    void scopeClaimsReplacesTheDefaultClaims() {
      String scopeOnly = issuer.accessToken().scopes("read:admin").sign();
      try (ProtectedResource byDefault = resource(settings())) {
        assertThat(decide(byDefault, "/api/admin", scopeOnly).isAllowed()).as("scope is read by default").isTrue();
      }
      try (ProtectedResource scpOnly = resource(settings("scope-claims", "scp"))) {
        refused(decide(scpOnly, "/api/admin", scopeOnly), 403);
      }
      try (ProtectedResource both = resource(settings("scope-claims", "scp, scope"))) {
        assertThat(decide(both, "/api/admin", scopeOnly).isAllowed()).isTrue();
      }
    }
  }

  /** Issue 10 item 11: what the reader built, the resource closes (no tokenguard-jwks-fetch thread left behind). */
  @Test
  void closingTheResourceStopsTheKeyFetchThreadOfTheVerifierItBuilt() throws Exception {
    try (FakeIssuer issuer = FakeIssuer.start()) {
      Set<Thread> before = fetchThreads();
      ProtectedResource r = resource(Map.of("issuer", issuer.issuer(), "audience", issuer.audience(),
          "jwks-uri", issuer.jwksUri().toString()));
      assertThat(r.decide(InMemoryRequest.get("/x").bearer(issuer.accessToken().sign())).isAllowed()).isTrue();
      Set<Thread> started = fetchThreads();
      started.removeAll(before);
      assertThat(started).as("the verifier fetched its keys on its own thread").hasSize(1);

      r.close();

      for (Thread t : started) {
        t.join(10_000);
        assertThat(t.isAlive()).as("%s after close()", t).isFalse();
      }
    }
  }

  static Set<Thread> fetchThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("tokenguard-jwks-fetch") && t.isAlive())
        .collect(Collectors.toCollection(HashSet::new));
  }
}
