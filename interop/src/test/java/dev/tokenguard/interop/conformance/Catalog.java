package dev.tokenguard.interop.conformance;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The conformance catalog as read from the shared folder (never copied into the project), and
 * which of its cases apply to a resource-server library: the verifier surfaces, protected-resource
 * metadata, and discovery as far as it finds the JWKS. Client surfaces (token endpoint,
 * introspection and revocation clients, token exchange, outbound DPoP) do not apply.
 */
final class Catalog {
  /** Where the catalog lives relative to the folder that holds the project (and its shared folder). */
  private static final Path RELATIVE = Path.of("shared", "conformance", "oauth-sdk-conformance-catalog.yaml");
  /**
   * The catalog, found by walking up from the tests' working directory (a module directory), so a
   * checkout in a worktree further below the shared folder finds it too; when absent, where it is
   * expected: {@code ../shared/} beside the project root.
   */
  static final Path LOCATION = locate();

  /** One case: the fields the report repeats. */
  static final class Case {
    final String id;
    final String title;
    final String surface;
    final String priority;
    /** Null when the case applies; else why not. */
    final String notApplicable;

    Case(String id, String title, String surface, String priority, String notApplicable) {
      this.id = id;
      this.title = title;
      this.surface = surface;
      this.priority = priority;
      this.notApplicable = notApplicable;
    }
  }

  /** Discovery cases about endpoints a resource server never uses. */
  private static final List<String> CLIENT_ONLY_DISCOVERY = List.of(
      "rfc8414-token-endpoint-required-when-token-operation-is-used",
      "rfc8414-token-endpoint-must-be-absolute-https-url",
      "rfc8414-introspection-endpoint-required-when-introspection-is-used",
      "rfc8414-introspection-endpoint-must-be-absolute-https-url",
      "rfc8414-revocation-endpoint-required-when-revocation-is-used",
      "rfc8414-revocation-endpoint-must-be-absolute-https-url");

  final String id;
  final String version;
  final Map<String, Case> cases;

  private Catalog(String id, String version, Map<String, Case> cases) {
    this.id = id;
    this.version = version;
    this.cases = cases;
  }

  private static Path locate() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(RELATIVE);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    return Path.of("..", "..").resolve(RELATIVE);
  }

  static boolean present() {
    return Files.isRegularFile(LOCATION);
  }

  @SuppressWarnings("unchecked")
  static Catalog read() throws IOException {
    Map<String, Object> document;
    try (Reader reader = Files.newBufferedReader(LOCATION, StandardCharsets.UTF_8)) {
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    }
    Map<String, Case> cases = new LinkedHashMap<>();
    for (Map<String, Object> c : (List<Map<String, Object>>) document.get("cases")) {
      String id = (String) c.get("id");
      String surface = (String) c.get("surface");
      cases.put(id, new Case(id, (String) c.get("title"), surface, (String) c.get("priority"), notApplicable(id, surface)));
    }
    return new Catalog((String) document.get("catalog_id"), String.valueOf(document.get("catalog_version")), cases);
  }

  private static String notApplicable(String id, String surface) {
    if (surface.startsWith("sdk-verifier.revocation")) {
      return "TokenGuard verifies JWT access tokens itself and does no token introspection (RFC 7662)";
    }
    if (surface.startsWith("sdk-verifier.") || surface.equals("sdk-resource-metadata")) {
      return null;
    }
    if (surface.equals("sdk-client.discovery") && !CLIENT_ONLY_DISCOVERY.contains(id)) {
      return null;
    }
    return "a client surface (" + surface + "): TokenGuard is a resource-server library";
  }

  List<Case> applicable() {
    List<Case> out = new ArrayList<>();
    for (Case c : cases.values()) {
      if (c.notApplicable == null) {
        out.add(c);
      }
    }
    return out;
  }
}
