package dev.tokenguard.interop;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The OAuth client side of the flows, over HTTP with the JDK HttpClient: discovery, the
 * authorization request (the browser part is driven by a {@link Browser}), the token endpoint
 * (authorization code with PKCE, client credentials, password, device code, refresh token) and the
 * RFC 8628 device authorization endpoint. A confidential client authenticates with
 * {@code client_secret_basic}; a public client sends its {@code client_id} in the body.
 */
final class OAuthClient {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** What the issuer's discovery document says. */
  record Endpoints(String issuer, URI authorization, URI token, URI deviceAuthorization, URI jwks, Map<String, Object> document) {
    static Endpoints discover(URI discoveryDocument) {
      Response response = getJson(discoveryDocument);
      if (response.status() != 200) {
        throw new AssertionError("discovery " + discoveryDocument + " answered " + response.status());
      }
      Map<String, Object> json = response.json();
      Object device = json.get("device_authorization_endpoint");
      return new Endpoints(
          (String) json.get("issuer"),
          URI.create((String) json.get("authorization_endpoint")),
          URI.create((String) json.get("token_endpoint")),
          device == null ? null : URI.create((String) device),
          URI.create((String) json.get("jwks_uri")),
          json);
    }
  }

  /** An HTTP answer with a JSON body (the token and device endpoints always answer JSON). */
  record Response(int status, Map<String, Object> json) {
    String string(String name) {
      Object value = json.get(name);
      if (!(value instanceof String)) {
        throw new AssertionError("no string " + name + " in the answer (HTTP " + status + ", fields " + json.keySet()
            + (json.containsKey("error") ? ", error " + json.get("error") + ": " + json.get("error_description") : "") + ")");
      }
      return (String) value;
    }

    Optional<String> optional(String name) {
      return Optional.ofNullable((String) json.get(name));
    }

    String accessToken() {
      return string("access_token");
    }

    String idToken() {
      return string("id_token");
    }

    String refreshToken() {
      return string("refresh_token");
    }

    Optional<String> error() {
      return optional("error");
    }
  }

  /** RFC 7636: a code verifier and its S256 challenge. */
  record Pkce(String verifier, String challenge) {
    static Pkce create() {
      String verifier = random(32);
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
        return new Pkce(verifier, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  final Endpoints endpoints;
  final String clientId;
  private final String clientSecret;

  OAuthClient(Endpoints endpoints, String clientId, String clientSecret) {
    this.endpoints = endpoints;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  static String random(int bytes) {
    byte[] value = new byte[bytes];
    RANDOM.nextBytes(value);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
  }

  /** The authorization request URI (RFC 6749 4.1.1 with RFC 7636 and, when not null, an OIDC nonce). */
  URI authorizationRequest(String redirectUri, String scope, String state, String nonce, Pkce pkce) {
    List<Map.Entry<String, String>> query = new ArrayList<>();
    query.add(Map.entry("response_type", "code"));
    query.add(Map.entry("client_id", clientId));
    query.add(Map.entry("redirect_uri", redirectUri));
    query.add(Map.entry("scope", scope));
    query.add(Map.entry("state", state));
    if (nonce != null) {
      query.add(Map.entry("nonce", nonce));
    }
    query.add(Map.entry("code_challenge", pkce.challenge()));
    query.add(Map.entry("code_challenge_method", "S256"));
    return URI.create(endpoints.authorization() + "?" + Browser.encode(query));
  }

  /**
   * Runs the browser part of the authorization code flow: requests {@code authorizationRequest},
   * lets {@code user} act on every page the issuer shows (login, consent), and returns the code
   * from the redirect to {@code redirectUri} after checking its {@code state}.
   */
  static String authorize(Browser browser, URI authorizationRequest, String redirectUri, String state, UnaryOperator<Browser.Page> user) {
    Browser.Page page = browser.follow(browser.get(authorizationRequest), uri -> uri.toString().startsWith(redirectUri));
    for (int step = 0; !isRedirectTo(page, redirectUri); step++) {
      if (step == 6) {
        throw new AssertionError("no redirect to " + redirectUri + " after " + step + " pages; last " + page.uri() + " (HTTP "
            + page.status() + "):\n" + page.excerpt());
      }
      page = browser.follow(user.apply(page), uri -> uri.toString().startsWith(redirectUri));
    }
    Map<String, String> answer = query(page.location().orElseThrow());
    if (answer.containsKey("error")) {
      throw new AssertionError("authorization error " + answer.get("error") + ": " + answer.get("error_description"));
    }
    if (!state.equals(answer.get("state"))) {
      throw new AssertionError("state " + answer.get("state") + " does not match the request's");
    }
    return answer.get("code");
  }

  private static boolean isRedirectTo(Browser.Page page, String redirectUri) {
    return page.isRedirect() && page.location().orElseThrow().toString().startsWith(redirectUri);
  }

  static Map<String, String> query(URI uri) {
    Map<String, String> values = new LinkedHashMap<>();
    String query = uri.getRawQuery();
    if (query == null) {
      return values;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      values.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return values;
  }

  Response exchangeCode(String code, String redirectUri, Pkce pkce) {
    return token(List.of(
        Map.entry("grant_type", "authorization_code"),
        Map.entry("code", code),
        Map.entry("redirect_uri", redirectUri),
        Map.entry("code_verifier", pkce.verifier())));
  }

  Response clientCredentials(String scope) {
    return token(List.of(Map.entry("grant_type", "client_credentials"), Map.entry("scope", scope)));
  }

  Response password(String username, String password, String scope) {
    return token(List.of(
        Map.entry("grant_type", "password"),
        Map.entry("username", username),
        Map.entry("password", password),
        Map.entry("scope", scope)));
  }

  Response refresh(String refreshToken) {
    return token(List.of(Map.entry("grant_type", "refresh_token"), Map.entry("refresh_token", refreshToken)));
  }

  /**
   * RFC 8628 3.4: one poll of the token endpoint for {@code authorization}'s device code. From the
   * second poll on it first waits out the {@code interval} the issuer announced since the previous
   * poll (RFC 8628 3.5: an issuer may answer {@code slow_down} to a client that polls faster). An
   * issuer that announces none is polled at once (Spring Authorization Server announces none and
   * does not enforce the default of 5 s).
   */
  Response pollDevice(DeviceAuthorization authorization) {
    authorization.awaitInterval();
    return token(List.of(
        Map.entry("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        Map.entry("device_code", authorization.response().string("device_code"))));
  }

  /** A device authorization response, and when the device last polled for it. */
  static final class DeviceAuthorization {
    private final Response response;
    private Instant lastPoll;

    DeviceAuthorization(Response response) {
      this.response = response;
    }

    Response response() {
      return response;
    }

    String string(String name) {
      return response.string(name);
    }

    private void awaitInterval() {
      Object interval = response.json().get("interval");
      if (lastPoll != null && interval instanceof Number seconds) {
        long waitMillis = Duration.between(Instant.now(), lastPoll.plusSeconds(seconds.longValue()).plusMillis(50)).toMillis();
        if (waitMillis > 0) {
          try {
            // Protocol pacing required of a device client, not a wait for an assertion.
            Thread.sleep(waitMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
          }
        }
      }
      lastPoll = Instant.now();
    }
  }

  /** RFC 8628 3.1: the device authorization request; fails unless the issuer answers 200. */
  DeviceAuthorization deviceAuthorization(String scope) {
    if (endpoints.deviceAuthorization() == null) {
      throw new AssertionError("the issuer advertises no device_authorization_endpoint");
    }
    Response response = post(endpoints.deviceAuthorization(), List.of(Map.entry("scope", scope)));
    if (response.status() != 200) {
      throw new AssertionError("device authorization endpoint: HTTP " + response.status() + " " + response.json());
    }
    return new DeviceAuthorization(response);
  }

  Response token(List<Map.Entry<String, String>> parameters) {
    return post(endpoints.token(), parameters);
  }

  private Response post(URI uri, List<Map.Entry<String, String>> parameters) {
    List<Map.Entry<String, String>> body = new ArrayList<>(parameters);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .timeout(Browser.TIMEOUT)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json");
    if (clientSecret == null) {
      body.add(Map.entry("client_id", clientId));
    } else {
      // RFC 6749 2.3.1: both parts form-encoded before Base64.
      String credentials = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8);
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    return send(request.POST(HttpRequest.BodyPublishers.ofString(Browser.encode(body))).build());
  }

  static Response getJson(URI uri) {
    return send(HttpRequest.newBuilder(uri).timeout(Browser.TIMEOUT).header("Accept", "application/json").GET().build());
  }

  static Response sendJson(HttpRequest request) {
    return send(request);
  }

  private static Response send(HttpRequest request) {
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      String body = response.body();
      Map<String, Object> json = body.isBlank() || !body.trim().startsWith("{") ? Map.of() : JSONObjectUtils.parse(body);
      return new Response(response.statusCode(), json);
    } catch (ParseException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " answered JSON that does not parse", e);
    } catch (IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
