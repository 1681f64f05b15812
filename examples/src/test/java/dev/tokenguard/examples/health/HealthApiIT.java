package dev.tokenguard.examples.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

      assertThat(get(app, "/api/public", null).statusCode()).isEqualTo(200);
      HttpResponse<String> noToken = get(app, "/api/patients", null);
      assertThat(noToken.statusCode()).isEqualTo(401);
      assertThat(challenge(noToken)).isEqualTo("Bearer realm=\"health-api\"");

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
      assertThat(challenge(none)).isEqualTo("Bearer realm=\"health-api\"");

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

  @Test
  void issuerWithoutAudienceRefusesToStart() {
    try (RunningJar app = RunningJar.start(Map.of("ISSUER", "https://tenant.example/"))) {
      assertThat(app.awaitExit()).isEqualTo(2);
      assertThat(app.output()).contains("AUDIENCE is required").doesNotContain("listening");
    }
  }
}
