package dev.tokenguard.contract;

import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;

/**
 * The second table of requests and answers, for front doors that publish protected-resource
 * metadata (RFC 9728) and require step-up authentication (RFC 9470): a door opts in by
 * protecting the metadata contract API below and calling {@link #assertDoorAnswersAsContracted}.
 * It is separate from {@link FrontDoorContract}, which every door must meet, because serving a
 * well-known path needs the door to see requests at the host root (a JAX-RS application below
 * an application path, for one, cannot), and because {@code resource_metadata} changes every
 * challenge of the first table.
 *
 * <p>The metadata contract API is the {@link FrontDoorContract} API (issuer = {@link
 * FakeIssuer#issuer()} of the given fixture, audience {@link FrontDoorContract#AUDIENCE}, realm
 * {@code health-api}, the same public path and scope rules) plus: {@code /api/records} (and below)
 * needs {@code read:patients}, {@code acr} {@link #MFA} and an {@code auth_time} at most 300 s old;
 * the resource identifier is {@link #RESOURCE}, its name {@link #RESOURCE_NAME}, and the public
 * URL is left to its default (the resource's origin), so every challenge names {@link
 * #METADATA_URL} whatever port the door listens on. Its verifier has the default DPoP policy, so
 * (having a public URL through its metadata) the door accepts DPoP too: every refusal carries the
 * {@code Bearer} challenge of the table and then {@link #DPOP_CHALLENGE}, which the table's bearer
 * requests never blame, and the document names the proof algorithms. {@link
 * #settings(FakeIssuer)} gives exactly that configuration in the shared configuration text, for
 * doors configured by text. The door's clock is the system clock. Compiled into the tests of each door's module from {@code
 * test-support/java}; never shipped.
 */
public final class MetadataContract {
  /** The authentication context class {@code /api/records} requires. */
  public static final String MFA = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
  /** The resource identifier (RFC 9728 section 1.2) the metadata contract API publishes. */
  public static final String RESOURCE = "https://health-api.contract.test/api";
  /** The {@code resource_name} it publishes. */
  public static final String RESOURCE_NAME = "Health API (contract)";
  /** The well-known path the document belongs at. */
  public static final String WELL_KNOWN_PATH = "/.well-known/oauth-protected-resource/api";
  /** What every challenge names in {@code resource_metadata}. */
  public static final String METADATA_URL = "https://health-api.contract.test" + WELL_KNOWN_PATH;
  /** The scope rules of the metadata contract API, in the shared configuration text. */
  public static final String SCOPE_RULES = "/api/patients=read:patients; /api/admin=read:admin; "
      + "/api/reports=read:reports|read:admin; /api/records=read:patients acr=" + MFA + " max-age=300";

  private static final String REALM = "Bearer realm=\"health-api\"";
  private static final String METADATA_PARAM = ", resource_metadata=\"" + METADATA_URL + "\"";
  /** The second challenge of every refusal: the DPoP scheme the door also accepts (RFC 9449 section 7.2), without error. */
  public static final String DPOP_CHALLENGE = "DPoP realm=\"health-api\", algs=\"ES256 EdDSA PS256 RS256\"" + METADATA_PARAM;
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();

  private MetadataContract() {}

  /** One row: a request, and the answer it must get. */
  public static final class Case {
    final String name;
    final String method;
    final String path;
    final List<String> headers;
    final int status;
    /** The exact WWW-Authenticate as a pattern, or null when there must be none. */
    final Pattern challenge;
    /** The exact body, or null when not checked. */
    final String body;

    Case(String name, String method, String path, List<String> headers, int status, String challengeRegex, String body) {
      this.name = name;
      this.method = method;
      this.path = path;
      this.headers = headers;
      this.status = status;
      this.challenge = challengeRegex == null ? null : Pattern.compile(challengeRegex);
      this.body = body;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * The configuration of the metadata contract API in the shared configuration text ({@code
   * ConfigurationReader} names), for a door configured by text.
   */
  public static Map<String, String> settings(FakeIssuer issuer) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("issuer", issuer.issuer());
    settings.put("audience", FrontDoorContract.AUDIENCE);
    settings.put("jwks-uri", issuer.jwksUri().toString());
    settings.put("realm", FrontDoorContract.REALM);
    settings.put("public-paths", "/api/public");
    settings.put("scope-rules", SCOPE_RULES);
    settings.put("resource", RESOURCE);
    settings.put("resource-name", RESOURCE_NAME);
    return settings;
  }

  /** The exact document the door must serve. */
  public static String document(FakeIssuer issuer) {
    return "{\"resource\":\"" + RESOURCE + "\",\"authorization_servers\":[\"" + issuer.issuer() + "\"],"
        + "\"scopes_supported\":[\"read:patients\",\"read:admin\",\"read:reports\"],"
        + "\"bearer_methods_supported\":[\"header\"],\"resource_name\":\"" + RESOURCE_NAME + "\","
        + "\"dpop_signing_alg_values_supported\":[\"ES256\",\"EdDSA\",\"PS256\",\"RS256\"]}";
  }

  private static String q(String literal) {
    return Pattern.quote(literal);
  }

  private static List<String> bearer(String token) {
    return List.of("Authorization", "Bearer " + token);
  }

  private static String stepUp(String description) {
    return q(REALM + ", error=\"insufficient_user_authentication\", error_description=\"" + description + "\", acr_values=\""
        + MFA + "\", max_age=300" + METADATA_PARAM);
  }

  /** The table, with tokens from {@code issuer}. */
  public static List<Case> cases(FakeIssuer issuer) {
    String document = document(issuer);
    Instant now = Instant.now();
    String patients = issuer.accessToken().scopes("read:patients").sign();
    String recent = issuer.accessToken().scopes("read:patients").acr(MFA).amr("pwd", "otp").authTime(now.minusSeconds(30)).sign();
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("metadata at the derived well-known path", "GET", WELL_KNOWN_PATH, List.of(), 200, null, document));
    cases.add(new Case("metadata at the root well-known path", "GET", "/.well-known/oauth-protected-resource", List.of(), 200, null,
        document));
    cases.add(new Case("metadata ignores credentials", "GET", WELL_KNOWN_PATH, bearer("not-a-token"), 200, null, document));
    cases.add(new Case("metadata by HEAD", "HEAD", WELL_KNOWN_PATH, List.of(), 200, null, ""));
    cases.add(new Case("no metadata at another resource's path", "GET", "/.well-known/oauth-protected-resource/other", List.of(), 401,
        q(REALM + METADATA_PARAM), null));
    cases.add(new Case("no metadata below the derived path", "GET", WELL_KNOWN_PATH + "/x", List.of(), 401, q(REALM + METADATA_PARAM),
        null));
    cases.add(new Case("no metadata below the resource path", "GET", "/api/.well-known/oauth-protected-resource", List.of(), 401,
        q(REALM + METADATA_PARAM), null));
    cases.add(new Case("POST to the metadata is a protected request", "POST", WELL_KNOWN_PATH, List.of(), 401, q(REALM + METADATA_PARAM),
        null));
    cases.add(new Case("no credentials name the metadata", "GET", "/api/patients", List.of(), 401, q(REALM + METADATA_PARAM), null));
    cases.add(new Case("forwarding headers do not move the metadata URL", "GET", "/api/patients",
        List.of("X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "http", "Forwarded", "host=evil.example;proto=http"), 401,
        q(REALM + METADATA_PARAM), null));
    cases.add(new Case("an invalid token names the metadata", "GET", "/api/me", bearer(issuer.accessToken().expired().sign()), 401,
        q(REALM + ", error=\"invalid_token\", error_description=\"The access token has expired.\"" + METADATA_PARAM), null));
    cases.add(new Case("a missing scope names the metadata", "GET", "/api/admin", bearer(patients), 403,
        q(REALM + ", error=\"insufficient_scope\", error_description=\"The access token lacks the scope this request requires.\", "
            + "scope=\"read:admin\"" + METADATA_PARAM), null));
    cases.add(new Case("a recent multi-factor login opens a record", "GET", "/api/records/p-001", bearer(recent), 200, null, null));
    cases.add(new Case("a wrong acr", "GET", "/api/records", bearer(issuer.accessToken().scopes("read:patients").acr("urn:example:pwd")
        .authTime(now.minusSeconds(30)).sign()), 401, stepUp("A different authentication level is required."), null));
    cases.add(new Case("no acr", "GET", "/api/records", bearer(issuer.accessToken().scopes("read:patients")
        .authTime(now.minusSeconds(30)).sign()), 401, stepUp("A different authentication level is required."), null));
    cases.add(new Case("a stale auth_time", "GET", "/api/records", bearer(issuer.accessToken().scopes("read:patients").acr(MFA)
        .authTime(now.minusSeconds(3600)).sign()), 401, stepUp("More recent authentication is required."), null));
    cases.add(new Case("no auth_time", "GET", "/api/records", bearer(issuer.accessToken().scopes("read:patients").acr(MFA).sign()), 401,
        stepUp("More recent authentication is required."), null));
    cases.add(new Case("a weak login lacking the scope too", "GET", "/api/records", bearer(issuer.accessToken().scopes("read:admin")
        .acr("urn:example:pwd").authTime(now.minusSeconds(30)).sign()), 401,
        q(REALM + ", error=\"insufficient_user_authentication\", error_description=\"A different authentication level is required.\", "
            + "scope=\"read:patients\", acr_values=\"" + MFA + "\", max_age=300" + METADATA_PARAM), null));
    cases.add(new Case("a strong login lacking the scope", "GET", "/api/records", bearer(issuer.accessToken().scopes("read:admin")
        .acr(MFA).authTime(now.minusSeconds(30)).sign()), 403,
        q(REALM + ", error=\"insufficient_scope\", error_description=\"The access token lacks the scope this request requires.\", "
            + "scope=\"read:patients\"" + METADATA_PARAM), null));
    return cases;
  }

  /**
   * Sends every case to the door at {@code base} (scheme, host and port, no trailing slash) and
   * checks each answer (status, both {@code WWW-Authenticate} challenges, and for the document its
   * body and header fields), reporting every mismatch at once.
   */
  public static void assertDoorAnswersAsContracted(URI base, FakeIssuer issuer) {
    SoftAssertions softly = new SoftAssertions();
    for (Case c : cases(issuer)) {
      HttpResponse<String> response = send(c.method, URI.create(base + c.path), c.headers);
      softly.assertThat(response.statusCode()).as("%s: status", c).isEqualTo(c.status);
      List<String> challenges = response.headers().allValues("WWW-Authenticate");
      if (c.challenge == null) {
        softly.assertThat(challenges).as("%s: WWW-Authenticate", c).isEmpty();
      } else {
        softly.assertThat(challenges).as("%s: WWW-Authenticate", c).hasSize(2);
        if (challenges.size() == 2) {
          softly.assertThat(challenges.get(0)).as("%s: WWW-Authenticate Bearer", c).matches(c.challenge);
          softly.assertThat(challenges.get(1)).as("%s: WWW-Authenticate DPoP", c).isEqualTo(DPOP_CHALLENGE);
        }
      }
      if (c.body != null) {
        softly.assertThat(response.body()).as("%s: body", c).isEqualTo(c.body);
      }
      if (c.status == 200 && c.path.startsWith("/.well-known/")) {
        softly.assertThat(response.headers().firstValue("Content-Type").orElse("")).as("%s: Content-Type", c)
            .startsWith("application/json");
        softly.assertThat(response.headers().firstValue("Cache-Control")).as("%s: Cache-Control", c).hasValue("public, max-age=3600");
        softly.assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).as("%s: CORS", c).hasValue("*");
        softly.assertThat(response.headers().firstValue("X-Content-Type-Options")).as("%s: nosniff", c).hasValue("nosniff");
      } else if (c.status != 200) {
        softly.assertThat(response.headers().firstValue("Cache-Control")).as("%s: Cache-Control", c).hasValue("no-store");
      }
    }
    softly.assertAll();
  }

  private static HttpResponse<String> send(String method, URI uri, List<String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.size(); i += 2) {
      request.header(headers.get(i), headers.get(i + 1));
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
}
