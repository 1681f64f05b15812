package dev.tokenguard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The RFC 9728 document: its members, their checks, its JSON and the well-known path it belongs at. */
class ProtectedResourceMetadataTest {
  private static final String API = "https://api.example.com";

  /** A JSON object parsed back with jackson-core: member name to String, Boolean, Number, List or Map. */
  static Map<String, Object> parse(String json) {
    try (JsonParser p = new JsonFactory().createParser(json)) {
      assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
      Object value = read(p, p.currentToken());
      assertThat(p.nextToken()).as("nothing after the object").isNull();
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) value;
      return map;
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  private static Object read(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          assertThat(map).as("member %s once", name).doesNotContainKey(name);
          map.put(name, read(p, p.nextToken()));
        }
        return map;
      }
      case START_ARRAY: {
        List<Object> list = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          list.add(read(p, e));
        }
        return list;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return p.getNumberValue();
      case VALUE_TRUE:
        return true;
      case VALUE_FALSE:
        return false;
      default:
        throw new AssertionError("unexpected " + t);
    }
  }

  @Test
  void theLeastDocumentNamesTheResourceAndTheHeaderMethod() {
    ProtectedResourceMetadata m = ProtectedResourceMetadata.builder(API).build();
    assertThat(m.toJson()).isEqualTo("{\"resource\":\"https://api.example.com\",\"bearer_methods_supported\":[\"header\"]}");
    assertThat(m.resource()).isEqualTo(API);
    assertThat(m.authorizationServers()).isEmpty();
    assertThat(m.scopesSupported()).isEmpty();
    assertThat(m.bearerMethodsSupported()).containsExactly("header");
    assertThat(m.resourceName()).isEmpty();
    assertThat(m.dpopBoundAccessTokensRequired()).isEmpty();
    assertThat(m.toString()).isEqualTo(m.toJson());
  }

  @Test
  void everyMemberIsWrittenInItsOrderWithFurtherMembersLast() {
    ProtectedResourceMetadata m = ProtectedResourceMetadata.builder("https://mcp.example.com/mcp")
        .member("resource_policy_uri", "https://mcp.example.com/policy")
        .dpopBoundAccessTokensRequired(true)
        .dpopSigningAlgValuesSupported("ES256", "RS256")
        .resourceDocumentation("https://mcp.example.com/docs")
        .resourceName("Example MCP server")
        .scopesSupported("mcp:tools", "mcp:resources", "mcp:tools")
        .authorizationServers("https://as1.example.com", "https://as2.example.net/tenant", "https://as1.example.com")
        .member("resource_name#de", "Beispiel")
        .build();
    assertThat(m.toJson()).isEqualTo("{\"resource\":\"https://mcp.example.com/mcp\","
        + "\"authorization_servers\":[\"https://as1.example.com\",\"https://as2.example.net/tenant\"],"
        + "\"scopes_supported\":[\"mcp:tools\",\"mcp:resources\"],"
        + "\"bearer_methods_supported\":[\"header\"],"
        + "\"resource_name\":\"Example MCP server\","
        + "\"resource_documentation\":\"https://mcp.example.com/docs\","
        + "\"dpop_signing_alg_values_supported\":[\"ES256\",\"RS256\"],"
        + "\"dpop_bound_access_tokens_required\":true,"
        + "\"resource_policy_uri\":\"https://mcp.example.com/policy\","
        + "\"resource_name#de\":\"Beispiel\"}");
    assertThat(m.dpopSigningAlgValuesSupported()).containsExactly("ES256", "RS256");
    assertThat(m.dpopBoundAccessTokensRequired()).contains(true);
    assertThat(m.additionalMembers()).containsOnlyKeys("resource_policy_uri", "resource_name#de");
  }

  @Test
  void stringsAreEscapedByTheGeneratorAndTheDocumentIsPrintableAscii() {
    String name = "Patient \"records\" \\ caf\u00e9 \u2603 \uD83D\uDE00 </script>";
    ProtectedResourceMetadata m = ProtectedResourceMetadata.builder(API).resourceName(name)
        .member("x-note", "line\nbreak\u0000nul").build();
    assertThat(m.toJson()).matches("[\\x20-\\x7e]+").contains("\\\"records\\\"", "\\\\", "\\u00E9", "\\u2603", "\\n", "\\u0000");
    Map<String, Object> parsed = parse(m.toJson());
    assertThat(parsed).containsEntry("resource_name", name).containsEntry("x-note", "line\nbreak\u0000nul");
  }

  @Test
  void furtherMembersTakeJsonValuesCopiedAndKeepTheirOrder() {
    List<Object> list = new ArrayList<>(List.of("a", 1, 2L, true));
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("z", List.of(Map.of("deep", new BigDecimal("1.50"))));
    nested.put("a", false);
    ProtectedResourceMetadata m = ProtectedResourceMetadata.builder(API)
        .member("x_list", list)
        .member("x_object", nested)
        .member("x_big", new BigInteger("123456789012345678901234567890"))
        .member("x_double", 0.25)
        .member("x_short", (short) 7)
        .build();
    list.add("added later");
    nested.put("later", true);
    assertThat(m.toJson()).endsWith("\"x_list\":[\"a\",1,2,true],\"x_object\":{\"z\":[{\"deep\":1.50}],\"a\":false},"
        + "\"x_big\":123456789012345678901234567890,\"x_double\":0.25,\"x_short\":7}");
    assertThat(parse(m.toJson())).containsKeys("x_list", "x_object", "x_big", "x_double", "x_short");
    assertThatThrownBy(() -> m.additionalMembers().put("y", "z")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((List<Object>) m.additionalMembers().get("x_list")).add("y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void furtherMembersAreRefusedUnlessTheirNameAndValueFit() {
    ProtectedResourceMetadata.Builder b = ProtectedResourceMetadata.builder(API);
    for (String own : List.of("resource", "authorization_servers", "scopes_supported", "bearer_methods_supported", "resource_name",
        "resource_documentation", "dpop_signing_alg_values_supported", "dpop_bound_access_tokens_required")) {
      assertThatThrownBy(() -> b.member(own, "x")).as(own).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("own builder method");
    }
    for (String bad : List.of("", "with space", "quote\"", "new\nline", "\u00e9", "x".repeat(101))) {
      assertThatThrownBy(() -> b.member(bad, "x")).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> b.member("x", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.member("x", Float.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.member("x", new Object())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JSON value");
    assertThatThrownBy(() -> b.member("x", Map.of(1, "a"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.member("x", java.util.Arrays.asList("a", null))).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.member("x", null)).isInstanceOf(NullPointerException.class);
    Object deep = "leaf";
    for (int i = 0; i < 16; i++) {
      deep = List.of(deep);
    }
    Object tooDeep = deep;
    assertThatThrownBy(() -> b.member("x", tooDeep)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deeper than 16");
    b.member("x", "first");
    assertThatThrownBy(() -> b.member("x", "again")).isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://api.example.com", "ftp://api.example.com", "https://api.example.com#top", "https://api.example.com/#",
      "https://api.example.com/?x=1", "https://user@api.example.com", "/relative", "api.example.com", "https:///nohost",
      "https://api.example.com//mcp", "https://api.example.com/a/../mcp", "https://api.example.com/./mcp", "https://api example.com",
      ""})
  void aResourceIdentifierThatIsNoHttpsUrlWithoutQueryOrFragmentIsRefused(String resource) {
    assertThatThrownBy(() -> ProtectedResourceMetadata.builder(resource)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resource identifier");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8080", "http://localhost/mcp", "http://[::1]:9000/", "HTTPS://API.EXAMPLE.COM/MCP"})
  void loopbackHttpAndUpperCaseAreAcceptedAndKeptExactly(String resource) {
    assertThat(ProtectedResourceMetadata.builder(resource).build().resource()).isEqualTo(resource);
  }

  /** RFC 9728 section 3 and 3.1, and the catalog's profile of a trailing slash. */
  @ParameterizedTest
  @CsvSource({
      "https://api.example.com, /.well-known/oauth-protected-resource",
      "https://api.example.com/, /.well-known/oauth-protected-resource",
      "https://api.example.com:8443, /.well-known/oauth-protected-resource",
      "https://api.example.com/mcp, /.well-known/oauth-protected-resource/mcp",
      "https://api.example.com/v2/mcp, /.well-known/oauth-protected-resource/v2/mcp",
      "https://api.example.com/mcp/, /.well-known/oauth-protected-resource/mcp",
      "https://api.example.com/a%20b, /.well-known/oauth-protected-resource/a%20b"})
  void theWellKnownPathIsInsertedBeforeTheResourcePath(String resource, String path) {
    assertThat(ProtectedResourceMetadata.builder(resource).build().wellKnownPath()).isEqualTo(path);
  }

  @Test
  void theServedPathsAreTheDerivedOneTheLiteralTrailingSlashOneAndTheRoot() {
    assertThat(ProtectedResourceMetadata.builder("https://api.example.com/mcp/").build().servedPaths()).containsExactly(
        "/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource/mcp/", "/.well-known/oauth-protected-resource");
    assertThat(ProtectedResourceMetadata.builder("https://api.example.com/a%20b").build().servedPaths())
        .containsExactly("/.well-known/oauth-protected-resource/a b", "/.well-known/oauth-protected-resource");
    assertThat(ProtectedResourceMetadata.builder(API).build().servedPaths()).containsExactly("/.well-known/oauth-protected-resource");
  }

  @Test
  void membersAreCheckedWhenGiven() {
    ProtectedResourceMetadata.Builder b = ProtectedResourceMetadata.builder(API);
    assertThatThrownBy(() -> b.authorizationServers()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.authorizationServers("http://as.example.com")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.authorizationServers("https://as.example.com?tenant=1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.authorizationServers("as.example.com")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.scopesSupported("read patients")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.scopesSupported("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.scopesSupported()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.resourceName(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.resourceName("a\u0007b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.resourceDocumentation("docs.example.com")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.resourceDocumentation("javascript:alert(1)")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.dpopSigningAlgValuesSupported("none")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.dpopSigningAlgValuesSupported("HS256")).isInstanceOf(IllegalArgumentException.class);
    b.authorizationServers("https://as.example.com").scopesSupported("a").resourceName("n").resourceDocumentation("http://docs.example.com")
        .dpopSigningAlgValuesSupported("ES256").dpopBoundAccessTokensRequired(false);
    assertThatThrownBy(() -> b.authorizationServers("https://as.example.com")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.scopesSupported("b")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.resourceName("m")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.resourceDocumentation("https://x.example")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.dpopSigningAlgValuesSupported("RS256")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.dpopBoundAccessTokensRequired(true)).isInstanceOf(IllegalStateException.class);
    assertThat(b.build().toJson()).contains("\"dpop_bound_access_tokens_required\":false");
  }

  @Test
  void equalDocumentsAreEqual() {
    ProtectedResourceMetadata a = ProtectedResourceMetadata.builder(API).resourceName("x").build();
    assertThat(a).isEqualTo(ProtectedResourceMetadata.builder(API).resourceName("x").build()).hasSameHashCodeAs(
        ProtectedResourceMetadata.builder(API).resourceName("x").build());
    assertThat(a).isNotEqualTo(ProtectedResourceMetadata.builder(API).resourceName("y").build());
  }
}
