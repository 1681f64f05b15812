package dev.tokenguard.examples.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.support.RedisServer;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Drives the built {@code health-api.jar} over HTTP, as a user would. */
class HealthApiIT {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private static final String AUDIENCE = "https://health-api.it.example";

  private static HttpResponse<String> get(RunningJar app, String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.baseUri() + path)).timeout(Duration.ofSeconds(10)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String challenge(HttpResponse<String> r) {
    return r.headers().firstValue("WWW-Authenticate").orElseThrow();
  }

  private static final String MFA = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
  private static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

  /** The challenge of a request without credentials: the realm, and since issue 13 where the metadata is. */
  private static String noCredentials(String publicUrl) {
    return "Bearer realm=\"health-api\", resource_metadata=\"" + publicUrl + WELL_KNOWN + "\"";
  }

  private static String stepUp(String description, String publicUrl) {
    return "Bearer realm=\"health-api\", error=\"insufficient_user_authentication\", error_description=\"" + description + "\", "
        + "acr_values=\"" + MFA + "\", max_age=300, resource_metadata=\"" + publicUrl + WELL_KNOWN + "\"";
  }

  @Test
  void demoModeRunsItsScenariosPrintsCurlCommandsAndServes() {
    try (RunningJar app = RunningJar.start(Map.of()).awaitListening()) {
      String out = app.output();
      assertThat(out)
          .containsPattern("access token with read:patients +GET /api/patients +200 +OK")
          .containsPattern("ID token instead of an access token +GET /api/patients +401 +invalid_token: An ID token was presented")
          .containsPattern("expired access token +GET /api/patients +401 +invalid_token: The access token has expired.")
          .containsPattern("token without read:admin +GET /api/admin +403 +insufficient_scope \\(needs read:admin\\)")
          .containsPattern("no token +GET /api/patients +401 +Bearer realm=\"health-api\"")
          .contains("All 6 answers are as expected.")
          .doesNotContain("UNEXPECTED")
          .contains("curl -i " + app.baseUri() + "/api/public");
      // Issue 13: the step-up scenarios, in a table of their own.
      assertThat(out)
          .containsPattern("multi-factor login just now +GET /api/records +200 +OK")
          .containsPattern("password login, no multi-factor acr +GET /api/records +401 +insufficient_user_authentication \\(needs acr "
              + Pattern.quote(MFA) + ", a login at most 300 s old\\): A different authentication level is required.")
          .containsPattern("multi-factor login an hour ago +GET /api/records +401 +insufficient_user_authentication .*"
              + "More recent authentication is required.")
          .contains("All 3 step-up answers are as expected.")
          // Issue 12: the DPoP scenarios (DPoP allowed beside Bearer by default).
          .containsPattern("DPoP-bound token with a proof +GET /api/patients +200 +OK")
          .containsPattern("the same token as a Bearer token +GET /api/patients +401 +invalid_token")
          .containsPattern("the same proof sent again \\(replay\\) +GET /api/patients +401 +invalid_dpop_proof")
          .contains("All 3 DPoP answers are as expected.")
          .contains("curl -i " + app.baseUri() + "/.well-known/oauth-protected-resource   # 200 OK");
      // Issue 10 item 11: every printed curl line says the answer it gets.
      Matcher curl = Pattern.compile("(?m)^  curl -i .*$").matcher(out);
      int curls = 0;
      while (curl.find()) {
        curls++;
        assertThat(curl.group()).containsPattern("   # (200|401|403)");
      }
      assertThat(curls).isEqualTo(9);

      assertThat(get(app, "/api/public", null).statusCode()).isEqualTo(200);
      HttpResponse<String> noToken = get(app, "/api/patients", null);
      assertThat(noToken.statusCode()).isEqualTo(401);
      assertThat(challenge(noToken)).isEqualTo(noCredentials(app.baseUri()));

      // The printed commands work as printed.
      Matcher patients = Pattern.compile("curl -i \\S+/api/patients -H \"Authorization: Bearer (\\S+)\"").matcher(out);
      assertThat(patients.find()).isTrue();
      assertThat(get(app, "/api/patients", patients.group(1)).statusCode()).isEqualTo(200);
      assertThat(get(app, "/api/admin", patients.group(1)).statusCode()).isEqualTo(403);
      Matcher me = Pattern.compile("curl -i \\S+/api/me -H \"Authorization: Bearer (\\S+)\"").matcher(out);
      assertThat(me.find()).isTrue();
      HttpResponse<String> meAnswer = get(app, "/api/me", me.group(1));
      assertThat(meAnswer.statusCode()).isEqualTo(200);
      assertThat(meAnswer.body())
          .contains("\"sub\":\"auth0|demo-admin\"", "\"scopes\":[\"read:admin\",\"read:patients\"]")
          .containsPattern("\"client_id\":\"client-[^\"]+\"");
      Matcher records = Pattern.compile("curl -i \\S+/api/records -H \"Authorization: Bearer (\\S+)\"   # 200").matcher(out);
      assertThat(records.find()).isTrue();
      HttpResponse<String> record = get(app, "/api/records", records.group(1));
      assertThat(record.statusCode()).isEqualTo(200);
      assertThat(record.body()).contains("\"acr\":\"" + MFA + "\"");
      HttpResponse<String> weak = get(app, "/api/records", patients.group(1));
      assertThat(weak.statusCode()).isEqualTo(401);
      assertThat(challenge(weak)).isEqualTo(stepUp("A different authentication level is required.", app.baseUri()));

      HttpResponse<String> metadata = get(app, WELL_KNOWN, null);
      assertThat(metadata.statusCode()).isEqualTo(200);
      assertThat(metadata.body()).startsWith("{\"resource\":\"https://health-api.example.test\",\"authorization_servers\":[\"http://127.0.0.1:")
          .contains("\"scopes_supported\":[\"read:patients\",\"read:admin\"]");
    }
  }

  @Test
  void envModeTrustsTheConfiguredIssuerFoundThroughDiscovery() {
    try (FakeIssuer issuer = FakeIssuer.builder().audience(AUDIENCE).start();
        FakeIssuer stranger = FakeIssuer.builder().audience(AUDIENCE).start();
        RunningJar app = RunningJar.start(Map.of("ISSUER", issuer.issuer(), "AUDIENCE", AUDIENCE)).awaitListening()) {
      assertThat(app.output()).contains("listening on " + app.baseUri()).doesNotContain("demo");
      assertThat(issuer.discoveryRequestCount()).as("keys found through discovery").isGreaterThanOrEqualTo(1);

      String nurse = issuer.accessToken().subject("auth0|nurse").scopes("read:patients").sign();
      assertThat(get(app, "/api/public", null).statusCode()).isEqualTo(200);
      assertThat(get(app, "/api/patients", nurse).statusCode()).isEqualTo(200);

      HttpResponse<String> forbidden = get(app, "/api/admin", nurse);
      assertThat(forbidden.statusCode()).isEqualTo(403);
      assertThat(challenge(forbidden)).contains("error=\"insufficient_scope\"", "scope=\"read:admin\"");

      String admin = issuer.accessToken().scopes("read:admin").sign();
      assertThat(get(app, "/api/admin", admin).statusCode()).isEqualTo(200);

      HttpResponse<String> me = get(app, "/api/me", nurse);
      assertThat(me.statusCode()).isEqualTo(200);
      assertThat(me.body()).contains("\"sub\":\"auth0|nurse\"", "\"scopes\":[\"read:patients\"]", "\"client_id\":\"client-");

      HttpResponse<String> none = get(app, "/api/me", null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(challenge(none)).isEqualTo(noCredentials(app.baseUri()));

      for (String bad : new String[] {
          issuer.accessToken().scopes("read:patients").expired().sign(),
          issuer.idToken().sign(),
          issuer.accessToken().audience("https://another-api.example").scopes("read:patients").sign(),
          stranger.accessToken().scopes("read:patients").sign()}) {
        HttpResponse<String> r = get(app, "/api/patients", bad);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(challenge(r)).contains("error=\"invalid_token\"");
      }
    }
  }

  @Test
  void envModeUsesJwksUriWhenGiven() {
    try (FakeIssuer issuer = FakeIssuer.builder().audience(AUDIENCE).start();
        RunningJar app = RunningJar.start(Map.of("ISSUER", issuer.issuer(), "AUDIENCE", AUDIENCE,
            "JWKS_URI", issuer.jwksUri().toString())).awaitListening()) {
      assertThat(get(app, "/api/me", issuer.accessToken().sign()).statusCode()).isEqualTo(200);
      assertThat(issuer.discoveryRequestCount()).isZero();
      assertThat(issuer.jwksRequestCount()).isGreaterThanOrEqualTo(1);
    }
  }

  /** Issue 13: GET /api/records needs read:patients, acr multi-factor and auth_time at most 300 s old. */
  @Test
  void recordsNeedARecentMultiFactorLogin() {
    try (FakeIssuer issuer = FakeIssuer.builder().audience(AUDIENCE).start();
        RunningJar app = RunningJar.start(Map.of("ISSUER", issuer.issuer(), "AUDIENCE", AUDIENCE)).awaitListening()) {
      Instant now = Instant.now();
      String fresh = issuer.accessToken().scopes("read:patients").acr(MFA).amr("pwd", "otp").authTime(now.minusSeconds(30)).sign();
      assertThat(get(app, "/api/records", fresh).statusCode()).isEqualTo(200);

      HttpResponse<String> wrongAcr = get(app, "/api/records",
          issuer.accessToken().scopes("read:patients").acr("urn:example:password").authTime(now).sign());
      assertThat(wrongAcr.statusCode()).isEqualTo(401);
      assertThat(challenge(wrongAcr)).isEqualTo(stepUp("A different authentication level is required.", app.baseUri()));

      HttpResponse<String> stale = get(app, "/api/records",
          issuer.accessToken().scopes("read:patients").acr(MFA).authTime(now.minusSeconds(3600)).sign());
      assertThat(stale.statusCode()).isEqualTo(401);
      assertThat(challenge(stale)).isEqualTo(stepUp("More recent authentication is required.", app.baseUri()));

      // At most 300 s old, exactly: the clock skew does not stretch what max_age=300 promises.
      HttpResponse<String> justTooOld = get(app, "/api/records",
          issuer.accessToken().scopes("read:patients").acr(MFA).authTime(now.minusSeconds(330)).sign());
      assertThat(justTooOld.statusCode()).isEqualTo(401);
      assertThat(challenge(justTooOld)).isEqualTo(stepUp("More recent authentication is required.", app.baseUri()));

      HttpResponse<String> noAuthTime = get(app, "/api/records", issuer.accessToken().scopes("read:patients").acr(MFA).sign());
      assertThat(noAuthTime.statusCode()).isEqualTo(401);
      assertThat(challenge(noAuthTime)).isEqualTo(stepUp("More recent authentication is required.", app.baseUri()));

      HttpResponse<String> noScope = get(app, "/api/records", issuer.accessToken().scopes("read:admin").acr(MFA).authTime(now).sign());
      assertThat(noScope.statusCode()).isEqualTo(403);
      assertThat(challenge(noScope)).contains("error=\"insufficient_scope\"", "scope=\"read:patients\"");
    }
  }

  /** Issue 13: several issuers in ISSUER, each found through its own discovery; the metadata lists them. */
  @Test
  void severalIssuersAreTrustedEachThroughItsOwnDiscoveryAndPublished() {
    try (FakeIssuer a = FakeIssuer.builder().audience(AUDIENCE).start();
        FakeIssuer b = FakeIssuer.builder().audience(AUDIENCE).start();
        FakeIssuer stranger = FakeIssuer.builder().audience(AUDIENCE).start();
        RunningJar app = RunningJar.start(Map.of("ISSUER", a.issuer() + "," + b.issuer(), "AUDIENCE", AUDIENCE)).awaitListening()) {
      assertThat(a.discoveryRequestCount()).isGreaterThanOrEqualTo(1);
      assertThat(b.discoveryRequestCount()).isGreaterThanOrEqualTo(1);
      assertThat(get(app, "/api/patients", a.accessToken().scopes("read:patients").sign()).statusCode()).isEqualTo(200);
      assertThat(get(app, "/api/patients", b.accessToken().scopes("read:patients").sign()).statusCode()).isEqualTo(200);
      HttpResponse<String> strangers = get(app, "/api/patients", stranger.accessToken().scopes("read:patients").sign());
      assertThat(strangers.statusCode()).isEqualTo(401);
      assertThat(challenge(strangers)).contains("error=\"invalid_token\"");
      assertThat(stranger.requestCount()).isZero();
      HttpResponse<String> keyOfAForB = get(app, "/api/patients", a.accessToken().issuer(b.issuer()).scopes("read:patients").sign());
      assertThat(keyOfAForB.statusCode()).isEqualTo(401);

      HttpResponse<String> metadata = get(app, WELL_KNOWN, null);
      assertThat(metadata.statusCode()).isEqualTo(200);
      assertThat(metadata.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
      assertThat(metadata.headers().firstValue("Cache-Control")).hasValue("public, max-age=3600");
      assertThat(metadata.body()).isEqualTo("{\"resource\":\"" + AUDIENCE + "\",\"authorization_servers\":[\"" + a.issuer() + "\",\""
          + b.issuer() + "\"],\"scopes_supported\":[\"read:patients\",\"read:admin\"],\"bearer_methods_supported\":[\"header\"],"
          + "\"resource_name\":\"Health API (TokenGuard example)\",\"dpop_signing_alg_values_supported\":[\"ES256\",\"EdDSA\",\"PS256\","
          + "\"RS256\"]}");
      assertThat(get(app, WELL_KNOWN + "/other", null).statusCode()).as("no document at another path").isEqualTo(401);
    }
  }

  @Test
  void publicUrlIsTheBaseOfTheMetadataUrlAndScopeClaimsChoosesTheClaims() {
    try (FakeIssuer issuer = FakeIssuer.builder().audience(AUDIENCE).start();
        RunningJar app = RunningJar.start(Map.of("ISSUER", issuer.issuer(), "AUDIENCE", AUDIENCE,
            "PUBLIC_URL", "https://health.example.org/", "SCOPE_CLAIMS", "scp")).awaitListening()) {
      HttpResponse<String> none = get(app, "/api/patients", null);
      assertThat(challenge(none)).isEqualTo(noCredentials("https://health.example.org"));
      assertThat(get(app, WELL_KNOWN, null).statusCode()).isEqualTo(200);

      assertThat(get(app, "/api/patients", issuer.accessToken().claim("scp", List.of("read:patients", "openid")).sign()).statusCode())
          .isEqualTo(200);
      HttpResponse<String> scopeClaim = get(app, "/api/patients", issuer.accessToken().scopes("read:patients").sign());
      assertThat(scopeClaim.statusCode()).as("SCOPE_CLAIMS=scp reads scp only").isEqualTo(403);
    }
  }

  @Test
  void jwksUriWithSeveralIssuersRefusesToStart() {
    try (RunningJar app = RunningJar.start(Map.of("ISSUER", "https://a.example/,https://b.example/", "AUDIENCE", AUDIENCE,
        "JWKS_URI", "https://a.example/jwks.json"))) {
      assertThat(app.awaitExit()).isEqualTo(2);
      assertThat(app.output()).contains("JWKS_URI applies only when ISSUER names one issuer").doesNotContain("listening");
    }
  }

  @Test
  void anAudienceThatIsNoUrlStillStartsWithoutMetadata() {
    try (FakeIssuer issuer = FakeIssuer.builder().audience("health-api").start();
        RunningJar app = RunningJar.start(Map.of("ISSUER", issuer.issuer(), "AUDIENCE", "health-api")).awaitListening()) {
      assertThat(app.output()).contains("Warning: not serving /.well-known/oauth-protected-resource: AUDIENCE health-api");
      assertThat(challenge(get(app, "/api/me", null))).isEqualTo("Bearer realm=\"health-api\"");
      assertThat(get(app, "/api/me", issuer.accessToken().sign()).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void issuerWithoutAudienceRefusesToStart() {
    try (RunningJar app = RunningJar.start(Map.of("ISSUER", "https://tenant.example/"))) {
      assertThat(app.awaitExit()).isEqualTo(2);
      assertThat(app.output()).contains("AUDIENCE is required").doesNotContain("listening");
    }
  }

  // Issue 12: DPOP, DPOP_NONCE, PUBLIC_URL (the base of htu) and REDIS_URL.

  private static HttpResponse<String> getWithDpop(RunningJar app, String path, String token, String proof) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(app.baseUri() + path)).timeout(Duration.ofSeconds(10)).GET()
        .header("Authorization", "DPoP " + token).header("DPoP", proof).build();
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String proof(FakeIssuer issuer, TestKey holder, String url, String token) {
    return issuer.dpopProof(holder, "GET", URI.create(url)).accessToken(token).sign();
  }

  @Test
  void dpopIsAcceptedBesideBearerByDefaultAndABoundTokenNeedsItsProof() {
    TestKey holder = TestKey.ecP256();
    try (FakeIssuer issuer = FakeIssuer.builder().audience(AUDIENCE).start();
        RunningJar app = RunningJar.start(Map.of("ISSUER", issuer.issuer(), "AUDIENCE", AUDIENCE)).awaitListening()) {
      String bound = issuer.accessToken().scopes("read:patients").dpopBound(holder).sign();
      String proof = proof(issuer, holder, app.baseUri() + "/api/patients", bound);
      assertThat(getWithDpop(app, "/api/patients", bound, proof).statusCode()).isEqualTo(200);
      HttpResponse<String> replay = getWithDpop(app, "/api/patients", bound, proof);
      assertThat(replay.statusCode()).isEqualTo(401);
      assertThat(replay.headers().allValues("WWW-Authenticate")).anyMatch(c -> c.startsWith("DPoP ") && c.contains("error=\"invalid_dpop_proof\""));
      assertThat(get(app, "/api/patients", bound).statusCode()).as("a bound token as Bearer").isEqualTo(401);
      assertThat(get(app, "/api/patients", issuer.accessToken().scopes("read:patients").sign()).statusCode())
          .as("an unbound token as Bearer").isEqualTo(200);
      String otherKeysProof = proof(issuer, TestKey.ecP256(), app.baseUri() + "/api/patients", bound);
      assertThat(getWithDpop(app, "/api/patients", bound, otherKeysProof).statusCode()).as("a proof by another key").isEqualTo(401);

      HttpResponse<String> none = get(app, "/api/patients", null);
      assertThat(none.headers().allValues("WWW-Authenticate")).as("both schemes are offered")
          .anyMatch(c -> c.startsWith("Bearer realm=\"health-api\""))
          .anyMatch(c -> c.startsWith("DPoP realm=\"health-api\"") && c.contains("algs=\""));
      assertThat(get(app, WELL_KNOWN, null).body()).contains("\"dpop_signing_alg_values_supported\":[");
    }
  }

  @Test
  void dpopRequiredRefusesBearerTokensOnEveryProtectedPath() {
    TestKey holder = TestKey.ecP256();
    try (FakeIssuer issuer = FakeIssuer.builder().audience(AUDIENCE).start();
        RunningJar app = RunningJar.start(Map.of("ISSUER", issuer.issuer(), "AUDIENCE", AUDIENCE, "DPOP", "required")).awaitListening()) {
      assertThat(app.output()).contains("DPoP required");
      String bound = issuer.accessToken().scopes("read:patients", "read:admin").dpopBound(holder).sign();
      String unbound = issuer.accessToken().scopes("read:patients", "read:admin").sign();
      for (String path : List.of("/api/patients", "/api/admin", "/api/me")) {
        assertThat(getWithDpop(app, path, bound, proof(issuer, holder, app.baseUri() + path, bound)).statusCode()).as(path).isEqualTo(200);
        HttpResponse<String> bearer = get(app, path, unbound);
        assertThat(bearer.statusCode()).as(path).isEqualTo(401);
        assertThat(bearer.headers().allValues("WWW-Authenticate")).as("only DPoP is offered").allMatch(c -> c.startsWith("DPoP "));
      }
      assertThat(get(app, "/api/public", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void dpopNonceOnAsksForTheNonceAndAcceptsAProofCarryingIt() {
    TestKey holder = TestKey.ecP256();
    try (FakeIssuer issuer = FakeIssuer.builder().audience(AUDIENCE).start();
        RunningJar app = RunningJar.start(Map.of("ISSUER", issuer.issuer(), "AUDIENCE", AUDIENCE, "DPOP_NONCE", "on",
            "PUBLIC_URL", "https://health.example.org")).awaitListening()) {
      String bound = issuer.accessToken().scopes("read:patients").dpopBound(holder).sign();
      String url = "https://health.example.org/api/patients";       // htu names PUBLIC_URL, not the loopback address
      HttpResponse<String> first = getWithDpop(app, "/api/patients", bound, proof(issuer, holder, url, bound));
      assertThat(first.statusCode()).isEqualTo(401);
      assertThat(first.headers().allValues("WWW-Authenticate")).anyMatch(c -> c.contains("error=\"use_dpop_nonce\""));
      String nonce = first.headers().firstValue("DPoP-Nonce").orElseThrow();
      String withNonce = issuer.dpopProof(holder, "GET", URI.create(url)).accessToken(bound).nonce(nonce).sign();
      assertThat(getWithDpop(app, "/api/patients", bound, withNonce).statusCode()).isEqualTo(200);
      String atLoopback = issuer.dpopProof(holder, "GET", URI.create(app.baseUri() + "/api/patients")).accessToken(bound).nonce(nonce).sign();
      assertThat(getWithDpop(app, "/api/patients", bound, atLoopback).statusCode()).as("htu must be the public URL").isEqualTo(401);
    }
  }

  @Test
  void twoInstancesSharingRedisRefuseEachOthersReplays() {
    TestKey holder = TestKey.ecP256();
    try (RedisServer redis = RedisServer.start();
        FakeIssuer issuer = FakeIssuer.builder().audience(AUDIENCE).start()) {
      Map<String, String> env = Map.of("ISSUER", issuer.issuer(), "AUDIENCE", AUDIENCE, "REDIS_URL", redis.uri().toString(),
          "PUBLIC_URL", "https://health.example.org");
      try (RunningJar a = RunningJar.start(env).awaitListening(); RunningJar b = RunningJar.start(env).awaitListening()) {
        assertThat(a.output()).contains("in Redis");
        String bound = issuer.accessToken().scopes("read:patients").dpopBound(holder).sign();
        String proof = proof(issuer, holder, "https://health.example.org/api/patients", bound);
        assertThat(getWithDpop(a, "/api/patients", bound, proof).statusCode()).isEqualTo(200);
        assertThat(getWithDpop(b, "/api/patients", bound, proof).statusCode()).as("replayed to the other instance").isEqualTo(401);
      }
    }
  }

  @Test
  void demoWithDpopRequiredSendsEveryTokenWithAProofAndPrintsDpopCommands() {
    try (RunningJar app = RunningJar.start(Map.of("DPOP", "required", "DPOP_NONCE", "on")).awaitListening()) {
      String out = app.output();
      assertThat(out).contains("All 6 answers are as expected.", "All 3 step-up answers are as expected.", "All 4 DPoP answers are as expected.")
          .containsPattern("a proof without the API's nonce +GET /api/patients +401 +use_dpop_nonce")
          .doesNotContain("UNEXPECTED")
          .containsPattern("curl -i \\S+/api/patients -H \"Authorization: DPoP \\S+\" -H \"DPoP: \\S+\"   # 200");
    }
  }

  @Test
  void aDpopSettingThatIsNeitherValueRefusesToStart() {
    Map<Map<String, String>, String> refused = Map.of(
        Map.of("DPOP", "sometimes"), "DPOP must be one of allowed, required, off, got: sometimes",
        Map.of("DPOP_NONCE", "yes"), "DPOP_NONCE must be one of off, on, got: yes",
        Map.of("REDIS_URL", "localhost:6379"), "REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379, got: localhost:6379",
        Map.of("DPOP", "off", "DPOP_NONCE", "on"), "DPOP_NONCE=on needs DPoP");
    refused.forEach((env, message) -> {
      try (RunningJar app = RunningJar.start(env)) {
        assertThat(app.awaitExit()).as(env.toString()).isEqualTo(2);
        assertThat(app.output()).as(env.toString()).contains(message).doesNotContain("listening");
      }
    });
  }
}
