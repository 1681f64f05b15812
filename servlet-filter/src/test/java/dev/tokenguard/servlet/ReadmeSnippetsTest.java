package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenRequest;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.dpop.DpopNonces;
import dev.tokenguard.redis.RedisReplayStore;
import dev.tokenguard.servlet.TestServer.Container;
import dev.tokenguard.support.Http;
import dev.tokenguard.support.RedisServer;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestKey;
import jakarta.servlet.Filter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
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
 * The README's servlet snippets ("Protect a servlet API", "Protect a WAR on Tomcat (web.xml)",
 * "Several issuers", "Step-up authentication", "Sender-constrained tokens", "Protecting an MCP server"), read from README.md
 * itself and run as written: Java blocks compiled in-process with only the imports they show, and
 * the {@code web.xml} given to embedded Tomcat 11 (parsed by Tomcat itself) and Jetty 12. Only the
 * Auth0 issuer is swapped for a {@link FakeIssuer}.
 */
class ReadmeSnippetsTest {
  private static final String HEADING = "## Protect a servlet API";
  private static final String WEB_XML_HEADING = "## Protect a WAR on Tomcat (web.xml)";
  private static final String SENDER_CONSTRAINED = "## Sender-constrained tokens";
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
  /** "Several issuers": the snippet's verifier trusts both issuers, each with its own token shape, and no other. */
  @Test
  void severalIssuersSnippetTrustsBothIssuersAndNoOther() throws Exception {
    String snippet = blockAfter("## Several issuers", "java", ".trust(");
    try (FakeIssuer old = FakeIssuer.builder().audience(API).start();
        FakeIssuer okta = FakeIssuer.builder().audience(API).start();
        FakeIssuer stranger = FakeIssuer.builder().audience(API).start()) {
      String run = snippet.replace("\"https://old-tenant.eu.auth0.com/\"", "\"" + old.issuer() + "\"")
          .replace("\"https://login.example.com/oauth2/default\"", "\"" + okta.issuer() + "\"");
      assertThat(run).doesNotContain("old-tenant", "login.example.com");
      try (AccessTokenVerifier verifier = (AccessTokenVerifier) compileAndRun(run, "verifier", "SeveralIssuersSnippet")) {
        assertThat(verifier.verify(old.accessToken().scopes("read:patients").sign(), "read:patients").issuer()).isEqualTo(old.issuer());
        assertThat(verifier.verify(okta.accessToken().claim("scp", List.of("read:patients")).sign(), "read:patients").issuer())
            .isEqualTo(okta.issuer());
        assertThatThrownBy(() -> verifier.verify(okta.accessToken().scopes("read:patients").sign(), "read:patients"))
            .as("the second issuer reads scp only").isInstanceOf(TokenVerificationException.class);
        assertThatThrownBy(() -> verifier.verify(stranger.accessToken().sign())).isInstanceOfSatisfying(TokenVerificationException.class,
            e -> assertThat(e.reason()).isEqualTo(TokenVerificationException.Reason.WRONG_ISSUER));
        assertThat(stranger.requestCount()).isZero();
      }
    }
  }

  @Test
  void tenantSnippetBuildsAndRefusesAnIssuerItsPredicateRejects() throws Exception {
    String snippet = blockAfter("## Several issuers", "java", "trustIssuersMatching");
    try (FakeIssuer stranger = FakeIssuer.builder().audience("api://health-api").start();
        AccessTokenVerifier verifier = (AccessTokenVerifier) compileAndRun(snippet, "verifier", "TenantSnippet")) {
      assertThatThrownBy(() -> verifier.verify(stranger.accessToken().sign())).isInstanceOfSatisfying(TokenVerificationException.class,
          e -> assertThat(e.reason()).isEqualTo(TokenVerificationException.Reason.WRONG_ISSUER));
      assertThat(stranger.requestCount()).isZero();
    }
  }

  /** "Step-up authentication": the snippet's filter answers a weak login with the challenge the README shows. */
  @Test
  void stepUpSnippetAnswersAsTheReadmeSays() throws Exception {
    String section = section("## Step-up authentication");
    String snippet = blockAfter("## Step-up authentication", "java", "withAcrValues");
    String mfa = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
    try (FakeIssuer issuer = FakeIssuer.builder().audience(API).start()) {
      Filter filter = (Filter) compileAndRun(snippet.replace("\"" + README_ISSUER + "\"", "\"" + issuer.issuer() + "\""), "filter",
          "StepUpSnippet");
      try (TestServer server = TestServer.start(filter)) {
        Instant now = Instant.now();
        String weak = issuer.accessToken().scopes("read:patients").acr("urn:example:password").authTime(now).sign();
        String strong = issuer.accessToken().scopes("read:patients").acr(mfa).authTime(now.minusSeconds(60)).sign();
        assertThat(Http.get(server.uri("/api/patients"), "Authorization", "Bearer " + weak).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/records/7"), "Authorization", "Bearer " + strong).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = Http.get(server.uri("/api/records"), "Authorization", "Bearer " + weak);
        assertThat(refused.statusCode()).isEqualTo(401);
        String shown = block(section, "", "WWW-Authenticate").replaceAll("\n\\s+", " ").trim();
        assertThat(shown).isEqualTo("HTTP/1.1 401\nWWW-Authenticate: " + refused.headers().firstValue("WWW-Authenticate").orElseThrow());
      }
    }
  }

  /** "Sender-constrained tokens": the setup's filter takes a DPoP-bound token with its proof, refuses it as a bearer token, and challenges as shown. */
  @Test
  void senderConstrainedSnippetAcceptsDpopAndChallengesAsShown() throws Exception {
    String section = section(SENDER_CONSTRAINED);
    String snippet = blockAfter(SENDER_CONSTRAINED, "java", "publicUrl");
    try (FakeIssuer issuer = FakeIssuer.builder().audience(API).start()) {
      Filter filter = (Filter) compileAndRun(snippet.replace("\"" + README_ISSUER + "\"", "\"" + issuer.issuer() + "\""), "filter",
          "DpopSnippet");
      try (TestServer server = TestServer.start(filter)) {
        TestKey holder = TestKey.ecP256();
        String token = issuer.accessToken().dpopBound(holder).scopes("read:patients").sign();
        String proof = issuer.dpopProof(holder, "GET", URI.create("https://api.example.com/api/patients")).accessToken(token).sign();
        HttpResponse<String> ok = Http.get(server.uri("/api/patients"), "Authorization", "DPoP " + token, "DPoP", proof);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("authType=DPoP\n");
        assertThat(Http.get(server.uri("/api/patients"), "Authorization", "Bearer " + token).statusCode()).isEqualTo(401);
        HttpResponse<String> none = Http.get(server.uri("/api/patients"));
        String shown = block(section, "", "algs=").trim();
        assertThat(shown).isEqualTo("HTTP/1.1 " + none.statusCode() + "\nWWW-Authenticate: "
            + String.join("\nWWW-Authenticate: ", none.headers().allValues("WWW-Authenticate")));
      }
    }
  }

  /** "Sender-constrained tokens": the Redis snippet's verifier remembers proofs in Redis and asks for its nonces. */
  @Test
  void redisSnippetSharesReplaysAndAsksForNonces() throws Exception {
    String snippet = blockAfter(SENDER_CONSTRAINED, "java", "RedisReplayStore");
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    try (RedisServer redis = RedisServer.start(); FakeIssuer issuer = FakeIssuer.builder().audience(API).start()) {
      String run = snippet.replace("\"" + README_ISSUER + "\"", "\"" + issuer.issuer() + "\"")
          .replace("\"redis://redis.internal:6379\"", "\"" + redis.uri() + "\"")
          .replace("System.getenv(\"DPOP_NONCE_SECRET\")", "\"" + Base64.getEncoder().encodeToString(secret) + "\"");
      assertThat(run).doesNotContain("redis.internal", "getenv", "auth0.com");
      try (AccessTokenVerifier verifier = (AccessTokenVerifier) compileAndRun(run, "verifier", "RedisSnippet");
          AutoCloseable store = (AutoCloseable) verifier.dpopPolicy().replayStore().orElseThrow()) {
        assertThat(store).isInstanceOf(RedisReplayStore.class);
        DpopNonces nonces = verifier.dpopPolicy().nonces().orElseThrow();
        assertThat(nonces.current()).isEqualTo(DpopNonces.fromSecret(secret).current());
        TestKey holder = TestKey.ecP256();
        URI target = URI.create("https://api.example.com/api/patients");
        String token = issuer.accessToken().dpopBound(holder).sign();
        String proof = issuer.dpopProof(holder, "GET", target).accessToken(token).nonce(nonces.current()).sign();
        assertThat(verifier.verify(TokenRequest.dpop(token, proof, "GET", target)).subject()).isNotNull();
        assertThatThrownBy(() -> verifier.verify(TokenRequest.dpop(token, proof, "GET", target)))
            .isInstanceOfSatisfying(TokenVerificationException.class, e -> assertThat(e.errorCode()).isEqualTo("invalid_dpop_proof"));
      }
    }
  }

  /** "Protecting an MCP server": the document and the challenge are exactly those the README shows. */
  @Test
  void mcpSnippetServesTheDocumentAndTheChallengeTheReadmeShows() throws Exception {
    String section = section("## Protecting an MCP server");
    String snippet = blockAfter("## Protecting an MCP server", "java", "publishMetadata");
    try (FakeIssuer issuer = FakeIssuer.builder().audience("https://mcp.example.com/mcp").start()) {
      Filter filter = (Filter) compileAndRun(snippet.replace("\"" + README_ISSUER + "\"", "\"" + issuer.issuer() + "\""), "filter",
          "McpSnippet");
      try (TestServer server = TestServer.start(filter)) {
        HttpResponse<String> metadata = Http.get(server.uri("/.well-known/oauth-protected-resource/mcp"));
        assertThat(metadata.statusCode()).isEqualTo(200);
        String shown = block(section, "", "authorization_servers");
        String shownBody = shown.substring(shown.indexOf("\n\n") + 2).replaceAll("\n\\s*", "").trim();
        assertThat(metadata.body()).isEqualTo(shownBody.replace(README_ISSUER, issuer.issuer()));
        for (String header : shown.substring(0, shown.indexOf("\n\n")).split("\n")) {
          if (header.contains(": ")) {
            String name = header.substring(0, header.indexOf(": "));
            assertThat(metadata.headers().firstValue(name).orElse("")).as(name).startsWith(header.substring(header.indexOf(": ") + 2));
          }
        }
        assertThat(Http.get(server.uri("/.well-known/oauth-protected-resource")).body()).isEqualTo(metadata.body());
        assertThat(Http.get(server.uri("/mcp")).headers().firstValue("WWW-Authenticate"))
            .hasValue("Bearer realm=\"mcp\", resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\"");
        assertThat(section.replaceAll("\\s+", " ")).contains("`WWW-Authenticate: Bearer realm=\"mcp\", "
            + "resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\"`");
        assertThat(Http.get(server.uri("/mcp"), "Authorization", "Bearer " + issuer.accessToken().scopes("mcp:tools").sign()).statusCode())
            .isEqualTo(200);
      }
    }
  }

  private static String section(String heading) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int at = readme.indexOf("\n" + heading + "\n");
    assertThat(at).as("README.md has a section %s", heading).isNotNegative();
    int next = readme.indexOf("\n## ", at + 1);
    return next < 0 ? readme.substring(at) : readme.substring(at, next);
  }

  /** The first fenced block of {@code section} opened by {@code ```lang} and containing {@code marker}, read line by line. */
  private static String block(String section, String lang, String marker) {
    String open = null;
    StringBuilder text = new StringBuilder();
    for (String line : section.split("\n", -1)) {
      if (open == null && line.startsWith("```")) {
        open = line.substring(3);
        text.setLength(0);
      } else if (open != null && line.equals("```")) {
        if (open.equals(lang) && text.toString().contains(marker)) {
          return text.toString();
        }
        open = null;
      } else if (open != null) {
        text.append(line).append('\n');
      }
    }
    throw new AssertionError("no " + lang + " block containing " + marker);
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
    return (Filter) compileAndRun(snippet, "filter", "ServletReadmeSnippet");
  }

  /** As {@link #compileAndRun(String)}, returning the snippet's variable {@code variable}. */
  private Object compileAndRun(String snippet, String variable, String className) throws Exception {
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
    String source = imports + "\npublic class " + className + " {\n  public static Object create() {\n"
        + body + "    return " + variable + ";\n  }\n}\n";
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
      return create.invoke(null);
    }
  }

}
