package dev.tokenguard.interop.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.http.ConfigurationReader;
import dev.tokenguard.http.Decision;
import dev.tokenguard.http.ProtectedResource;
import dev.tokenguard.http.ProtectedResourceMetadata;
import dev.tokenguard.http.ResourceRequest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The catalog's {@code sdk-resource-metadata} cases (RFC 9728). The catalog's {@code build_prm}
 * is read two ways: {@link ProtectedResourceMetadata} built from the case's setup, and the document
 * a {@link ProtectedResource} serves, whose scopes come from its access rules and whose
 * authorization servers come from the configuration's issuers ({@link ConfigurationReader}), since
 * that is how an application publishes it. Documents are parsed back with jackson-databind, so the
 * test reads the JSON a client reads. The DPoP members are bound here because the generator
 * writes them when configured; that the resource then enforces DPoP is issue 12's ({@code
 * sdk-verifier.dpop.inbound}).
 */
class ResourceMetadataConformanceTest {
  private static final String ISSUER = "https://auth.example.com";
  private static final String RESOURCE = "https://api.example.com";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The verifier of a resource whose tests never send a token. */
  private static final AccessTokenVerifier NEVER_CALLED = request -> {
    throw new AssertionError("no token is verified here");
  };

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String json) {
    return JSON.readValue(json, Map.class);
  }

  /** The catalog's setup as an application configures it: issuer, resource, access rules naming the scopes. */
  private static ProtectedResource configured(String scopeRules) {
    Map<String, String> settings = Map.of("issuer", ISSUER, "audience", RESOURCE, "resource", RESOURCE, "scope-rules", scopeRules);
    return ConfigurationReader.of(settings.keySet(), settings::get, name -> name).protectedResource();
  }

  /** The body of the 200 answer to a GET of {@code path}. */
  private static String served(ProtectedResource resource, String path) throws Exception {
    Decision decision = resource.decide(new Get(path));
    assertThat(decision.isAllowed()).isFalse();
    assertThat(decision.answer().orElseThrow().status()).as("GET %s", path).isEqualTo(200);
    return new String(decision.answer().orElseThrow().body(), StandardCharsets.UTF_8);
  }

  @Test
  @ConformanceCase("rfc9728-prm-must-contain-required-fields")
  void theBuiltDocumentContainsTheRequiredFields() {
    Map<String, Object> prm = parse(ProtectedResourceMetadata.builder(RESOURCE).authorizationServers(ISSUER)
        .scopesSupported("read:data", "write:data").build().toJson());
    assertThat(prm).containsOnlyKeys("resource", "authorization_servers", "bearer_methods_supported", "scopes_supported");
    assertThat(prm.get("scopes_supported")).isEqualTo(List.of("read:data", "write:data"));
  }

  /**
   * The configured resource also accepts DPoP (the verifier's default policy; the metadata's origin
   * is the public URL a proof's {@code htu} names), so its document names the proof algorithms too.
   */
  @Test
  @ConformanceCase({"rfc9728-prm-must-contain-required-fields", "rfc9728-prm-dpop-fields-should-be-advertised-when-dpop-is-supported"})
  void theServedDocumentContainsTheRequiredFieldsWithTheScopesOfTheRules() throws Exception {
    try (ProtectedResource resource = configured("/data=read:data; /data/write=read:data write:data")) {
      Map<String, Object> prm = parse(served(resource, "/.well-known/oauth-protected-resource"));
      assertThat(prm).containsOnlyKeys("resource", "authorization_servers", "bearer_methods_supported", "scopes_supported",
          "dpop_signing_alg_values_supported");
      assertThat(prm).containsEntry("dpop_signing_alg_values_supported", List.of("ES256", "EdDSA", "PS256", "RS256"));
      assertThat(prm).containsEntry("resource", RESOURCE).containsEntry("scopes_supported", List.of("read:data", "write:data"));
    }
  }

  @Test
  @ConformanceCase("rfc9728-prm-authorization-servers-must-list-the-issuer")
  void authorizationServersListTheConfiguredIssuer() throws Exception {
    assertThat(parse(ProtectedResourceMetadata.builder(RESOURCE).authorizationServers(ISSUER).build().toJson()))
        .containsEntry("authorization_servers", List.of(ISSUER));
    try (ProtectedResource resource = configured("/data=read:data")) {
      assertThat(parse(served(resource, "/.well-known/oauth-protected-resource"))).containsEntry("authorization_servers", List.of(ISSUER));
    }
  }

  @Test
  @ConformanceCase("rfc9728-prm-supported-bearer-methods-should-be-stable")
  void theHeaderMethodIsAdvertisedEveryTime() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(parse(ProtectedResourceMetadata.builder(RESOURCE).authorizationServers(ISSUER).build().toJson()))
          .containsEntry("bearer_methods_supported", List.of("header"));
    }
    try (ProtectedResource resource = configured("/data=read:data")) {
      assertThat(parse(served(resource, "/.well-known/oauth-protected-resource")))
          .containsEntry("bearer_methods_supported", List.of("header"));
    }
    // A resource that also accepts the RFC 6750 body and query methods says so, header first.
    ProtectedResource both = ProtectedResource.builder(NEVER_CALLED).acceptFormBody().acceptQueryParameter()
        .publishMetadata(ProtectedResourceMetadata.builder(RESOURCE).build()).build();
    assertThat(parse(served(both, "/.well-known/oauth-protected-resource")))
        .containsEntry("bearer_methods_supported", List.of("header", "body", "query"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "https://api.example.com, /.well-known/oauth-protected-resource",
      "https://api.example.com/mcp, /.well-known/oauth-protected-resource/mcp",
      "https://api.example.com/v2/mcp, /.well-known/oauth-protected-resource/v2/mcp",
      "https://api.example.com/mcp/, /.well-known/oauth-protected-resource/mcp"})
  @ConformanceCase("rfc9728-well-known-path-must-derive-from-resource-uri")
  void theWellKnownPathIsDerivedFromTheResourceUri(String resource, String path) throws Exception {
    ProtectedResourceMetadata metadata = ProtectedResourceMetadata.builder(resource).build();
    assertThat(metadata.wellKnownPath()).isEqualTo(path);
    ProtectedResource served = ProtectedResource.builder(NEVER_CALLED).publishMetadata(metadata).build();
    assertThat(served.metadataUrl()).contains(URI.create("https://api.example.com" + path));
    assertThat(parse(served(served, path))).containsEntry("resource", resource);
  }

  @Test
  @ConformanceCase("rfc9728-prm-dpop-fields-should-be-advertised-when-dpop-is-supported")
  void dpopAlgorithmsAreAdvertisedWhenConfigured() {
    Map<String, Object> prm = parse(ProtectedResourceMetadata.builder(RESOURCE).authorizationServers(ISSUER).scopesSupported("read:data")
        .dpopSigningAlgValuesSupported("ES256", "RS256").build().toJson());
    assertThat(prm).containsEntry("dpop_signing_alg_values_supported", List.of("ES256", "RS256"));
  }

  @Test
  @ConformanceCase("rfc9728-prm-must-advertise-dpop-required-when-resource-requires-dpop")
  void dpopRequiredIsAdvertisedWhenConfigured() {
    Map<String, Object> prm = parse(ProtectedResourceMetadata.builder(RESOURCE).authorizationServers(ISSUER).scopesSupported("read:data")
        .dpopSigningAlgValuesSupported("ES256", "RS256").dpopBoundAccessTokensRequired(true).build().toJson());
    assertThat(prm).containsEntry("dpop_bound_access_tokens_required", true);
  }

  /** A GET of a path, with no credentials. */
  private static final class Get implements ResourceRequest {
    private final String path;

    Get(String path) {
      this.path = path;
    }

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
      return List.of();
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
      return new ByteArrayInputStream(new byte[0]);
    }
  }
}
