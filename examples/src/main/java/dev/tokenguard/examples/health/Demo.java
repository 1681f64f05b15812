package dev.tokenguard.examples.health;

import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The self-explaining demo: calls the running API over HTTP with tokens from the fake issuer,
 * prints a table of what each request got, then {@code curl} commands with fresh tokens.
 */
final class Demo {
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern MAX_AGE = Pattern.compile("max_age=([0-9]+)");

  private final FakeIssuer issuer;
  private final String base;
  private final PrintStream out;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  Demo(FakeIssuer issuer, String base, PrintStream out) {
    this.issuer = issuer;
    this.base = base;
    this.out = out;
  }

  private static final class Scenario {
    final String label;
    final String path;
    final String token;
    final int expected;

    Scenario(String label, String path, String token, int expected) {
      this.label = label;
      this.path = path;
      this.token = token;
      this.expected = expected;
    }
  }

  void run() {
    String patientsToken = issuer.accessToken().subject("auth0|demo-nurse").scopes(HealthApi.READ_PATIENTS).sign();
    List<Scenario> scenarios = List.of(
        new Scenario("access token with read:patients", "/api/patients", patientsToken, 200),
        new Scenario("ID token instead of an access token", "/api/patients", issuer.idToken().sign(), 401),
        new Scenario("expired access token", "/api/patients",
            issuer.accessToken().scopes(HealthApi.READ_PATIENTS).expired().sign(), 401),
        new Scenario("token without read:admin", "/api/admin", patientsToken, 403),
        new Scenario("no token", "/api/patients", null, 401),
        new Scenario("no token, public endpoint", "/api/public", null, 200));

    out.println();
    out.println("TokenGuard health API demo. A fake issuer (" + issuer.issuer() + ") signs the tokens;");
    out.println("the API trusts it exactly as it would trust your Auth0 tenant. Requests just sent:");
    out.println();
    int unexpected = table(scenarios);
    if (unexpected < 0) {
      return;
    }
    out.println();
    out.println(unexpected == 0
        ? "All " + scenarios.size() + " answers are as expected."
        : unexpected + " of " + scenarios.size() + " answers were NOT as expected.");

    Instant now = issuer.clock().instant();
    String mfaToken = issuer.accessToken().subject("auth0|demo-doctor").scopes(HealthApi.READ_PATIENTS)
        .acr(HealthApi.MFA).amr("pwd", "otp").authTime(now).sign();
    List<Scenario> stepUp = List.of(
        new Scenario("multi-factor login just now", "/api/records", mfaToken, 200),
        new Scenario("password login, no multi-factor acr", "/api/records", issuer.accessToken().subject("auth0|demo-nurse")
            .scopes(HealthApi.READ_PATIENTS).acr("urn:example:password").amr("pwd").authTime(now).sign(), 401),
        new Scenario("multi-factor login an hour ago", "/api/records", issuer.accessToken().subject("auth0|demo-doctor")
            .scopes(HealthApi.READ_PATIENTS).acr(HealthApi.MFA).amr("pwd", "otp").authTime(now.minus(Duration.ofHours(1))).sign(), 401));
    out.println();
    out.println("Step-up authentication (RFC 9470): GET /api/records also needs a multi-factor login (acr " + HealthApi.MFA + ")");
    out.println("at most " + HealthApi.RECORDS_MAX_AGE.toSeconds() + " s old (auth_time). Requests just sent:");
    out.println();
    int stepUpUnexpected = table(stepUp);
    if (stepUpUnexpected < 0) {
      return;
    }
    out.println();
    out.println(stepUpUnexpected == 0
        ? "All " + stepUp.size() + " step-up answers are as expected."
        : stepUpUnexpected + " of " + stepUp.size() + " step-up answers were NOT as expected.");
    out.println();
    out.println("Protected-resource metadata (RFC 9728) is at " + base + "/.well-known/oauth-protected-resource;");
    out.println("every 401 names it in resource_metadata, so clients can find the authorization server.");

    String adminToken = issuer.accessToken().subject("auth0|demo-admin")
        .scopes(HealthApi.READ_PATIENTS, HealthApi.READ_ADMIN).sign();
    out.println();
    out.println("Try it yourself (these tokens are valid for one hour; after each command, the answer it gets):");
    out.println();
    out.println("  curl -i " + base + "/api/public   # 200 OK: no token needed");
    out.println("  curl -i " + base + "/api/patients   # 401: no token (the challenge names the metadata)");
    out.println("  curl -i " + base + "/api/patients -H \"Authorization: Bearer " + patientsToken + "\"   # 200 OK");
    out.println("  curl -i " + base + "/api/admin -H \"Authorization: Bearer " + patientsToken + "\"   # 403 insufficient_scope: needs read:admin");
    out.println("  curl -i " + base + "/api/admin -H \"Authorization: Bearer " + adminToken + "\"   # 200 OK");
    out.println("  curl -i " + base + "/api/me -H \"Authorization: Bearer " + adminToken + "\"   # 200 OK: the token's subject, client and scopes");
    out.println("  curl -i " + base + "/api/records -H \"Authorization: Bearer " + mfaToken + "\"   # 200 OK while its multi-factor login is"
        + " at most 300 s old, then 401 insufficient_user_authentication");
    out.println("  curl -i " + base + "/api/records -H \"Authorization: Bearer " + patientsToken + "\"   # 401 insufficient_user_authentication:"
        + " no multi-factor login");
    out.println("  curl -i " + base + "/.well-known/oauth-protected-resource   # 200 OK: the RFC 9728 metadata, no token needed");
    out.println();
    out.flush();
  }

  /** Sends each scenario and prints a table row for it; returns how many got another status, or -1 when interrupted. */
  private int table(List<Scenario> scenarios) {
    String format = "  %-36s %-18s %-6s %s%n";
    out.printf(format, "scenario", "request", "status", "answer");
    out.printf(format, "-".repeat(36), "-".repeat(18), "-".repeat(6), "-".repeat(50));
    int unexpected = 0;
    for (Scenario s : scenarios) {
      String status;
      String answer;
      try {
        HttpResponse<String> r = call(s.path, s.token);
        status = Integer.toString(r.statusCode());
        answer = describe(r);
        if (r.statusCode() != s.expected) {
          unexpected++;
          answer = "UNEXPECTED, expected " + s.expected + ": " + answer;
        }
      } catch (IOException e) {
        unexpected++;
        status = "-";
        answer = "UNEXPECTED: " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
      out.printf(format, s.label, "GET " + s.path, status, answer);
    }
    return unexpected;
  }

  private HttpResponse<String> call(String path, String token) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * "OK", or the challenge's error, what it asks for ({@code scope}, {@code acr_values}, {@code
   * max_age}) and description (or the whole challenge, when there were no credentials).
   */
  static String describe(HttpResponse<String> r) {
    if (r.statusCode() == 200) {
      return "OK";
    }
    String challenge = r.headers().firstValue("WWW-Authenticate").orElse(null);
    if (challenge == null) {
      return "no challenge";
    }
    String error = null;
    String description = null;
    String scope = null;
    String acrValues = null;
    Matcher m = PARAM.matcher(challenge);
    while (m.find()) {
      switch (m.group(1)) {
        case "error":
          error = m.group(2);
          break;
        case "error_description":
          description = m.group(2);
          break;
        case "scope":
          scope = m.group(2);
          break;
        case "acr_values":
          acrValues = m.group(2);
          break;
        default:
          break;
      }
    }
    if (error == null) {
      return challenge + " (no error code: the request had no credentials)";
    }
    Matcher maxAge = MAX_AGE.matcher(challenge);
    List<String> needs = new ArrayList<>();
    if (scope != null) {
      needs.add(scope);
    }
    if (acrValues != null) {
      needs.add("acr " + acrValues);
    }
    if (maxAge.find()) {
      needs.add("a login at most " + maxAge.group(1) + " s old");
    }
    return error + (needs.isEmpty() ? "" : " (needs " + String.join(", ", needs) + ")")
        + (description != null ? ": " + description : "");
  }
}
