package dev.tokenguard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tokenguard.Algorithm;
import dev.tokenguard.DpopPolicy;
import dev.tokenguard.dpop.DpopNonces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DPoP configuration names ({@code dpop}, {@code dpop-algorithms}, {@code dpop-nonce-secret}),
 * the {@code dpop=required} item of {@code scope-rules}, and {@code public-url} as the base of the
 * DPoP target URI; the nonce secret, however it is given, never appears in a message.
 */
class DpopConfigurationTest {
  private static final Map<String, String> BASE = Map.of("issuer", "https://tenant.example/", "audience", "my-api");
  /** 32 bytes, base64: a secret the tests look for in every message. */
  private static final String SECRET = Base64.getEncoder().encodeToString("a secret of thirty-two bytes ok!".getBytes(StandardCharsets.US_ASCII));
  private static final String SECRET_URL = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {
      -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});

  @TempDir
  Path dir;

  private static Map<String, String> with(String... nameValues) {
    Map<String, String> all = new LinkedHashMap<>(BASE);
    for (int i = 0; i < nameValues.length; i += 2) {
      all.put(nameValues[i], nameValues[i + 1]);
    }
    return all;
  }

  private static ConfigurationReader reader(Map<String, String> settings, Map<String, String> environment) {
    return ConfigurationReader.of(settings.keySet(), settings::get, name -> "init parameter " + name, environment::get);
  }

  private static DpopPolicy policy(Map<String, String> settings) {
    return policy(settings, Map.of());
  }

  private static DpopPolicy policy(Map<String, String> settings, Map<String, String> environment) {
    return reader(settings, environment).verifierBuilder().build().dpopPolicy();
  }

  /** The message of what building the verifier throws; it must never contain the secret. */
  private static String refusal(Map<String, String> settings, Map<String, String> environment, String... secrets) {
    Throwable t = catchThrowable(() -> reader(settings, environment).verifierBuilder());
    assertThat(t).as("refused: %s", settings.keySet()).isInstanceOf(IllegalArgumentException.class);
    for (Throwable e = t; e != null; e = e.getCause()) {
      for (String secret : secrets) {
        assertThat(String.valueOf(e.getMessage())).as("a message never holds the secret").doesNotContain(secret);
      }
    }
    return t.getMessage();
  }

  @Test
  void theModeIsAllowedByDefaultAndOffOrRequiredWhenSaid() {
    assertThat(policy(BASE).isEnabled()).isTrue();
    assertThat(policy(BASE).isRequired()).isFalse();
    assertThat(policy(with("dpop", "allowed")).isRequired()).isFalse();
    assertThat(policy(with("dpop", "required")).isRequired()).isTrue();
    assertThat(policy(with("dpop", "off")).isEnabled()).isFalse();
    assertThat(refusal(with("dpop", "on"), Map.of())).isEqualTo("init parameter dpop must be off, allowed or required, got on");
    assertThat(refusal(with("dpop", "Required"), Map.of())).contains("must be off, allowed or required");
  }

  @Test
  void theAlgorithmsAreTheNamedAsymmetricOnes() {
    assertThat(policy(with("dpop-algorithms", "ES256, PS256")).algorithms()).containsExactlyInAnyOrder(Algorithm.ES256, Algorithm.PS256);
    assertThat(policy(with("dpop", "required", "dpop-algorithms", "EdDSA")).algorithms()).containsExactly(Algorithm.EdDSA);
    for (String bad : List.of("HS256", "none", "es256", "ES256 RSA-OAEP")) {
      assertThat(refusal(with("dpop-algorithms", bad), Map.of())).as(bad)
          .startsWith("init parameter dpop-algorithms: ").contains("asymmetric ones only");
    }
  }

  @Test
  void settingsForDpopOffAreRefused() {
    assertThat(refusal(with("dpop", "off", "dpop-algorithms", "ES256"), Map.of()))
        .isEqualTo("init parameter dpop-algorithms has no effect with init parameter dpop=off: remove one of them");
    assertThat(refusal(with("dpop", "off", "dpop-nonce-secret", SECRET), Map.of(), SECRET))
        .contains("init parameter dpop-nonce-secret has no effect");
  }

  @Test
  void theNonceSecretTurnsOnNoncesWhicheverWayItIsGiven() throws IOException {
    DpopNonces literal = policy(with("dpop-nonce-secret", SECRET)).nonces().orElseThrow();
    DpopNonces fromEnv = policy(with("dpop-nonce-secret", "env:TG_SECRET"), Map.of("TG_SECRET", SECRET + "\n")).nonces().orElseThrow();
    Path file = Files.writeString(dir.resolve("secret"), SECRET + "\n");
    DpopNonces fromFile = policy(with("dpop-nonce-secret", "file:" + file)).nonces().orElseThrow();
    assertThat(fromEnv.accepts(literal.current())).as("the same secret, the same nonces").isTrue();
    assertThat(fromFile.accepts(literal.current())).isTrue();
    DpopNonces base64url = policy(with("dpop-nonce-secret", SECRET_URL)).nonces().orElseThrow();
    assertThat(base64url.accepts(literal.current())).as("another secret").isFalse();
    assertThat(policy(BASE).nonces()).as("no secret, no nonces").isEmpty();
  }

  @Test
  void aBadSecretIsRefusedWithoutEverQuotingIt() throws IOException {
    String shortSecret = Base64.getEncoder().encodeToString("only sixteen byt".getBytes(StandardCharsets.US_ASCII));
    assertThat(refusal(with("dpop-nonce-secret", shortSecret), Map.of(), shortSecret))
        .startsWith("init parameter dpop-nonce-secret: ").contains("at least 32 bytes").contains("openssl rand -base64 32");
    String notBase64 = "this is not base64 but it is the secret!";
    assertThat(refusal(with("dpop-nonce-secret", notBase64), Map.of(), notBase64, "this is not"))
        .isEqualTo("init parameter dpop-nonce-secret is not base64 or base64url text (make one with: openssl rand -base64 32)");
    assertThat(refusal(with("dpop-nonce-secret", "env:TG_SECRET"), Map.of("TG_SECRET", notBase64), notBase64))
        .contains("is not base64");
    assertThat(refusal(with("dpop-nonce-secret", "env:TG_MISSING"), Map.of()))
        .isEqualTo("init parameter dpop-nonce-secret: the environment variable TG_MISSING is not set or empty");
    assertThat(refusal(with("dpop-nonce-secret", "file:" + dir.resolve("absent")), Map.of()))
        .startsWith("init parameter dpop-nonce-secret: cannot read the file ");
    Path file = Files.writeString(dir.resolve("short"), shortSecret);
    assertThat(refusal(with("dpop-nonce-secret", "file:" + file), Map.of(), shortSecret)).contains("at least 32 bytes");
  }

  @Test
  void aScopeRuleMayRequireDpop() throws IOException {
    Map<String, String> settings = with("public-url", "https://api.example.com",
        "scope-rules", "/api/patients=read:patients; /api/transfers=write:transfers dpop=required");
    try (ProtectedResource r = reader(settings, Map.of()).protectedResource()) {
      assertThat(r.rules.match("/api/transfers/1").requirement.dpopRequired()).isTrue();
      assertThat(r.rules.match("/api/transfers/1").requirement.scopes()).containsExactly("write:transfers");
      assertThat(r.rules.match("/api/patients").requirement.dpopRequired()).isFalse();
      assertThat(r.decide(InMemoryRequest.get("/api/transfers")).answer().orElseThrow().headers().get("WWW-Authenticate"))
          .containsExactly("DPoP realm=\"api\", algs=\"ES256 EdDSA PS256 RS256\"");
      assertThat(r.decide(InMemoryRequest.get("/api/patients")).answer().orElseThrow().headers().get("WWW-Authenticate"))
          .hasSize(2);
    }
    try (ProtectedResource r = reader(with("public-url", "https://api.example.com", "scope-rules", "/api/transfers=dpop=required"),
        Map.of()).protectedResource()) {
      assertThat(r.rules.match("/api/transfers").requirement.scopes()).isEmpty();
    }
  }

  @Test
  void requiringDpopWithoutAPublicUrlOrWithDpopOffDoesNotStart() {
    assertThatThrownBy(() -> reader(with("scope-rules", "/api/transfers=dpop=required"), Map.of()).protectedResource())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("public-url");
    assertThatThrownBy(() -> reader(with("dpop", "required"), Map.of()).protectedResource())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("public-url");
    assertThatThrownBy(() -> reader(with("dpop", "off", "public-url", "https://api.example.com", "scope-rules", "/a=dpop=required"),
        Map.of()).protectedResource())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("DPoP disabled");
  }

  /** public-url with an audience that is no URL: the base of the DPoP target URI, no metadata (it was refused before). */
  @Test
  void aPublicUrlWithoutAResourceIdentifierIsTheDpopBaseOnly() throws IOException {
    try (ProtectedResource r = reader(with("public-url", "https://api.example.com/app/"), Map.of()).protectedResource()) {
      assertThat(r.metadata()).isEmpty();
      assertThat(r.dpopAccepted).isTrue();
      assertThat(r.decide(InMemoryRequest.get("/x")).answer().orElseThrow().headers().get("WWW-Authenticate"))
          .containsExactly("Bearer realm=\"api\"", "DPoP realm=\"api\", algs=\"ES256 EdDSA PS256 RS256\"");
    }
    try (ProtectedResource r = reader(Map.of("issuer", "https://tenant.example/", "audience", "https://a.example https://b.example",
        "public-url", "https://a.example"), Map.of()).protectedResource()) {
      assertThat(r.metadata()).as("two audiences: no resource identifier to publish").isEmpty();
    }
    try (ProtectedResource r = reader(BASE, Map.of()).protectedResource()) {
      assertThat(r.dpopAccepted).as("no public URL: DPoP cannot be checked, so it is not accepted").isFalse();
    }
  }

  @Test
  void thePolicyDoesNotShowTheSecret() {
    DpopPolicy policy = policy(with("dpop-nonce-secret", SECRET));
    assertThat(policy.toString()).doesNotContain(SECRET).contains("nonces=DpopNonces{");
  }
}
