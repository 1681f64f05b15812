package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.servlet.TestServer.Container;
import dev.tokenguard.testing.FakeIssuer;
import jakarta.servlet.Filter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The README's "Protect a servlet API" and "Protect a WAR on Tomcat (web.xml)" snippets, read
 * from README.md itself and run as written: the Java block compiled in-process with only the
 * imports it shows, and the {@code web.xml} given to embedded Tomcat 11 (parsed by Tomcat itself)
 * and Jetty 12. Only the Auth0 issuer is swapped for a {@link FakeIssuer}.
 */
class ReadmeSnippetsTest {
  private static final String HEADING = "## Protect a servlet API";
  private static final String WEB_XML_HEADING = "## Protect a WAR on Tomcat (web.xml)";
  private static final String README_ISSUER = "https://tenant.us.auth0.com/";
  private static final String API = "https://example.com/health-api";

  @TempDir Path work;

  @Test
  void builderSnippetProtectsTheHealthApi() throws Exception {
    String snippet = blockAfter(HEADING, "java", "");
    assertThat(snippet).as("the snippet names the issuer it configures").contains("\"" + README_ISSUER + "\"");
    try (FakeIssuer issuer = FakeIssuer.builder().audience(API).start()) {
      Filter filter = compileAndRun(snippet.replace("\"" + README_ISSUER + "\"", "\"" + issuer.issuer() + "\""));
      assertThat(filter).isInstanceOf(BearerTokenFilter.class);
      try (TestServer server = TestServer.start(filter)) {
        String nurse = issuer.accessToken().subject("auth0|nurse").scopes("read:patients").sign();
        String admin = issuer.accessToken().scopes("read:admin").sign();
        String reporter = issuer.accessToken().scopes("read:reports").sign();
        assertThat(Http.get(server.uri("/api/public")).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/patients"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/patients/42"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/patients/42"), "Authorization", "Bearer " + admin).statusCode()).isEqualTo(403);
        assertThat(Http.get(server.uri("/api/admin"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(403);
        assertThat(Http.get(server.uri("/api/admin/users/7"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(403);
        assertThat(Http.get(server.uri("/api/admin"), "Authorization", "Bearer " + admin).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/public/x")).statusCode()).isEqualTo(401);
        assertThat(Http.get(server.uri("/api/reports"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(403);
        assertThat(Http.get(server.uri("/api/reports"), "Authorization", "Bearer " + admin).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/reports"), "Authorization", "Bearer " + reporter).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/me"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/me")).headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"health-api\"");
      }
    }
  }

  /** The README's web.xml, run as written on each container; only the Auth0 issuer is swapped for a fixture. */
  @ParameterizedTest(name = "on {0}")
  @EnumSource(Container.class)
  void webXmlSnippetConfiguresTheFilterWithoutCode(Container container) throws Exception {
    String webXml = blockAfter(WEB_XML_HEADING, "xml", "<filter>");
    Map<String, String> params = WebXmlFilter.parse(webXml).initParameters;
    assertThat(params).containsEntry("issuer", README_ISSUER);
    try (FakeIssuer issuer = FakeIssuer.builder().audience(params.get("audience")).start();
        TestServer server = TestServer.startWithWebXml(container, webXml.replace(README_ISSUER, issuer.issuer()))) {
      String nurse = issuer.accessToken().scopes("read:patients").sign();
      assertThat(Http.get(server.uri("/api/public")).statusCode()).isEqualTo(200);
      assertThat(Http.get(server.uri("/api/patients"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(200);
      assertThat(Http.get(server.uri("/api/patients/7"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(200);
      assertThat(Http.get(server.uri("/api/admin"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(403);
      assertThat(Http.get(server.uri("/api/admin/users"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(403);
      assertThat(Http.get(server.uri("/api/reports/1"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(403);
      assertThat(Http.get(server.uri("/api/reports/1"), "Authorization", "Bearer " + issuer.accessToken().scopes("read:admin").sign()).statusCode()).isEqualTo(200);
      assertThat(Http.get(server.uri("/api/patients")).headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"health-api\"");
    }
  }

  /** The first {@code ```lang} block after {@code heading} whose text contains {@code marker}. */
  private static String blockAfter(String heading, String lang, String marker) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int at = readme.indexOf("\n" + heading + "\n");
    assertThat(at).as("README.md has a section %s", heading).isNotNegative();
    int next = readme.indexOf("\n## ", at + 1);
    String section = next < 0 ? readme.substring(at) : readme.substring(at, next);
    Matcher m = Pattern.compile("```" + lang + "\\n(.*?)```", Pattern.DOTALL).matcher(section);
    while (m.find()) {
      if (m.group(1).contains(marker)) {
        return m.group(1);
      }
    }
    throw new AssertionError("no " + lang + " block containing " + marker + " in the section " + heading);
  }

  /**
   * Compiles the snippet as written: its leading {@code import} lines head the class, the rest
   * becomes the body of a method that returns its {@code filter}. Nothing is imported for it, so
   * the snippet must show every import it needs (and only explicit ones).
   */
  private Filter compileAndRun(String snippet) throws Exception {
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
    String className = "ServletReadmeSnippet";
    String source = imports + "\npublic class " + className + " {\n  public static jakarta.servlet.Filter create() {\n"
        + body + "    return filter;\n  }\n}\n";
    Path file = work.resolve(className + ".java");
    Files.writeString(file, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertThat(javac).as("a JDK compiler (tests run on a JDK)").isNotNull();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int status = javac.run(null, errors, errors,
        "-classpath", System.getProperty("java.class.path"), "-d", work.toString(), file.toString());
    assertThat(status).as("README snippet compiles:%n%s%n%s", source, errors.toString(StandardCharsets.UTF_8)).isZero();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {work.toUri().toURL()}, getClass().getClassLoader())) {
      Method create = loader.loadClass(className).getMethod("create");
      return (Filter) create.invoke(null);
    }
  }
}
