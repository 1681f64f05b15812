package dev.tokenguard.interop;

import com.nimbusds.jose.util.JSONArrayUtils;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Keycloak's admin REST API over the JDK HttpClient, as the bootstrap admin of the master realm
 * (a token from {@code admin-cli} by the password grant).
 */
final class KeycloakAdmin {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final URI base;
  private final String token;

  KeycloakAdmin(KeycloakServer keycloak) {
    this.base = keycloak.baseUri;
    OAuthClient.Endpoints master = OAuthClient.Endpoints.discover(URI.create(keycloak.issuer("master") + "/.well-known/openid-configuration"));
    OAuthClient.Response response = new OAuthClient(master, "admin-cli", null).password(KeycloakServer.ADMIN, keycloak.adminPassword, "openid");
    if (response.status() != 200) {
      throw new AssertionError("admin token: HTTP " + response.status() + " " + response.json());
    }
    this.token = response.accessToken();
  }

  /** POST {@code path} (under {@code /admin}); expects 201 and returns the id its Location names. */
  String create(String path, Map<String, ?> representation) {
    HttpResponse<String> response = send(request(path).POST(HttpRequest.BodyPublishers.ofString(JSONObjectUtils.toJSONString(representation))));
    if (response.statusCode() != 201) {
      throw new AssertionError("POST /admin" + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    String location = response.headers().firstValue("Location").orElse("");
    return location.substring(location.lastIndexOf('/') + 1);
  }

  Map<String, Object> getObject(String path) {
    HttpResponse<String> response = send(request(path).GET());
    try {
      return JSONObjectUtils.parse(expectOk("GET", path, response));
    } catch (ParseException e) {
      throw new AssertionError("GET /admin" + path + ": not a JSON object", e);
    }
  }

  List<Object> getArray(String path) {
    HttpResponse<String> response = send(request(path).GET());
    try {
      return JSONArrayUtils.parse(expectOk("GET", path, response));
    } catch (ParseException e) {
      throw new AssertionError("GET /admin" + path + ": not a JSON array", e);
    }
  }

  private static String expectOk(String method, String path, HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      throw new AssertionError(method + " /admin" + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + "/admin" + path))
        .timeout(Browser.TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json");
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    HttpRequest built = request.build();
    try {
      return HTTP.send(built, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(built.method() + " " + built.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
