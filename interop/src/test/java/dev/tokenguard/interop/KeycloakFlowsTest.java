package dev.tokenguard.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.tokenguard.AccessTokenVerifier;
import java.net.URI;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tokens from Keycloak (its Maven Central distribution, run by {@code kc.sh start-dev}), produced
 * by the real flows over HTTP: authorization code with PKCE, password (direct grant), client
 * credentials, device authorization (RFC 8628) and refresh token. The realm is set up through the
 * admin REST API. Runs only with {@code -Pkeycloak}; see interop/README.md.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KeycloakFlowsTest {
  private static final String SHAPES = "keycloak";
  private static final String REALM = "interop";
  static final String API = "https://health-api.interop.test";
  private static final String WEB_CLIENT = "patient-portal";
  private static final String SPA_CLIENT = "patient-spa";
  private static final String SERVICE_CLIENT = "reporting-service";
  private static final String DEVICE_CLIENT = "bedside-tv";
  private static final String USER = "alice";
  private static final String PASSWORD = "alice-password";
  private static final String REDIRECT_URI = "http://127.0.0.1/callback";
  private static final List<String> DEFAULT_SCOPES = List.of("basic", "acr", "profile", "email", "roles", "web-origins", "health-api-audience");

  private static KeycloakServer keycloak;
  private static AccessTokenVerifier verifier;
  private static ProtectedApi api;
  private static OAuthClient.Endpoints endpoints;
  private static Expectations expect;
  private static String issuer;
  private static String userId;
  private static String serviceAccountId;
  private static final Map<String, String> SECRETS = new HashMap<>();

  @BeforeAll
  @Timeout(value = 360, unit = TimeUnit.SECONDS)
  static void start() throws Exception {
    // Surefire runs this class only in the keycloak profile, except when -Dtest names it.
    assumeTrue(System.getProperty("keycloak.dist.dir") != null, "Keycloak runs only with -Pkeycloak (see interop/README.md)");
    Path distribution = Path.of(required("keycloak.dist.dir"));
    Path javaHome = Path.of(required("keycloak.java.home"));
    keycloak = KeycloakServer.start(distribution, javaHome, Duration.ofSeconds(300),
        Path.of(System.getProperty("interop.report.dir", "target")).getParent().resolve("keycloak.log"));
    configureRealm(new KeycloakAdmin(keycloak));
    issuer = keycloak.issuer(REALM);
    endpoints = OAuthClient.Endpoints.discover(URI.create(issuer + "/.well-known/openid-configuration"));
    verifier = AccessTokenVerifier.builder()
        .issuer(issuer)
        .audience(API)
        .build();
    api = new ProtectedApi(verifier);
    expect = new Expectations(verifier, api, issuer, API);
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("system property " + property + " is not set: run with -Pkeycloak (see interop/README.md)");
    }
    return value;
  }

  @AfterAll
  static void stop() throws Exception {
    TokenShapes.write(SHAPES);
    try {
      if (api != null) {
        api.close();
      }
      if (verifier != null) {
        verifier.close();
      }
    } finally {
      if (keycloak != null) {
        keycloak.close();
      }
    }
  }

  /**
   * The realm: client scopes {@code read:patients} and {@code read:admin}, a client scope whose
   * audience mapper puts the API identifier into access tokens (Keycloak's way to name an API
   * audience), a confidential web client (authorization code with PKCE, password grant), a
   * service client (client credentials), a public device client (RFC 8628), a confidential client
   * whose client_id is the API identifier, and one user.
   */
  private static void configureRealm(KeycloakAdmin admin) {
    // Device clients poll every second instead of Keycloak's default 5 s: a shorter test run.
    admin.create("/realms", Map.of("realm", REALM, "enabled", true, "oauth2DevicePollingInterval", 1));
    String realm = "/realms/" + REALM;
    for (String scope : List.of("read:patients", "read:admin")) {
      admin.create(realm + "/client-scopes", Map.of(
          "name", scope,
          "protocol", "openid-connect",
          "attributes", Map.of("include.in.token.scope", "true", "display.on.consent.screen", "true")));
    }
    admin.create(realm + "/client-scopes", Map.of(
        "name", "health-api-audience",
        "protocol", "openid-connect",
        "attributes", Map.of("include.in.token.scope", "false", "display.on.consent.screen", "false"),
        "protocolMappers", List.of(Map.of(
            "name", "health-api audience",
            "protocol", "openid-connect",
            "protocolMapper", "oidc-audience-mapper",
            "config", Map.of(
                "included.custom.audience", API,
                "access.token.claim", "true",
                "id.token.claim", "false",
                "introspection.token.claim", "true")))));
    // Keycloak 25 stopped copying the login nonce into access tokens; upgraded realms keep the old
    // shape with this mapper, and older Keycloak sends it everywhere (issue 10 item 4).
    admin.create(realm + "/client-scopes", Map.of(
        "name", "nonce-backwards-compatible",
        "protocol", "openid-connect",
        "attributes", Map.of("include.in.token.scope", "false", "display.on.consent.screen", "false"),
        "protocolMappers", List.of(Map.of(
            "name", "nonce backwards compatible",
            "protocol", "openid-connect",
            "protocolMapper", "oidc-nonce-backwards-compatible-mapper",
            "config", Map.of()))));
    admin.create(realm + "/clients", Map.of(
        "clientId", SPA_CLIENT,
        "enabled", true,
        "protocol", "openid-connect",
        "publicClient", true,
        "standardFlowEnabled", true,
        "redirectUris", List.of(REDIRECT_URI),
        "attributes", Map.of("pkce.code.challenge.method", "S256"),
        "defaultClientScopes", concat(DEFAULT_SCOPES, "nonce-backwards-compatible"),
        "optionalClientScopes", List.of("read:patients", "read:admin")));
    confidentialClient(admin, WEB_CLIENT, Map.of(
        "standardFlowEnabled", true,
        "directAccessGrantsEnabled", true,
        "redirectUris", List.of(REDIRECT_URI),
        "attributes", Map.of("pkce.code.challenge.method", "S256"),
        "optionalClientScopes", List.of("offline_access", "read:patients", "read:admin")));
    String serviceClient = confidentialClient(admin, SERVICE_CLIENT, Map.of(
        "standardFlowEnabled", false,
        "serviceAccountsEnabled", true,
        "optionalClientScopes", List.of("read:patients", "read:admin")));
    serviceAccountId = (String) admin.getObject(realm + "/clients/" + serviceClient + "/service-account-user").get("id");
    admin.create(realm + "/clients", Map.of(
        "clientId", DEVICE_CLIENT,
        "enabled", true,
        "protocol", "openid-connect",
        "publicClient", true,
        "standardFlowEnabled", false,
        "attributes", Map.of("oauth2.device.authorization.grant.enabled", "true"),
        "defaultClientScopes", DEFAULT_SCOPES,
        "optionalClientScopes", List.of("offline_access", "read:patients", "read:admin")));
    confidentialClient(admin, API, Map.of(
        "standardFlowEnabled", true,
        "redirectUris", List.of(REDIRECT_URI),
        "attributes", Map.of("pkce.code.challenge.method", "S256"),
        "optionalClientScopes", List.of("read:patients")));
    userId = admin.create(realm + "/users", Map.of(
        "username", USER,
        "enabled", true,
        "email", "alice@interop.test",
        "emailVerified", true,
        "firstName", "Alice",
        "lastName", "Example",
        "credentials", List.of(Map.of("type", "password", "value", PASSWORD, "temporary", false))));
  }

  private static List<String> concat(List<String> list, String element) {
    List<String> result = new java.util.ArrayList<>(list);
    result.add(element);
    return result;
  }

  private static String confidentialClient(KeycloakAdmin admin, String clientId, Map<String, Object> settings) {
    String secret = OAuthClient.random(24);
    SECRETS.put(clientId, secret);
    Map<String, Object> client = new HashMap<>(settings);
    client.put("clientId", clientId);
    client.put("enabled", true);
    client.put("protocol", "openid-connect");
    client.put("publicClient", false);
    client.put("clientAuthenticatorType", "client-secret");
    client.put("secret", secret);
    client.put("defaultClientScopes", DEFAULT_SCOPES);
    return admin.create("/realms/" + REALM + "/clients", client);
  }

  @Test
  void discoveryNamesTheIssuerTheVerifierIsBuiltWith() {
    assertThat(endpoints.issuer()).isEqualTo(issuer);
    assertThat(endpoints.deviceAuthorization()).isNotNull();
    verifier.warmUp();
  }

  @Test
  void authorizationCodeWithPkce() {
    OAuthClient client = new OAuthClient(endpoints, WEB_CLIENT, SECRETS.get(WEB_CLIENT));
    OAuthClient.Response tokens = authorizationCode(client, "openid profile read:patients", true);

    record("authorization code + PKCE", tokens);
    SoftAssertions softly = new SoftAssertions();
    keycloakMarks(softly, "authorization code", tokens);
    expect.accessTokenAccepted(softly, "authorization code", tokens.accessToken(), userId, Set.of("read:patients"), false);
    expect.idTokenRefused(softly, "authorization code", tokens.idToken());
    softly.assertAll();
  }

  /**
   * A public client (as keycloak-js is: PKCE, always a nonce) in a realm that keeps Keycloak's
   * pre-25 token shape: the access token carries the login {@code nonce} too. It is still an
   * access token (payload typ "Bearer", a scope claim) and must pass (issue 10 item 4).
   */
  @Test
  void publicClientWithPkceAndTheNonceInTheAccessToken() {
    OAuthClient client = new OAuthClient(endpoints, SPA_CLIENT, null);
    OAuthClient.Response tokens = authorizationCode(client, "openid profile read:patients", true);

    record("authorization code + PKCE, public client, nonce backwards-compatible mapper", tokens);
    assertThat(json(TokenShapes.payload(tokens.accessToken()))).containsKey("nonce");
    SoftAssertions softly = new SoftAssertions();
    keycloakMarks(softly, "public client", tokens);
    expect.accessTokenAccepted(softly, "public client, nonce in the access token", tokens.accessToken(), userId, Set.of("read:patients"), false);
    expect.idTokenRefused(softly, "public client", tokens.idToken());
    softly.assertAll();
  }

  @Test
  void password() {
    OAuthClient client = new OAuthClient(endpoints, WEB_CLIENT, SECRETS.get(WEB_CLIENT));
    OAuthClient.Response tokens = client.password(USER, PASSWORD, "openid read:patients read:admin");
    assertThat(tokens.status()).as("token endpoint: %s", tokens.json()).isEqualTo(200);

    record("password", tokens);
    SoftAssertions softly = new SoftAssertions();
    keycloakMarks(softly, "password", tokens);
    expect.accessTokenAccepted(softly, "password", tokens.accessToken(), userId, Set.of("read:patients", "read:admin"), false);
    expect.idTokenRefused(softly, "password", tokens.idToken());
    softly.assertAll();
  }

  /**
   * Keycloak's subject here is its service-account user, not the client's id, so
   * {@code isMachineToMachine()} is recorded in the token shapes, not asserted.
   */
  @Test
  void clientCredentials() {
    OAuthClient client = new OAuthClient(endpoints, SERVICE_CLIENT, SECRETS.get(SERVICE_CLIENT));
    OAuthClient.Response tokens = client.clientCredentials("read:admin");
    assertThat(tokens.status()).as("token endpoint: %s", tokens.json()).isEqualTo(200);
    assertThat(tokens.optional("id_token")).isEmpty();

    record("client credentials", tokens);
    SoftAssertions softly = new SoftAssertions();
    expect.accessTokenAccepted(softly, "client credentials", tokens.accessToken(), serviceAccountId, Set.of("read:admin"), null);
    softly.assertAll();
  }

  @Test
  void deviceAuthorization() {
    OAuthClient device = new OAuthClient(endpoints, DEVICE_CLIENT, null);
    OAuthClient.DeviceAuthorization authorization = device.deviceAuthorization("openid read:patients");
    String userCode = authorization.string("user_code");

    OAuthClient.Response pending = device.pollDevice(authorization);
    assertThat(pending.status()).isEqualTo(400);
    assertThat(pending.error()).contains("authorization_pending");

    // The user, on another device: the verification page, the code, the login, the consent.
    Browser browser = new Browser();
    Browser.Page page = browser.follow(browser.get(URI.create(authorization.string("verification_uri"))));
    for (int step = 0; !page.body().contains("Device Login Successful"); step++) {
      assertThat(step).as("device verification did not finish; last page %s (HTTP %s):\n%s", page.uri(), page.status(), page.excerpt())
          .isLessThan(6);
      Document document = page.document();
      if (document.selectFirst("input[name=device_user_code]") != null) {
        page = browser.follow(browser.submit(page.form("form:has(input[name=device_user_code])").set("device_user_code", userCode)));
      } else if (document.selectFirst("input[name=password]") != null) {
        page = browser.follow(login(browser, page));
      } else if (document.selectFirst("[name=accept]") != null) {
        page = browser.follow(browser.submit(page.form("form:has([name=accept])").add("accept", "Yes")));
      } else {
        throw new AssertionError("unexpected page " + page.uri() + " (HTTP " + page.status() + "):\n" + page.excerpt());
      }
    }

    OAuthClient.Response tokens = device.pollDevice(authorization);
    assertThat(tokens.status()).as("token endpoint: %s", tokens.json()).isEqualTo(200);
    record("device authorization", tokens);
    SoftAssertions softly = new SoftAssertions();
    keycloakMarks(softly, "device authorization", tokens);
    expect.accessTokenAccepted(softly, "device authorization", tokens.accessToken(), userId, Set.of("read:patients"), false);
    expect.idTokenRefused(softly, "device authorization", tokens.idToken());
    OAuthClient.Response refreshed = device.refresh(tokens.refreshToken());
    softly.assertThat(refreshed.status()).as("device refresh: %s", refreshed.json()).isEqualTo(200);
    if (refreshed.status() == 200) {
      record("device authorization, refreshed", refreshed);
      expect.accessTokenAccepted(softly, "device refresh", refreshed.accessToken(), userId, Set.of("read:patients"), false);
      refreshed.optional("id_token").ifPresent(idToken -> expect.idTokenRefused(softly, "device refresh", idToken));
    }
    softly.assertAll();
  }

  @Test
  void refreshToken() {
    OAuthClient client = new OAuthClient(endpoints, WEB_CLIENT, SECRETS.get(WEB_CLIENT));
    OAuthClient.Response first = authorizationCode(client, "openid profile read:patients read:admin", true);
    OAuthClient.Response tokens = client.refresh(first.refreshToken());
    assertThat(tokens.status()).as("token endpoint: %s", tokens.json()).isEqualTo(200);

    record("refresh token", tokens);
    SoftAssertions softly = new SoftAssertions();
    keycloakMarks(softly, "refresh token", tokens);
    expect.accessTokenAccepted(softly, "refresh token", tokens.accessToken(), userId, Set.of("read:patients", "read:admin"), false);
    expect.idTokenRefused(softly, "refresh token", tokens.idToken());
    softly.assertAll();
  }

  /** Issue 10 item 4 on Keycloak: the ID token of a client whose client_id is the API identifier. */
  @Test
  void idTokenOfTheClientWhoseIdIsTheApiIdentifier() {
    OAuthClient client = new OAuthClient(endpoints, API, SECRETS.get(API));
    OAuthClient.Response tokens = authorizationCode(client, "openid profile read:patients", false);

    record("authorization code, client_id = API identifier", tokens);
    SoftAssertions softly = new SoftAssertions();
    keycloakMarks(softly, "client_id = API", tokens);
    expect.accessTokenAccepted(softly, "client_id = API", tokens.accessToken(), userId, Set.of("read:patients"), false);
    expect.idTokenRefused(softly, "client_id = API", tokens.idToken());
    softly.assertAll();
  }

  /**
   * What the README's "Tested with" row says Keycloak sends: header typ JWT on both tokens, the
   * payload typ "Bearer" on access tokens and "ID" on ID tokens, and aud [API, "account"] on
   * access tokens.
   */
  private static void keycloakMarks(SoftAssertions softly, String flow, OAuthClient.Response tokens) {
    softly.assertThat(json(TokenShapes.header(tokens.accessToken())).get("typ")).as(flow + ": access token header typ").isEqualTo("JWT");
    Map<String, Object> access = json(TokenShapes.payload(tokens.accessToken()));
    softly.assertThat(access.get("typ")).as(flow + ": access token payload typ").isEqualTo("Bearer");
    softly.assertThat(access.get("aud")).as(flow + ": access token aud").isEqualTo(List.of(API, "account"));
    tokens.optional("id_token").ifPresent(idToken -> {
      softly.assertThat(json(TokenShapes.header(idToken)).get("typ")).as(flow + ": ID token header typ").isEqualTo("JWT");
      softly.assertThat(json(TokenShapes.payload(idToken)).get("typ")).as(flow + ": ID token payload typ").isEqualTo("ID");
    });
  }

  private static Map<String, Object> json(String object) {
    try {
      return JSONObjectUtils.parse(object);
    } catch (ParseException e) {
      throw new AssertionError("not a JSON object", e);
    }
  }

  private static OAuthClient.Response authorizationCode(OAuthClient client, String scope, boolean nonce) {
    OAuthClient.Pkce pkce = OAuthClient.Pkce.create();
    String state = OAuthClient.random(16);
    URI request = client.authorizationRequest(REDIRECT_URI, scope, state, nonce ? OAuthClient.random(16) : null, pkce);
    Browser browser = new Browser();
    String code = OAuthClient.authorize(browser, request, REDIRECT_URI, state, page -> {
      if (page.document().selectFirst("input[name=password]") != null) {
        return login(browser, page);
      }
      Element accept = page.document().selectFirst("[name=accept]");
      if (accept != null) {
        return browser.submit(page.form("form:has([name=accept])").add("accept", accept.attr("value")));
      }
      throw new AssertionError("unexpected page " + page.uri() + " (HTTP " + page.status() + "):\n" + page.excerpt());
    });
    OAuthClient.Response tokens = client.exchangeCode(code, REDIRECT_URI, pkce);
    assertThat(tokens.status()).as("token endpoint: %s", tokens.json()).isEqualTo(200);
    return tokens;
  }

  /** Keycloak's login page: username and password on one form. */
  private static Browser.Page login(Browser browser, Browser.Page page) {
    return browser.submit(page.form("form:has(input[name=password])").set("username", USER).set("password", PASSWORD));
  }

  private static void record(String flow, OAuthClient.Response tokens) {
    TokenShapes.record(SHAPES, flow, "access token", tokens.accessToken());
    tokens.optional("id_token").ifPresent(idToken -> TokenShapes.record(SHAPES, flow, "ID token", idToken));
  }
}
