package dev.tokenguard.http;

import static dev.tokenguard.http.Answers.bearerParams;
import static dev.tokenguard.http.Answers.body;
import static dev.tokenguard.http.Answers.dpopParams;
import static dev.tokenguard.http.Answers.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.TokenRequest;
import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Protected-resource metadata (RFC 9728) as {@link ProtectedResource} serves it: the 200 answer at
 * the well-known paths and nowhere else, {@code scopes_supported} and {@code
 * bearer_methods_supported} from the resource, the DPoP members from the verifier's policy (a
 * resource publishing metadata has a public URL, so it accepts DPoP by default), and {@code
 * resource_metadata} in every challenge, Bearer and DPoP alike, from the configured public URL
 * and never from the request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetadataServingTest {
  private static final String MCP = "https://mcp.example.com/mcp";
  private static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";
  private static final String METADATA_URL = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
  /** The DPoP members a resource over a verifier with the default DPoP policy publishes. */
  private static final String DPOP_ALGS = "\"dpop_signing_alg_values_supported\":[\"ES256\",\"EdDSA\",\"PS256\",\"RS256\"]";

  private final FakeIssuer issuer = FakeIssuer.builder().audience(MCP).start();
  private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();
  private final ProtectedResource resource = builder()
      .publishMetadata(ProtectedResourceMetadata.builder(MCP).authorizationServers(issuer.issuer()).resourceName("Example MCP").build())
      .build();

  private ProtectedResource.Builder builder() {
    return ProtectedResource.builder(verifier)
        .realm("mcp")
        .permit("/health")
        .requireScopes("/mcp", "mcp:tools")
        .requireAnyScope("/mcp/admin", "mcp:admin", "mcp:tools")
        .require("/mcp/vault", Requirement.none().withAcrValues("urn:example:mfa"))
        .require("/.well-known/*", Requirement.allScopes("never"));
  }

  @AfterAll
  void stop() {
    verifier.close();
    issuer.close();
  }

  private static Decision decide(ProtectedResource r, InMemoryRequest request) {
    try {
      return r.decide(request);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private Decision get(String path, String... authorization) {
    InMemoryRequest request = InMemoryRequest.get(path);
    for (String value : authorization) {
      request.header("Authorization", value);
    }
    return decide(resource, request);
  }

  private static Answer served(Decision d) {
    assertThat(d.isAllowed()).as("answered by the resource: %s", d).isFalse();
    assertThat(d.accessToken()).isEmpty();
    Answer answer = d.answer().orElseThrow();
    assertThat(answer.status()).isEqualTo(200);
    return answer;
  }

  @Test
  void getOfTheWellKnownPathIsAnsweredWithTheDocumentWithoutAToken() {
    Answer answer = served(get(WELL_KNOWN + "/mcp"));
    assertThat(answer.contentType()).isEqualTo("application/json");
    assertThat(answer.headers()).containsExactly(
        Map.entry("Cache-Control", List.of("public, max-age=3600")),
        Map.entry("X-Content-Type-Options", List.of("nosniff")),
        Map.entry("Access-Control-Allow-Origin", List.of("*")));
    assertThat(body(answer)).isEqualTo("{\"resource\":\"https://mcp.example.com/mcp\","
        + "\"authorization_servers\":[\"" + issuer.issuer() + "\"],"
        + "\"scopes_supported\":[\"mcp:tools\",\"mcp:admin\",\"never\"],"
        + "\"bearer_methods_supported\":[\"header\"],"
        + "\"resource_name\":\"Example MCP\","
        + DPOP_ALGS + "}");
    assertThat(body(answer)).isEqualTo(resource.metadata().orElseThrow().toJson());
    assertThat(get(WELL_KNOWN + "/mcp").toString()).startsWith("answered 200 ");
  }

  @Test
  void headGetsTheSameAnswerAndTheAdapterDropsTheBody() {
    Answer head = served(decide(resource, InMemoryRequest.get(WELL_KNOWN + "/mcp").method("HEAD")));
    assertThat(head.headers()).isEqualTo(served(get(WELL_KNOWN + "/mcp")).headers());
  }

  /** MCP clients fall back to the root document when a challenge names none; it is the same document. */
  @Test
  void theRootWellKnownPathServesTheSameDocument() {
    assertThat(body(served(get(WELL_KNOWN)))).isEqualTo(resource.metadata().orElseThrow().toJson());
  }

  @Test
  void credentialsSentToTheMetadataAreNotLookedAt() {
    served(get(WELL_KNOWN + "/mcp", "Bearer not-a-token", "Bearer twice"));
    served(decide(resource, InMemoryRequest.get(WELL_KNOWN + "/mcp?access_token=x")));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      WELL_KNOWN + "/other", WELL_KNOWN + "/mcp/x", WELL_KNOWN + "/mcp/", WELL_KNOWN + "/MCP", WELL_KNOWN + "x", WELL_KNOWN + "/",
      "/mcp" + WELL_KNOWN, "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration",
      "/.well-known/OAUTH-PROTECTED-RESOURCE/mcp", WELL_KNOWN + "//mcp"})
  void noOtherPathServesTheDocument(String path) {
    Answer answer = refused(get(path), 401);
    assertThat(bearerParams(answer)).doesNotContainKey("error").containsEntry("resource_metadata", METADATA_URL);
    assertThat(dpopParams(answer)).doesNotContainKey("error").containsEntry("resource_metadata", METADATA_URL);
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "DELETE", "OPTIONS", "get", "PATCH"})
  void otherMethodsGoThroughTheAccessRules(String method) {
    refused(decide(resource, InMemoryRequest.get(WELL_KNOWN + "/mcp").method(method)), 401);
  }

  @Test
  void aResourceIdentifierWithATrailingSlashIsServedWithAndWithoutIt() {
    ProtectedResource r = builder().publishMetadata(ProtectedResourceMetadata.builder(MCP + "/").build()).build();
    for (String path : List.of(WELL_KNOWN + "/mcp", WELL_KNOWN + "/mcp/", WELL_KNOWN)) {
      assertThat(body(served(decide(r, InMemoryRequest.get(path))))).as(path).contains("\"resource\":\"https://mcp.example.com/mcp/\"");
    }
    assertThat(r.metadataUrl()).contains(URI.create(METADATA_URL));
  }

  @Test
  void everyRefusalNamesTheMetadataUrl() {
    String noScope = issuer.accessToken().scopes("other").sign();
    List<Answer> answers = List.of(
        refused(get("/mcp"), 401),
        refused(get("/mcp", "Basic dXNlcjpwYXNz"), 401),
        refused(get("/mcp", "Bearer " + issuer.accessToken().expired().sign()), 401),
        refused(get("/mcp", "Bearer abc$def"), 401),
        refused(get("/mcp", "Bearer a", "Bearer b"), 400),
        refused(get("/mcp", "Bearer " + noScope), 403),
        refused(get("/mcp/admin", "Bearer " + noScope), 403),
        refused(get("/mcp/vault", "Bearer " + issuer.accessToken().acr("urn:example:pwd").sign()), 401));
    for (Answer answer : answers) {
      List<String> challenges = answer.headers().get("WWW-Authenticate");
      assertThat(challenges).as("%s", answer).hasSize(2);
      for (String challenge : challenges) {
        assertThat(challenge).as("last auth-param").endsWith(", resource_metadata=\"" + METADATA_URL + "\"");
      }
      assertThat(bearerParams(answer)).containsEntry("resource_metadata", METADATA_URL);
      assertThat(dpopParams(answer)).containsEntry("resource_metadata", METADATA_URL);
    }
    String dpop = "DPoP realm=\"mcp\", algs=\"ES256 EdDSA PS256 RS256\", resource_metadata=\"" + METADATA_URL + "\"";
    assertThat(answers.get(0).headers().get("WWW-Authenticate"))
        .containsExactly("Bearer realm=\"mcp\", resource_metadata=\"" + METADATA_URL + "\"", dpop);
    assertThat(answers.get(7).headers().get("WWW-Authenticate")).containsExactly("Bearer realm=\"mcp\", "
        + "error=\"insufficient_user_authentication\", error_description=\"A different authentication level is required.\", "
        + "acr_values=\"urn:example:mfa\", resource_metadata=\"" + METADATA_URL + "\"", dpop);
  }

  @Test
  void theKeysUnavailable503NamesTheMetadataUrlToo() throws IOException {
    try (FakeIssuer down = FakeIssuer.builder().audience(MCP).start(); AccessTokenVerifier v = down.httpVerifierBuilder().build()) {
      down.failJwks(FakeIssuer.JwksFailure.HTTP_500);
      ProtectedResource r = ProtectedResource.builder(v).publishMetadata(ProtectedResourceMetadata.builder(MCP).build()).build();
      Answer answer = refused(r.decide(InMemoryRequest.get("/mcp").bearer(down.accessToken().sign())), 503);
      assertThat(answer.headers().get("WWW-Authenticate")).containsExactly(
          "Bearer realm=\"api\", resource_metadata=\"" + METADATA_URL + "\"",
          "DPoP realm=\"api\", algs=\"ES256 EdDSA PS256 RS256\", resource_metadata=\"" + METADATA_URL + "\"");
    }
  }

  /** The URL comes from configuration: a client's Host or forwarding headers cannot point others' discovery anywhere. */
  @Test
  void noRequestHeaderShapesTheMetadataUrl() {
    InMemoryRequest request = InMemoryRequest.get("/mcp")
        .header("Host", "evil.example")
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-Proto", "http")
        .header("X-Forwarded-Prefix", "/evil")
        .header("Forwarded", "host=evil.example;proto=http");
    Answer answer = refused(decide(resource, request), 401);
    assertThat(bearerParams(answer)).containsEntry("resource_metadata", METADATA_URL);
    assertThat(dpopParams(answer)).containsEntry("resource_metadata", METADATA_URL);
  }

  @Test
  void thePublicUrlIsTheBaseOfTheMetadataUrl() {
    ProtectedResource local = builder().publishMetadata(ProtectedResourceMetadata.builder(MCP).build())
        .publicUrl(URI.create("http://127.0.0.1:8080/"))
        .build();
    assertThat(local.metadataUrl()).contains(URI.create("http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp"));
    assertThat(bearerParams(refused(decide(local, InMemoryRequest.get("/mcp")), 401)))
        .containsEntry("resource_metadata", "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp");

    ProtectedResource prefixed = builder().publishMetadata(ProtectedResourceMetadata.builder("https://api.example.com").build())
        .publicUrl(URI.create("https://gateway.example.com/health-api"))
        .build();
    assertThat(prefixed.metadataUrl()).contains(URI.create("https://gateway.example.com/health-api/.well-known/oauth-protected-resource"));

    ProtectedResource port = builder().publishMetadata(ProtectedResourceMetadata.builder("https://api.example.com:8443/v1").build()).build();
    assertThat(port.metadataUrl()).contains(URI.create("https://api.example.com:8443/.well-known/oauth-protected-resource/v1"));
  }

  @Test
  void scopesAndBearerMethodsComeFromTheResourceUnlessTheDocumentNamesItsScopes() {
    ProtectedResource r = builder().acceptQueryParameter().acceptFormBody()
        .publishMetadata(ProtectedResourceMetadata.builder(MCP).scopesSupported("mcp:tools").build())
        .build();
    ProtectedResourceMetadata published = r.metadata().orElseThrow();
    assertThat(published.scopesSupported()).containsExactly("mcp:tools");
    assertThat(published.bearerMethodsSupported()).containsExactly("header", "body", "query");
    assertThat(published.toJson()).contains("\"bearer_methods_supported\":[\"header\",\"body\",\"query\"]");

    ProtectedResource noRules = ProtectedResource.builder(verifier).publishMetadata(ProtectedResourceMetadata.builder(MCP).build()).build();
    assertThat(noRules.metadata().orElseThrow().toJson())
        .isEqualTo("{\"resource\":\"https://mcp.example.com/mcp\",\"bearer_methods_supported\":[\"header\"]," + DPOP_ALGS + "}");
  }

  @Test
  void withoutMetadataNothingChanges() throws IOException {
    ProtectedResource plain = builder().build();
    assertThat(plain.metadata()).isEmpty();
    assertThat(plain.metadataUrl()).isEmpty();
    assertThat(refused(plain.decide(InMemoryRequest.get("/mcp")), 401).headers().get("WWW-Authenticate"))
        .containsExactly("Bearer realm=\"mcp\"");
    refused(plain.decide(InMemoryRequest.get(WELL_KNOWN)), 401);
  }

  @Test
  void misconfigurationIsRefused() {
    ProtectedResourceMetadata m = ProtectedResourceMetadata.builder(MCP).build();
    assertThatThrownBy(() -> builder().publishMetadata(m).publishMetadata(m)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> builder().publicUrl(URI.create("https://a.example")).publicUrl(URI.create("https://b.example")))
        .isInstanceOf(IllegalStateException.class);
    for (String bad : List.of("http://api.example.com", "https://api.example.com/?x", "https://u@api.example.com", "/relative",
        "https://api.example.com/#f")) {
      assertThatThrownBy(() -> builder().publicUrl(URI.create(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void theRequirementStillReachesTheVerifierForOtherPaths() throws IOException {
    TokenRequest[] seen = new TokenRequest[1];
    AccessTokenVerifier spy = request -> {
      seen[0] = request;
      return verifier.verify(request);
    };
    ProtectedResource r = ProtectedResource.builder(spy).requireScopes("/mcp", "mcp:tools")
        .publishMetadata(ProtectedResourceMetadata.builder(MCP).build()).build();
    r.decide(InMemoryRequest.get(WELL_KNOWN + "/mcp"));
    assertThat(seen[0]).as("the metadata costs no verification").isNull();
    r.decide(InMemoryRequest.get("/mcp").bearer(issuer.accessToken().scopes("mcp:tools").sign()));
    assertThat(seen[0].requirement()).isEqualTo(Requirement.allScopes("mcp:tools"));
    assertThat(Duration.ofHours(1)).isEqualTo(ProtectedResource.METADATA_MAX_AGE);
  }
}
