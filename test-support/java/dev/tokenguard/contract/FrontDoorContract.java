package dev.tokenguard.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;

/**
 * The one table of requests and answers every front door must give identically (the servlet
 * filter on Jetty and on Tomcat, Spring Boot, Jakarta REST): a door protecting the contract API
 * below must answer each request with exactly this status and {@code WWW-Authenticate}.
 *
 * <p>The contract API, configured the door's own way: issuer = {@link FakeIssuer#issuer()} of the
 * given fixture, audience = {@link #AUDIENCE}, realm {@code health-api}; {@code /api/public} needs
 * no token; {@code /api/patients} (and below) needs scope {@code read:patients}; {@code
 * /api/admin} (and below) needs {@code read:admin}; {@code /api/reports} (and below) needs {@code
 * read:reports} or {@code read:admin}; any other path (such as {@code /api/me}) needs a valid
 * token. Each protected endpoint answers 200 with any body. Tokens are minted at run time. Compiled
 * into the tests of each door's module from {@code test-support/java}; never shipped.
 */
public final class FrontDoorContract {
  /** The API identifier the contract API is configured with. */
  public static final String AUDIENCE = "https://health-api.contract.test";
  /** The realm the contract API is configured with. */
  public static final String REALM = "health-api";
  /** The exact challenge of a request without credentials. */
  public static final String NO_CREDENTIALS = "Bearer realm=\"health-api\"";

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();

  /** One row: a request, and the status and challenge it must get. */
  public static final class Case {
    final String name;
    final String path;
    final List<String> authorization;
    final int status;
    /** The exact WWW-Authenticate, a pattern of it, or null when there must be none. */
    final Pattern challenge;

    Case(String name, String path, List<String> authorization, int status, String challengeRegex) {
      this.name = name;
      this.path = path;
      this.authorization = authorization;
      this.status = status;
      this.challenge = challengeRegex == null ? null : Pattern.compile(challengeRegex);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private FrontDoorContract() {}

  /** The fixture every door's contract test mints its tokens with: audience {@link #AUDIENCE}. */
  public static FakeIssuer startIssuer() {
    return FakeIssuer.builder().audience(AUDIENCE).start();
  }

  private static String q(String literal) {
    return Pattern.quote(literal);
  }

  private static String invalidToken(String description) {
    return q("Bearer realm=\"health-api\", error=\"invalid_token\", error_description=\"" + description + "\"");
  }

  private static List<String> bearer(String token) {
    return List.of("Bearer " + token);
  }

  /** The table, with tokens from {@code issuer}. */
  public static List<Case> cases(FakeIssuer issuer) {
    String patients = issuer.accessToken().scopes("read:patients").sign();
    String admin = issuer.accessToken().scopes("read:admin").sign();
    String reports = issuer.accessToken().scopes("read:reports").sign();
    String okta = issuer.oktaAccessToken().scopes("read:patients").sign();
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("public path, no token", "/api/public", List.of(), 200, null));
    cases.add(new Case("public path, garbage token is not looked at", "/api/public", bearer("not-a-token"), 200, null));
    cases.add(new Case("no credentials", "/api/patients", List.of(), 401, q(NO_CREDENTIALS)));
    cases.add(new Case("another scheme is no bearer credential", "/api/patients", List.of("Basic dXNlcjpwYXNz"), 401, q(NO_CREDENTIALS)));
    cases.add(new Case("valid token with the scope", "/api/patients", bearer(patients), 200, null));
    cases.add(new Case("scheme in lower case", "/api/patients", List.of("bearer " + patients), 200, null));
    cases.add(new Case("a sub-path is covered by its rule", "/api/patients/42", bearer(admin), 403,
        q("Bearer realm=\"health-api\", error=\"insufficient_scope\", error_description=\"The access token lacks the scope this request requires.\", scope=\"read:patients\"")));
    cases.add(new Case("valid token without the scope", "/api/admin", bearer(patients), 403,
        q("Bearer realm=\"health-api\", error=\"insufficient_scope\", error_description=\"The access token lacks the scope this request requires.\", scope=\"read:admin\"")));
    cases.add(new Case("any-of rule, one scope present", "/api/reports", bearer(reports), 200, null));
    cases.add(new Case("any-of rule, another of its scopes", "/api/reports", bearer(admin), 200, null));
    cases.add(new Case("any-of rule, none of its scopes", "/api/reports", bearer(patients), 403,
        q("Bearer realm=\"health-api\", error=\"insufficient_scope\", error_description=\"The access token lacks every scope this request accepts.\", scope=\"read:reports read:admin\"")));
    cases.add(new Case("Okta scp scopes", "/api/patients", bearer(okta), 200, null));
    cases.add(new Case("unmatched path, any valid token", "/api/me", bearer(patients), 200, null));
    cases.add(new Case("expired token", "/api/me", bearer(issuer.accessToken().expired().sign()), 401,
        invalidToken("The access token has expired.")));
    cases.add(new Case("ID token", "/api/me", bearer(issuer.idToken().audience(AUDIENCE).sign()), 401,
        invalidToken("An ID token was presented where an access token is required.")));
    cases.add(new Case("wrong audience", "/api/me", bearer(issuer.accessToken().audience("https://other.example").sign()), 401,
        invalidToken("The access token is not meant for this API.")));
    cases.add(new Case("tampered signature", "/api/me", bearer(issuer.accessToken().tamperedSignature().sign()), 401,
        invalidToken("The access token signature is invalid.")));
    cases.add(new Case("alg none", "/api/me", bearer(issuer.accessToken().algNone().sign()), 401,
        invalidToken("The access token is signed with an algorithm this API does not accept.")));
    cases.add(new Case("characters outside b64token", "/api/me", List.of("Bearer abc$def"), 401,
        invalidToken("The access token is malformed.")));
    cases.add(new Case("two Authorization headers", "/api/me", List.of("Bearer " + patients, "Bearer " + patients), 400,
        q("Bearer realm=\"health-api\", error=\"invalid_request\", error_description=\"") + "[^\"]+\""));
    cases.add(new Case("Bearer without a token", "/api/me", List.of("Bearer"), 400,
        q("Bearer realm=\"health-api\", error=\"invalid_request\", error_description=\"") + "[^\"]+\""));
    cases.add(new Case("a token without the Bearer scheme", "/api/me", List.of(patients), 400,
        q("Bearer realm=\"health-api\", error=\"invalid_request\", error_description=\"") + "[^\"]+\""));
    return cases;
  }

  /**
   * Sends every case to the door at {@code base} (scheme, host and port, no trailing slash) and
   * checks each answer, reporting every mismatch at once.
   */
  public static void assertDoorAnswersAsContracted(URI base, FakeIssuer issuer) {
    assertDoorAnswersAsContracted(base, issuer, path -> path);
  }

  /**
   * As {@link #assertDoorAnswersAsContracted(URI, FakeIssuer)}, for a door that serves the
   * contract API under a prefix: {@code mapPath} turns a contract path into the door's.
   */
  public static void assertDoorAnswersAsContracted(URI base, FakeIssuer issuer, Function<String, String> mapPath) {
    SoftAssertions softly = new SoftAssertions();
    for (Case c : cases(issuer)) {
      HttpResponse<String> response = send(URI.create(base + mapPath.apply(c.path)), c.authorization);
      softly.assertThat(response.statusCode()).as("%s: status", c).isEqualTo(c.status);
      List<String> challenges = response.headers().allValues("WWW-Authenticate");
      if (c.challenge == null) {
        softly.assertThat(challenges).as("%s: WWW-Authenticate", c).isEmpty();
      } else {
        softly.assertThat(challenges).as("%s: WWW-Authenticate", c).hasSize(1);
        if (challenges.size() == 1) {
          softly.assertThat(challenges.get(0)).as("%s: WWW-Authenticate", c).matches(c.challenge);
        }
      }
      if (c.status != 200) {
        softly.assertThat(response.headers().firstValue("Cache-Control")).as("%s: Cache-Control", c).hasValue("no-store");
        softly.assertThat(response.headers().firstValue("Content-Type").orElse("")).as("%s: Content-Type", c)
            .startsWith("application/json");
      }
    }
    softly.assertAll();
  }

  private static HttpResponse<String> send(URI uri, List<String> authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    for (String value : authorization) {
      request.header("Authorization", value);
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** For a door's own use: assert a response carries no WWW-Authenticate. */
  static void assertNoChallenge(HttpResponse<String> response) {
    assertThat(response.headers().allValues("WWW-Authenticate")).isEmpty();
  }
}
