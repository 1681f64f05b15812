package dev.tokenguard.jaxrs;

import static dev.tokenguard.jaxrs.Challenges.params;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.support.Http;
import dev.tokenguard.testing.FakeIssuer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Protect a Jakarta REST (JAX-RS) API" snippets, read from README.md itself and run
 * as written on Jersey over HTTP: the resource class compiled as it stands, and the registration
 * block compiled with only the imports it shows. Only the Auth0 issuer is swapped for a {@link
 * FakeIssuer}.
 */
class ReadmeSnippetsTest {
  private static final String HEADING = "## Protect a Jakarta REST (JAX-RS) API";
  private static final String README_ISSUER = "https://tenant.us.auth0.com/";
  private static final String API = "https://example.com/health-api";

  @TempDir Path work;

  @Test
  void oneAnnotationAndOneRegistrationLineProtectTheResource() throws Exception {
    List<String> java = blocks(HEADING, "java");
    assertThat(java).as("the resource and the registration").hasSize(2);
    String resource = java.get(0);
    String registration = java.get(1);
    assertThat(resource).contains("@RequiresScopes(\"read:patients\")").contains("public class PatientsResource");
    assertThat(registration).contains("\"" + README_ISSUER + "\"").contains(".register(BearerTokenFeature.of(verifier))");

    try (FakeIssuer issuer = FakeIssuer.builder().audience(API).start()) {
      Files.writeString(work.resolve("PatientsResource.java"), resource);
      Files.writeString(work.resolve("JaxrsReadmeSnippet.java"),
          asMethod(registration.replace("\"" + README_ISSUER + "\"", "\"" + issuer.issuer() + "\"")));
      compile(work.resolve("PatientsResource.java"), work.resolve("JaxrsReadmeSnippet.java"));
      try (URLClassLoader loader = new URLClassLoader(new URL[] {work.toUri().toURL()}, getClass().getClassLoader())) {
        ResourceConfig app = (ResourceConfig) loader.loadClass("JaxrsReadmeSnippet").getMethod("create").invoke(null);
        try (JerseyServer server = JerseyServer.start(app)) {
          String nurse = issuer.accessToken().subject("auth0|nurse").scopes("read:patients").sign();
          HttpResponse<String> ok = Http.get(server.uri("/api/patients"), "Authorization", "Bearer " + nurse);
          assertThat(ok.statusCode()).isEqualTo(200);
          assertThat(ok.body()).isEqualTo("patients for auth0|nurse");

          HttpResponse<String> none = Http.get(server.uri("/api/patients"));
          assertThat(none.statusCode()).isEqualTo(401);
          assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"api\"");

          String admin = issuer.accessToken().scopes("read:admin").sign();
          HttpResponse<String> lacking = Http.get(server.uri("/api/patients"), "Authorization", "Bearer " + admin);
          assertThat(lacking.statusCode()).isEqualTo(403);
          assertThat(params(lacking.headers().firstValue("WWW-Authenticate").orElseThrow()))
              .containsEntry("error", "insufficient_scope").containsEntry("scope", "read:patients");
        }
      }
    }
  }

  /** Every {@code ```lang} block of the section under {@code heading}, in order. */
  private static List<String> blocks(String heading, String lang) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int at = readme.indexOf("\n" + heading + "\n");
    assertThat(at).as("README.md has a section %s", heading).isNotNegative();
    int next = readme.indexOf("\n## ", at + 1);
    String section = next < 0 ? readme.substring(at) : readme.substring(at, next);
    Matcher m = Pattern.compile("```" + lang + "\\n(.*?)```", Pattern.DOTALL).matcher(section);
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  /**
   * The registration snippet as a class: its leading {@code import} lines head the class, the rest
   * becomes the body of a method returning its {@code app}. Nothing is imported for it, so the
   * snippet must show every import it needs.
   */
  private static String asMethod(String snippet) {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : snippet.split("\n", -1)) {
      if (line.startsWith("import ")) {
        assertThat(body.toString()).as("imports come first in the snippet").isBlank();
        assertThat(line).as("explicit imports").doesNotContain("*");
        imports.append(line).append('\n');
      } else {
        body.append("    ").append(line).append('\n');
      }
    }
    assertThat(imports).as("the snippet shows its imports").isNotEmpty();
    return imports + "\npublic class JaxrsReadmeSnippet {\n  public static ResourceConfig create() {\n" + body
        + "    return app;\n  }\n}\n";
  }

  private void compile(Path... files) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK compiler (tests run on a JDK)").isNotNull();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of("-classpath", System.getProperty("java.class.path"), "-d", work.toString()));
    for (Path file : files) {
      args.add(file.toString());
    }
    int status = javac.run(null, errors, errors, args.toArray(new String[0]));
    assertThat(status).as("README snippets compile:%n%s", errors.toString(StandardCharsets.UTF_8)).isZero();
  }
}
