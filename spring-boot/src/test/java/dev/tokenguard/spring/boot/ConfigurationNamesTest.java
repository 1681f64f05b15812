package dev.tokenguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tokenguard.http.ConfigurationReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code tokenguard.*} properties cannot drift from the shared configuration names: every name
 * {@link ConfigurationReader} reads is a property of the same name (a name added to the reader
 * fails this test until the properties carry it), and every property has an IDE description.
 */
class ConfigurationNamesTest {
  /** The properties only Spring Boot has. */
  private static final List<String> BOOT_ONLY = List.of("enabled", "filter-order", "rules");

  @Test
  void everyNameTheSharedReaderReadsIsAPropertyPassedToIt() {
    TokenGuardProperties all = new TokenGuardProperties();
    all.setIssuer("https://issuer.example/");
    all.setAudience(List.of("https://api.example", "https://other.example"));
    all.setJwksUri("https://issuer.example/jwks");
    all.setScopeClaims(List.of("scp", "roles"));
    all.setDpop("required");
    all.setDpopAlgorithms(List.of("ES256", "PS256"));
    all.setDpopNonceSecret("env:TOKENGUARD_DPOP_NONCE_SECRET");
    all.setRealm("health-api");
    all.setPublicPaths(List.of("/api/public", "/docs/*"));
    all.setScopeRules("/api/a=x y; /api/b=x|y");
    all.setAllowOptions(true);
    all.setAcceptQueryToken(true);
    all.setAcceptFormToken(true);
    all.setRetryAfterSeconds(12);
    all.setResource("https://api.example");
    all.setPublicUrl("https://api.example/app");
    all.setResourceName("Health API");
    all.setResourceDocumentation("https://docs.example/api");

    Map<String, String> settings = all.readerSettings();

    assertThat(settings.keySet()).containsExactlyInAnyOrderElementsOf(ConfigurationReader.names());
    assertThat(settings).containsEntry("audience", "https://api.example https://other.example")
        .containsEntry("scope-claims", "scp roles")
        .containsEntry("public-paths", "/api/public /docs/*")
        .containsEntry("scope-rules", "/api/a=x y; /api/b=x|y")
        .containsEntry("retry-after-seconds", "12")
        .containsEntry("public-url", "https://api.example/app")
        .containsEntry("dpop", "required")
        .containsEntry("dpop-algorithms", "ES256 PS256")
        .containsEntry("dpop-nonce-secret", "env:TOKENGUARD_DPOP_NONCE_SECRET");
    assertThat(new TokenGuardProperties().readerSettings()).as("nothing set, nothing passed: the reader's defaults hold")
        .isEmpty();
  }

  @Test
  void everyPropertyHasADescriptionInTheGeneratedIdeMetadata() throws IOException {
    Map<String, String> descriptions = metadataDescriptions();
    for (String name : ConfigurationReader.names()) {
      assertThat(descriptions.get("tokenguard." + name)).as("tokenguard.%s", name).isNotBlank();
    }
    for (String name : BOOT_ONLY) {
      assertThat(descriptions.get("tokenguard." + name)).as("tokenguard.%s", name).isNotBlank();
    }
    assertThat(descriptions).hasSize(ConfigurationReader.names().size() + BOOT_ONLY.size());
  }

  /** Property name to description, from the configuration processor's output in target/classes. */
  private static Map<String, String> metadataDescriptions() throws IOException {
    Path file = Path.of("target", "classes", "META-INF", "spring-configuration-metadata.json");
    Map<String, String> descriptions = new LinkedHashMap<>();
    try (JsonParser json = new JsonFactory().createParser(Files.readAllBytes(file))) {
      // {"groups": [...], "properties": [{"name": ..., "description": ...}, ...], ...}
      while (json.nextToken() != null) {
        if (json.currentToken() == JsonToken.FIELD_NAME && json.currentName().equals("properties")) {
          json.nextToken();
          while (json.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            String description = null;
            while (json.nextToken() != JsonToken.END_OBJECT) {
              String field = json.currentName();
              json.nextToken();
              if (field.equals("name")) {
                name = json.getText();
              } else if (field.equals("description")) {
                description = json.getText();
              } else {
                json.skipChildren();
              }
            }
            descriptions.put(name, description);
          }
        }
      }
    }
    return descriptions;
  }
}
