package dev.tokenguard.examples.health;

import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The self-explaining demo: calls the running API over HTTP with tokens from the fake issuer,
 * prints a table of what each request got, then {@code curl} commands with fresh tokens.
 */
final class Demo {
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

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
        return;
      }
      out.printf(format, s.label, "GET " + s.path, status, answer);
    }
    out.println();
    out.println(unexpected == 0
        ? "All " + scenarios.size() + " answers are as expected."
        : unexpected + " of " + scenarios.size() + " answers were NOT as expected.");

    String adminToken = issuer.accessToken().subject("auth0|demo-admin")
        .scopes(HealthApi.READ_PATIENTS, HealthApi.READ_ADMIN).sign();
    out.println();
    out.println("Try it yourself (these tokens are valid for one hour):");
    out.println();
    out.println("  curl -i " + base + "/api/public");
    out.println("  curl -i " + base + "/api/patients");
    out.println("  curl -i " + base + "/api/patients -H \"Authorization: Bearer " + patientsToken + "\"");
    out.println("  curl -i " + base + "/api/admin -H \"Authorization: Bearer " + patientsToken + "\"");
    out.println("  curl -i " + base + "/api/admin -H \"Authorization: Bearer " + adminToken + "\"");
    out.println("  curl -i " + base + "/api/me -H \"Authorization: Bearer " + adminToken + "\"");
    out.println();
    out.flush();
  }

  private HttpResponse<String> call(String path, String token) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** "OK", or the challenge's error and description (or realm only, when there were no credentials). */
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
        default:
          break;
      }
    }
    if (error == null) {
      return challenge + " (no error code: the request had no credentials)";
    }
    return error + (scope != null ? " (needs " + scope + ")" : "") + (description != null ? ": " + description : "");
  }
}
