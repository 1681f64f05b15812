package dev.tokenguard.interop;

import static dev.tokenguard.interop.SpringAuthorizationServer.API;
import static dev.tokenguard.interop.SpringAuthorizationServer.DEVICE_CLIENT;
import static dev.tokenguard.interop.SpringAuthorizationServer.PASSWORD;
import static dev.tokenguard.interop.SpringAuthorizationServer.REDIRECT_URI;
import static dev.tokenguard.interop.SpringAuthorizationServer.SCOPES;
import static dev.tokenguard.interop.SpringAuthorizationServer.SERVICE_CLIENT;
import static dev.tokenguard.interop.SpringAuthorizationServer.USER;
import static dev.tokenguard.interop.SpringAuthorizationServer.WEB_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tokens from Spring Authorization Server, produced by the real OAuth flows over HTTP (the login
 * and consent pages driven by a cookie-keeping client), through a verifier built as the README
 * says (issuer, audience, keys by discovery) and through the servlet filter.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SasFlowsTest {
  private static final String SHAPES = "spring-authorization-server";

  private static SpringAuthorizationServer sas;
  private static AccessTokenVerifier verifier;
  private static ProtectedApi api;
  private static OAuthClient.Endpoints endpoints;
  private static Expectations expect;

  @BeforeAll
  static void start() throws Exception {
    sas = SpringAuthorizationServer.start();
    endpoints = OAuthClient.Endpoints.discover(URI.create(sas.issuer + "/.well-known/openid-configuration"));
    verifier = AccessTokenVerifier.builder()
        .issuer(sas.issuer)
        .audience(API)
        .build();
    api = new ProtectedApi(verifier);
    expect = new Expectations(verifier, api, sas.issuer, API);
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
      if (sas != null) {
        sas.close();
      }
    }
  }

  @Test
  void discoveryNamesTheIssuerTheVerifierIsBuiltWith() {
    assertThat(endpoints.issuer()).isEqualTo(sas.issuer);
    assertThat(endpoints.deviceAuthorization()).isNotNull();
    verifier.warmUp();
  }

  @Test
  void authorizationCodeWithPkce() {
    OAuthClient client = new OAuthClient(endpoints, WEB_CLIENT, SpringAuthorizationServer.secret(WEB_CLIENT));
    OAuthClient.Response tokens = authorizationCode(client, SCOPES, "read:patients", true);

    record("authorization code + PKCE", tokens);
    SoftAssertions softly = new SoftAssertions();
    expect.accessTokenAccepted(softly, "authorization code", tokens.accessToken(), USER, Set.of("read:patients"), false);
    expect.idTokenRefused(softly, "authorization code", tokens.idToken());
    softly.assertAll();
  }

  @Test
  void clientCredentials() {
    OAuthClient client = new OAuthClient(endpoints, SERVICE_CLIENT, SpringAuthorizationServer.secret(SERVICE_CLIENT));
    OAuthClient.Response tokens = client.clientCredentials("read:admin");
    assertThat(tokens.status()).as("token endpoint: %s", tokens.json()).isEqualTo(200);
    assertThat(tokens.optional("id_token")).isEmpty();

    record("client credentials", tokens);
    SoftAssertions softly = new SoftAssertions();
    // RFC 9068 2.2: no resource owner, so sub is the client's id.
    expect.accessTokenAccepted(softly, "client credentials", tokens.accessToken(), SERVICE_CLIENT, Set.of("read:admin"), true);
    softly.assertAll();
  }

  @Test
  void deviceAuthorization() {
    OAuthClient device = new OAuthClient(endpoints, DEVICE_CLIENT, SpringAuthorizationServer.secret(DEVICE_CLIENT));
    // Spring Authorization Server refuses openid in a device authorization request
    // (invalid_scope): the device flow gets no ID token from it.
    OAuthClient.DeviceAuthorization authorization = device.deviceAuthorization("read:patients read:admin");
    String userCode = authorization.string("user_code");

    OAuthClient.Response pending = device.pollDevice(authorization);
    assertThat(pending.status()).isEqualTo(400);
    assertThat(pending.error()).contains("authorization_pending");

    // The user, on another device: the verification page, the login, the code, the consent.
    Browser browser = new Browser();
    Browser.Page page = browser.follow(browser.get(URI.create(authorization.string("verification_uri"))));
    page = browser.follow(login(browser, page));
    page = browser.follow(browser.submit(page.form("form#activate").set("user_code", userCode)));
    page = browser.follow(consent(browser, page, "read:patients"), uri -> uri.getRawQuery() != null && uri.getRawQuery().contains("success"));
    assertThat(page.location()).as("after consent, %s", page.excerpt()).hasValueSatisfying(uri -> assertThat(uri.getQuery()).isEqualTo("success"));

    OAuthClient.Response tokens = device.pollDevice(authorization);
    assertThat(tokens.status()).as("token endpoint: %s", tokens.json()).isEqualTo(200);
    record("device authorization", tokens);
    SoftAssertions softly = new SoftAssertions();
    expect.accessTokenAccepted(softly, "device authorization", tokens.accessToken(), USER, Set.of("read:patients"), false);
    tokens.optional("id_token").ifPresent(idToken -> expect.idTokenRefused(softly, "device authorization", idToken));
    tokens.optional("refresh_token").ifPresent(refreshToken -> {
      OAuthClient.Response refreshed = device.refresh(refreshToken);
      softly.assertThat(refreshed.status()).as("device refresh: %s", refreshed.json()).isEqualTo(200);
      if (refreshed.status() == 200) {
        record("device authorization, refreshed", refreshed);
        expect.accessTokenAccepted(softly, "device refresh", refreshed.accessToken(), USER, Set.of("read:patients"), false);
        refreshed.optional("id_token").ifPresent(idToken -> expect.idTokenRefused(softly, "device refresh", idToken));
      }
    });
    softly.assertAll();
  }

  @Test
  void refreshToken() {
    OAuthClient client = new OAuthClient(endpoints, WEB_CLIENT, SpringAuthorizationServer.secret(WEB_CLIENT));
    OAuthClient.Response first = authorizationCode(client, SCOPES, "read:patients read:admin", true);
    OAuthClient.Response tokens = client.refresh(first.refreshToken());
    assertThat(tokens.status()).as("token endpoint: %s", tokens.json()).isEqualTo(200);

    record("refresh token", tokens);
    SoftAssertions softly = new SoftAssertions();
    expect.accessTokenAccepted(softly, "refresh token", tokens.accessToken(), USER, Set.of("read:patients", "read:admin"), false);
    expect.idTokenRefused(softly, "refresh token", tokens.idToken());
    softly.assertAll();
  }

  /**
   * Issue 10 item 4: a client registered under the API's own identifier gets ID tokens whose
   * {@code aud} and {@code azp} are the API identifier, with {@code auth_time}, {@code sid} and
   * {@code jti} and no scope: the audience check alone cannot tell it from an access token.
   */
  @Test
  void idTokenOfTheClientWhoseIdIsTheApiIdentifier() {
    OAuthClient client = new OAuthClient(endpoints, API, SpringAuthorizationServer.secret(API));
    OAuthClient.Response tokens = authorizationCode(client, "openid profile read:patients", "read:patients", false);

    record("authorization code, client_id = API identifier", tokens);
    String idPayload = TokenShapes.payload(tokens.idToken());
    assertThat(idPayload).contains("\"azp\":\"" + API + "\"", "\"auth_time\"", "\"sid\"", "\"jti\"").doesNotContain("\"scope\"", "\"nonce\"");
    SoftAssertions softly = new SoftAssertions();
    expect.accessTokenAccepted(softly, "client_id = API", tokens.accessToken(), USER, Set.of("read:patients"), false);
    expect.idTokenRefused(softly, "client_id = API", tokens.idToken());
    softly.assertAll();
  }

  /**
   * Authorization code with PKCE for {@code requestedScopes}: the user logs in, consents to {@code profile} and
   * {@code grantedApiScopes}, and the code is exchanged. With {@code nonce}, the request carries
   * an OpenID Connect nonce, as OIDC client libraries send by default.
   */
  private static OAuthClient.Response authorizationCode(OAuthClient client, String requestedScopes, String grantedApiScopes, boolean nonce) {
    OAuthClient.Pkce pkce = OAuthClient.Pkce.create();
    String state = OAuthClient.random(16);
    URI request = client.authorizationRequest(REDIRECT_URI, requestedScopes, state, nonce ? OAuthClient.random(16) : null, pkce);
    Browser browser = new Browser();
    String[] grant = ("profile " + grantedApiScopes).split(" ");
    String code = OAuthClient.authorize(browser, request, REDIRECT_URI, state, page -> {
      Document document = page.document();
      if (document.selectFirst("input[name=password]") != null) {
        return login(browser, page);
      }
      if (document.selectFirst("form[name=consent_form]") != null) {
        return consent(browser, page, grant);
      }
      throw new AssertionError("unexpected page " + page.uri() + " (HTTP " + page.status() + "):\n" + page.excerpt());
    });
    OAuthClient.Response tokens = client.exchangeCode(code, REDIRECT_URI, pkce);
    assertThat(tokens.status()).as("token endpoint: %s", tokens.json()).isEqualTo(200);
    return tokens;
  }

  /** Spring Security's generated login page: username, password and its CSRF token. */
  private static Browser.Page login(Browser browser, Browser.Page page) {
    return browser.submit(page.form("form:has(input[name=password])").set("username", USER).set("password", PASSWORD));
  }

  /** Spring Authorization Server's consent page: tick {@code scopes}, submit. */
  private static Browser.Page consent(Browser browser, Browser.Page page, String... scopes) {
    Browser.Form form = page.form("form[name=consent_form]");
    for (String scope : scopes) {
      form.add("scope", scope);
    }
    return browser.submit(form);
  }

  private static void record(String flow, OAuthClient.Response tokens) {
    TokenShapes.record(SHAPES, flow, "access token", tokens.accessToken());
    tokens.optional("id_token").ifPresent(idToken -> TokenShapes.record(SHAPES, flow, "ID token", idToken));
  }
}
