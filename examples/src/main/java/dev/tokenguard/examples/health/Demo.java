package dev.tokenguard.examples.health;

import dev.tokenguard.testing.DpopProofBuilder;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestKey;
import dev.tokenguard.testing.TokenBuilder;
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
  /** Where clients reach the API: every proof's {@code htu} starts with it. */
  private final URI publicUrl;
  private final Settings settings;
  /** The demo client's DPoP key: the key its DPoP-bound tokens are bound to and that signs its proofs. */
  private final TestKey dpopKey = TestKey.ecP256();
  private final PrintStream out;
  /** The latest {@code DPoP-Nonce} the API sent, or null. */
  private String nonce;
  /** The proof of the latest DPoP request that got 200, for the replay scenario. */
  private String lastAcceptedProof;
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  Demo(FakeIssuer issuer, String base, URI publicUrl, Settings settings, PrintStream out) {
    this.issuer = issuer;
    this.base = base;
    this.publicUrl = publicUrl;
    this.settings = settings;
    this.out = out;
  }

  /** How a scenario presents its token. */
  private enum Presentation {
    /** {@code Authorization: Bearer}. */
    BEARER,
    /** {@code Authorization: DPoP} with a fresh proof, retried once with the API's nonce when it asks for one. */
    DPOP,
    /** {@code Authorization: DPoP} with a fresh proof without a nonce, not retried. */
    DPOP_WITHOUT_NONCE,
    /** {@code Authorization: DPoP} with the proof of the latest accepted DPoP request, sent again. */
    DPOP_REPLAY
  }

  private static final class Scenario {
    final String label;
    final String path;
    final String token;
    final Presentation presentation;
    final int expected;

    Scenario(String label, String path, String token, Presentation presentation, int expected) {
      this.label = label;
      this.path = path;
      this.token = token;
      this.presentation = presentation;
      this.expected = expected;
    }
  }

  private boolean dpopRequired() {
    return settings.dpop.equals("required");
  }

  /** An access token as this API accepts it: bound to the client's DPoP key when the API requires DPoP. */
  private TokenBuilder accessToken() {
    return dpopRequired() ? issuer.accessToken().dpopBound(dpopKey) : issuer.accessToken();
  }

  /** A scenario presenting {@code token} the way this API expects tokens. */
  private Scenario usual(String label, String path, String token, int expected) {
    return new Scenario(label, path, token, dpopRequired() ? Presentation.DPOP : Presentation.BEARER, expected);
  }

  void run() {
    String patientsToken = accessToken().subject("auth0|demo-nurse").scopes(HealthApi.READ_PATIENTS).sign();
    out.println();
    out.println("TokenGuard health API demo. A fake issuer (" + issuer.issuer() + ") signs the tokens;");
    out.println("the API trusts it exactly as it would trust your Auth0 tenant. Requests just sent"
        + (dpopRequired() ? " (DPOP=required: each with a DPoP proof)" : "") + ":");
    if (!section("", basics(patientsToken))) {
      return;
    }
    Instant now = issuer.clock().instant();
    String mfaToken = accessToken().subject("auth0|demo-doctor").scopes(HealthApi.READ_PATIENTS)
        .acr(HealthApi.MFA).amr("pwd", "otp").authTime(now).sign();
    out.println();
    out.println("Step-up authentication (RFC 9470): GET /api/records also needs a multi-factor login (acr " + HealthApi.MFA + ")");
    out.println("at most " + HealthApi.RECORDS_MAX_AGE.toSeconds() + " s old (auth_time). Requests just sent:");
    if (!section("step-up ", stepUp(mfaToken, now))) {
      return;
    }
    if (settings.dpop.equals("off")) {
      out.println();
      out.println("DPoP (RFC 9449) is off (DPOP=off): tokens are accepted as Bearer tokens only.");
    } else {
      out.println();
      out.println("Sender-constrained tokens (DPoP, RFC 9449): a token bound to the client's key works only with a fresh");
      out.println("proof signed by that key, once" + (settings.dpopNonces ? ", carrying the API's current nonce" : "")
          + ". Requests just sent:");
      if (!section("DPoP ", dpop())) {
        return;
      }
    }
    out.println();
    out.println("Protected-resource metadata (RFC 9728) is at " + base + "/.well-known/oauth-protected-resource;");
    out.println("every 401 names it in resource_metadata, so clients can find the authorization server.");
    tryItYourself(patientsToken, mfaToken);
  }

  private List<Scenario> basics(String patientsToken) {
    return List.of(
        usual("access token with read:patients", "/api/patients", patientsToken, 200),
        usual("ID token instead of an access token", "/api/patients", issuer.idToken().sign(), 401),
        usual("expired access token", "/api/patients", accessToken().scopes(HealthApi.READ_PATIENTS).expired().sign(), 401),
        usual("token without read:admin", "/api/admin", patientsToken, 403),
        new Scenario("no token", "/api/patients", null, Presentation.BEARER, 401),
        new Scenario("no token, public endpoint", "/api/public", null, Presentation.BEARER, 200));
  }

  private List<Scenario> stepUp(String mfaToken, Instant now) {
    return List.of(
        usual("multi-factor login just now", "/api/records", mfaToken, 200),
        usual("password login, no multi-factor acr", "/api/records", accessToken().subject("auth0|demo-nurse")
            .scopes(HealthApi.READ_PATIENTS).acr("urn:example:password").amr("pwd").authTime(now).sign(), 401),
        usual("multi-factor login an hour ago", "/api/records", accessToken().subject("auth0|demo-doctor")
            .scopes(HealthApi.READ_PATIENTS).acr(HealthApi.MFA).amr("pwd", "otp").authTime(now.minus(Duration.ofHours(1))).sign(), 401));
  }

  private List<Scenario> dpop() {
    String bound = issuer.accessToken().subject("auth0|demo-nurse").scopes(HealthApi.READ_PATIENTS).dpopBound(dpopKey).sign();
    List<Scenario> scenarios = new ArrayList<>(List.of(
        new Scenario("DPoP-bound token with a proof", "/api/patients", bound, Presentation.DPOP, 200),
        new Scenario("the same token as a Bearer token", "/api/patients", bound, Presentation.BEARER, 401),
        new Scenario("the same proof sent again (replay)", "/api/patients", bound, Presentation.DPOP_REPLAY, 401)));
    if (settings.dpopNonces) {
      scenarios.add(new Scenario("a proof without the API's nonce", "/api/patients", bound, Presentation.DPOP_WITHOUT_NONCE, 401));
    }
    return scenarios;
  }

  /** Prints {@code scenarios}' table and a verdict; false when interrupted. */
  private boolean section(String kind, List<Scenario> scenarios) {
    out.println();
    int unexpected = table(scenarios);
    if (unexpected < 0) {
      return false;
    }
    out.println();
    out.println(unexpected == 0
        ? "All " + scenarios.size() + " " + kind + "answers are as expected."
        : unexpected + " of " + scenarios.size() + " " + kind + "answers were NOT as expected.");
    return true;
  }

  private void tryItYourself(String patientsToken, String mfaToken) {
    String adminToken = accessToken().subject("auth0|demo-admin")
        .scopes(HealthApi.READ_PATIENTS, HealthApi.READ_ADMIN).sign();
    out.println();
    out.println("Try it yourself (these tokens are valid for one hour" + (dpopRequired()
        ? "; each DPoP proof works once, within 60 s, for its one request" : "") + "; after each command, the answer it gets):");
    out.println();
    out.println("  curl -i " + base + "/api/public   # 200 OK: no token needed");
    out.println("  curl -i " + base + "/api/patients   # 401: no token (the challenge names the metadata)");
    out.println("  curl -i " + base + "/api/patients" + credentials("/api/patients", patientsToken) + "   # 200 OK");
    out.println("  curl -i " + base + "/api/admin" + credentials("/api/admin", patientsToken) + "   # 403 insufficient_scope: needs read:admin");
    out.println("  curl -i " + base + "/api/admin" + credentials("/api/admin", adminToken) + "   # 200 OK");
    out.println("  curl -i " + base + "/api/me" + credentials("/api/me", adminToken) + "   # 200 OK: the token's subject, client and scopes");
    out.println("  curl -i " + base + "/api/records" + credentials("/api/records", mfaToken) + "   # 200 OK while its multi-factor login is"
        + " at most 300 s old, then 401 insufficient_user_authentication");
    out.println("  curl -i " + base + "/api/records" + credentials("/api/records", patientsToken) + "   # 401 insufficient_user_authentication:"
        + " no multi-factor login");
    out.println("  curl -i " + base + "/.well-known/oauth-protected-resource   # 200 OK: the RFC 9728 metadata, no token needed");
    out.println();
    out.flush();
  }

  /** The curl options presenting {@code token} to {@code path}: Bearer, or DPoP with a fresh proof when the API requires DPoP. */
  private String credentials(String path, String token) {
    if (!dpopRequired()) {
      return " -H \"Authorization: Bearer " + token + "\"";
    }
    return " -H \"Authorization: DPoP " + token + "\" -H \"DPoP: " + proof(path, token, nonce) + "\"";
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
        HttpResponse<String> r = send(s);
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

  /** Sends {@code s} as its presentation says; a DPoP request the API asks to use its nonce is sent once more with it. */
  private HttpResponse<String> send(Scenario s) throws IOException, InterruptedException {
    switch (s.presentation) {
      case DPOP: {
        HttpResponse<String> r = sendDpop(s.path, s.token, proof(s.path, s.token, nonce));
        if (r.statusCode() == 401 && r.headers().firstValue("DPoP-Nonce").isPresent()
            && challengeError(r).equals("use_dpop_nonce")) {
          r = sendDpop(s.path, s.token, proof(s.path, s.token, nonce));   // as a DPoP client does (RFC 9449 section 8)
        }
        return r;
      }
      case DPOP_WITHOUT_NONCE:
        return sendDpop(s.path, s.token, proof(s.path, s.token, null));
      case DPOP_REPLAY:
        return sendDpop(s.path, s.token, lastAcceptedProof);
      default:
        return client.send(request(s.path, s.token == null ? null : "Bearer " + s.token).build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private HttpResponse<String> sendDpop(String path, String token, String proof) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(request(path, "DPoP " + token).header("DPoP", proof).build(),
        HttpResponse.BodyHandlers.ofString());
    r.headers().firstValue("DPoP-Nonce").ifPresent(n -> nonce = n);
    if (r.statusCode() == 200) {
      lastAcceptedProof = proof;
    }
    return r;
  }

  private HttpRequest.Builder request(String path, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  /** A fresh proof of the demo client for {@code GET path} with {@code token}, at the API's public URL. */
  private String proof(String path, String token, String withNonce) {
    DpopProofBuilder proof = issuer.dpopProof(dpopKey, "GET", URI.create(publicUrl + path)).accessToken(token);
    return (withNonce != null ? proof.nonce(withNonce) : proof).sign();
  }

  private static String challengeError(HttpResponse<String> r) {
    for (String challenge : r.headers().allValues("WWW-Authenticate")) {
      Matcher m = PARAM.matcher(challenge);
      while (m.find()) {
        if (m.group(1).equals("error")) {
          return m.group(2);
        }
      }
    }
    return "";
  }

  /**
   * "OK", or the challenge's error, what it asks for ({@code scope}, {@code acr_values}, {@code
   * max_age}) and description (or the whole challenge, when there were no credentials).
   */
  static String describe(HttpResponse<String> r) {
    if (r.statusCode() == 200) {
      return "OK";
    }
    List<String> challenges = r.headers().allValues("WWW-Authenticate");
    if (challenges.isEmpty()) {
      return "no challenge";
    }
    // Bearer and DPoP each get a challenge; the error is on the one of the scheme that failed.
    String challenge = challenges.stream().filter(c -> c.contains("error=")).findFirst().orElse(challenges.get(0));
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
