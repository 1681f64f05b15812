package dev.tokenguard.examples.health;

import dev.tokenguard.AccessToken;
import dev.tokenguard.servlet.BearerTokenFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The health API's five endpoints. {@link BearerTokenFilter} runs first, so by the time a request
 * arrives here its token (where one is needed) is verified and has the scope the path requires.
 */
final class HealthServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
    if (!"GET".equals(req.getMethod()) && !"HEAD".equals(req.getMethod())) {
      resp.setHeader("Allow", "GET, HEAD");
      send(resp, 405, Map.of("error", "method_not_allowed"));
      return;
    }
    switch (path) {
      case "/api/public":
        send(resp, 200, Map.of("message", "Public endpoint: no access token needed."));
        break;
      case "/api/patients":
        send(resp, 200, patients(req));
        break;
      case "/api/admin":
        send(resp, 200, admin(req));
        break;
      case "/api/me":
        send(resp, 200, me(BearerTokenFilter.accessToken(req).orElseThrow()));
        break;
      case "/api/records":
        send(resp, 200, records(req));
        break;
      default:
        send(resp, 404, Map.of("error", "not_found"));
    }
  }

  private static Map<String, Object> patients(HttpServletRequest req) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", "Patients endpoint: your token carries read:patients.");
    body.put("requested_by", req.getRemoteUser());
    body.put("patients", List.of(
        Map.of("id", "p-001", "name", "Ada Example", "ward", "cardiology"),
        Map.of("id", "p-002", "name", "Alan Example", "ward", "neurology")));
    return body;
  }

  private static Map<String, Object> records(HttpServletRequest req) {
    AccessToken token = BearerTokenFilter.accessToken(req).orElseThrow();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", "Records endpoint: your token carries read:patients and a recent multi-factor login.");
    body.put("requested_by", req.getRemoteUser());
    body.put("acr", token.acr().orElse(null));
    body.put("auth_time", token.authTime().map(Object::toString).orElse(null));
    body.put("records", List.of(
        Map.of("patient", "p-001", "diagnosis", "hypertension"),
        Map.of("patient", "p-002", "diagnosis", "migraine")));
    return body;
  }

  private static Map<String, Object> admin(HttpServletRequest req) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("message", "Admin endpoint: your token carries read:admin.");
    body.put("requested_by", req.getRemoteUser());
    return body;
  }

  static Map<String, Object> me(AccessToken token) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sub", token.subject());
    body.put("client_id", token.clientId().orElse(null));
    body.put("scopes", new ArrayList<>(new TreeSet<>(token.scopes())));
    body.put("machine_to_machine", token.isMachineToMachine());
    body.put("issuer", token.issuer());
    body.put("expires_at", token.expiresAt().toString());
    return body;
  }

  private static void send(HttpServletResponse resp, int status, Object body) throws IOException {
    byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setCharacterEncoding("UTF-8");
    resp.setHeader("Cache-Control", "no-store");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
