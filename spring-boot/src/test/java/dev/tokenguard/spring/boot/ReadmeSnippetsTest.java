package dev.tokenguard.spring.boot;

import static dev.tokenguard.spring.boot.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.http.Decision;
import dev.tokenguard.http.ProtectedResource;
import dev.tokenguard.http.ResourceRequest;
import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.URLClassLoader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.PropertiesPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The README's "Protect a Spring Boot API" section, read from README.md itself and run as written:
 * the two properties and the controller (compiled with only the imports it shows) make a real
 * Spring Boot application on embedded Tomcat; the YAML rules and the one-line rules protect
 * alike. Only the Auth0 issuer is swapped for a {@link FakeIssuer}.
 */
class ReadmeSnippetsTest {
  private static final String README_ISSUER = "https://tenant.us.auth0.com/";

  @TempDir Path work;

  /** A Boot application with nothing of its own: the README's controller is its only source. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class ReadmeApplication {}

  @Test
  void twoPropertiesAndTheControllerProtectTheApplication() throws Exception {
    Properties properties = new Properties();
    properties.load(new StringReader(ReadmeSnippets.blocks("properties").get(0)));
    assertThat(new TreeMap<>(properties)).as("the getting-started properties: exactly two")
        .containsOnlyKeys("tokenguard.audience", "tokenguard.issuer").containsEntry("tokenguard.issuer", README_ISSUER);
    String controller = ReadmeSnippets.block("java", "@RestController");
    Matcher name = Pattern.compile("class (\\w+)").matcher(controller);
    assertThat(name.find()).isTrue();

    try (FakeIssuer issuer = FakeIssuer.builder().audience(properties.getProperty("tokenguard.audience")).start();
        URLClassLoader loader = ReadmeSnippets.compile(work, name.group(1), controller)) {
      SpringApplication application = new SpringApplication(ReadmeApplication.class, loader.loadClass(name.group(1)));
      application.setResourceLoader(new DefaultResourceLoader(loader));
      try (ConfigurableApplicationContext context = application.run("--server.port=0", "--server.address=127.0.0.1",
          "--tokenguard.issuer=" + issuer.issuer(), "--tokenguard.audience=" + properties.getProperty("tokenguard.audience"))) {
        URI me = URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + "/api/me");
        String nurse = issuer.accessToken().subject("auth0|nurse").scopes("read:patients").sign();

        HttpResponse<String> ok = Http.get(me, "Authorization", bearer(nurse));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("Hello auth0|nurse, your scopes: [read:patients]");
        HttpResponse<String> none = Http.get(me);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"api\"");
        assertThat(Http.get(me, "Authorization", bearer(issuer.idToken().sign())).statusCode()).isEqualTo(401);
      }
    }
  }

  @Test
  void theYamlRulesAndTheOneLineRulesProtectAlike() throws Exception {
    String yaml = ReadmeSnippets.block("yaml", "rules:");
    String oneLine = ReadmeSnippets.block("properties", "tokenguard.scope-rules=");
    try (FakeIssuer issuer = FakeIssuer.start(); AccessTokenVerifier verifier = issuer.verifierBuilder().build()) {
      ProtectedResource fromYaml = bind(new YamlPropertySourceLoader()
          .load("application.yml", new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8)))).protectedResource(verifier);
      Properties lines = new Properties();
      lines.load(new StringReader(oneLine));
      ProtectedResource fromOneLine = bind(List.<PropertySource<?>>of(new PropertiesPropertySource("one-line", lines)))
          .protectedResource(verifier);

      Map<String, String> tokens = Map.of(
          "none", "",
          "nurse", issuer.accessToken().scopes("read:patients").sign(),
          "reporter", issuer.accessToken().scopes("read:reports").sign(),
          "admin", issuer.accessToken().scopes("read:admin").sign());
      // path, who, expected status: 200 let through, otherwise the answer's status
      String[][] table = {
          {"/api/public", "none", "200"}, {"/api/public/x", "none", "401"},
          {"/api/patients", "nurse", "200"}, {"/api/patients/42", "nurse", "200"}, {"/api/patients/42", "admin", "403"},
          {"/api/reports", "reporter", "200"}, {"/api/reports/1", "admin", "200"}, {"/api/reports", "nurse", "403"},
          {"/api/me", "nurse", "200"}, {"/api/me", "none", "401"}};
      for (String[] row : table) {
        String token = tokens.get(row[1]);
        assertThat(status(fromYaml, row[0], token)).as("YAML rules: %s as %s", row[0], row[1]).isEqualTo(Integer.parseInt(row[2]));
        assertThat(status(fromOneLine, row[0], token)).as("one-line rules: %s as %s", row[0], row[1]).isEqualTo(Integer.parseInt(row[2]));
      }
      Decision refused = fromYaml.decide(request("/api/me", ""));
      assertThat(refused.answer().orElseThrow().headers().get("WWW-Authenticate")).containsExactly("Bearer realm=\"health-api\"");
    }
  }

  private static TokenGuardProperties bind(List<PropertySource<?>> sources) {
    return new Binder(ConfigurationPropertySources.from(sources)).bind("tokenguard", TokenGuardProperties.class)
        .orElseThrow(() -> new AssertionError("nothing under tokenguard in " + sources));
  }

  private static int status(ProtectedResource resource, String path, String token) throws IOException {
    Decision decision = resource.decide(request(path, token));
    return decision.isAllowed() ? 200 : decision.answer().orElseThrow().status();
  }

  private static ResourceRequest request(String path, String token) {
    return new ResourceRequest() {
      @Override
      public String method() {
        return "GET";
      }

      @Override
      public String path() {
        return path;
      }

      @Override
      public List<String> headers(String name) {
        return name.equalsIgnoreCase("Authorization") && !token.isEmpty() ? List.of("Bearer " + token) : List.of();
      }

      @Override
      public Optional<String> rawQuery() {
        return Optional.empty();
      }

      @Override
      public Optional<String> contentType() {
        return Optional.empty();
      }

      @Override
      public InputStream body() {
        throw new AssertionError("a GET has no body to read");
      }
    };
  }
}
