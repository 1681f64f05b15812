package dev.tokenguard.interop.conformance;

import static dev.tokenguard.interop.conformance.CatalogIssuer.assertRefused;
import static dev.tokenguard.interop.conformance.MetadataServer.OPENID;
import static dev.tokenguard.interop.conformance.MetadataServer.RFC8414;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.testing.TestClock;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The catalog's {@code sdk-client.discovery} cases that apply to a resource server: finding the
 * issuer's JWKS through its metadata (RFC 8414; OpenID Connect Discovery 1.0 too, which TokenGuard
 * reads first). The authorization server is a {@link MetadataServer} on 127.0.0.1 serving the
 * case's metadata, and the verifier's issuer is its origin: TokenGuard takes plain http only for
 * loopback hosts, so the catalog's {@code https://auth.example.com} becomes {@code
 * http://127.0.0.1:<port>}. Tokens are signed by a {@link FakeIssuer} whose JWKS document the
 * metadata server serves.
 *
 * <p>The catalog's stimulus {@code client.create} is {@link AccessTokenVerifier#warmUp()}: {@code
 * build()} makes no network call by design, and {@code warmUp()} is how an API fetches metadata and
 * keys at start-up and fails there. Each refusing test also sends a token through {@code verify}.
 * Untrusted metadata is refused as {@code KEYS_UNAVAILABLE} (the catalog's {@code
 * metadata_fetch_error} / {@code missing_metadata_endpoint} / {@code metadata_or_transport_failure})
 * with a detail saying why; every URI a lax client might fall back to serves a valid key set, and
 * none of them may be requested.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DiscoveryConformanceTest {
  /** Where the metadata's legitimate jwks_uri points, the Auth0-style fallback and the case's relative path. */
  private static final List<String> KEY_SET_PATHS = List.of("/jwks.json", "/.well-known/jwks.json", "/relative-jwks");

  private final TestClock clock = TestClock.at(CatalogIssuer.NOW);
  private final MetadataServer server = new MetadataServer();
  private final FakeIssuer keys = FakeIssuer.builder().clock(clock).start();

  @AfterEach
  void stop() {
    server.close();
    keys.close();
  }

  private AccessTokenVerifier.Builder verifier(String issuer) {
    return AccessTokenVerifier.builder().issuer(issuer).audience(FakeIssuer.DEFAULT_AUDIENCE).clock(clock).keyFetchExecutor(Runnable::run);
  }

  /** The control for the refusals below: the case's metadata done right is trusted, at either location. */
  @ParameterizedTest(name = "metadata at {0}")
  @ValueSource(strings = {RFC8414, OPENID})
  @ConformanceCase({
      "rfc8414-metadata-issuer-must-match-configured-issuer",
      "rfc8414-jwks-uri-required-for-jwt-validation",
      "rfc8414-metadata-must-contain-issuer",
      "rfc8414-jwks-uri-must-be-absolute-https-url"})
  void metadataNamingTheConfiguredIssuerAndAnAbsoluteJwksUriIsTrusted(String location) {
    String issuer = server.origin();
    server.serve(location, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/jwks.json\"}");
    server.serve("/jwks.json", keys.jwks());
    try (AccessTokenVerifier verifier = verifier(issuer).build()) {
      verifier.warmUp();
      assertThat(verifier.verify(keys.accessToken().issuer(issuer).sign()).issuer()).isEqualTo(issuer);
    }
    assertThat(server.requests("/jwks.json")).isEqualTo(1);
  }

  /** The case's evil issuer, and its variant: the configured issuer with a trailing slash added. */
  @ParameterizedTest(name = "metadata at {0} names {1}")
  @CsvSource({
      RFC8414 + ", https://evil.example.com",
      OPENID + ",  https://evil.example.com",
      RFC8414 + ", configured issuer + /",
      OPENID + ",  configured issuer + /",
  })
  @ConformanceCase("rfc8414-metadata-issuer-must-match-configured-issuer")
  void metadataNamingAnotherIssuerIsNotTrusted(String location, String reported) {
    String issuer = server.origin();
    String named = reported.equals("configured issuer + /") ? issuer + "/" : reported;
    assertMetadataRefused(issuer, location, "{\"issuer\":\"" + named + "\",\"jwks_uri\":\"" + issuer + "/jwks.json\"}",
        "names the issuer \"" + named + "\", not the configured issuer \"" + issuer + "\"");
  }

  @ParameterizedTest(name = "metadata at {0}")
  @ValueSource(strings = {RFC8414, OPENID})
  @ConformanceCase("rfc8414-jwks-uri-required-for-jwt-validation")
  void metadataWithoutAJwksUriIsNotUsedNorReplacedByAGuess(String location) {
    String issuer = server.origin();
    assertMetadataRefused(issuer, location, "{\"issuer\":\"" + issuer + "\"}", "has no jwks_uri");
  }

  /** The issuer absent (the case), JSON {@code null}, and empty (the case's summary asks for a non-empty issuer). */
  @ParameterizedTest(name = "metadata at {0}, issuer {1}")
  @CsvSource({
      RFC8414 + ", absent",
      OPENID + ",  absent",
      RFC8414 + ", null",
      RFC8414 + ", empty",
  })
  @ConformanceCase("rfc8414-metadata-must-contain-issuer")
  void metadataWithoutAnIssuerIsNotTrusted(String location, String issuerMember) {
    String issuer = server.origin();
    String jwks = "\"jwks_uri\":\"" + issuer + "/jwks.json\"";
    switch (issuerMember) {
      case "absent":
        assertMetadataRefused(issuer, location, "{" + jwks + "}", "names no issuer");
        break;
      case "null":
        assertMetadataRefused(issuer, location, "{\"issuer\":null," + jwks + "}", "names no issuer");
        break;
      default:
        assertMetadataRefused(issuer, location, "{\"issuer\":\"\"," + jwks + "}", "names the issuer \"\", not the configured issuer");
    }
  }

  /**
   * The case's relative {@code jwks_uri}, the other relative forms, and absolute ones that are not
   * https ({@code http} to a host other than loopback, {@code file}). Nothing is resolved against
   * the metadata's URL: a key set served at {@code /relative-jwks} is never requested.
   */
  @ParameterizedTest(name = "metadata at {0}, jwks_uri {1}")
  @CsvSource({
      RFC8414 + ", /relative-jwks",
      OPENID + ",  /relative-jwks",
      RFC8414 + ", relative-jwks",
      RFC8414 + ", //127.0.0.1:PORT/relative-jwks",
      RFC8414 + ", http://auth.example.com/relative-jwks",
      RFC8414 + ", file:///relative-jwks",
  })
  @ConformanceCase("rfc8414-jwks-uri-must-be-absolute-https-url")
  void aJwksUriThatIsNotAnAbsoluteHttpsUrlIsNotUsed(String location, String jwksUri) {
    String issuer = server.origin();
    String named = jwksUri.replace("PORT", issuer.substring(issuer.lastIndexOf(':') + 1));
    assertMetadataRefused(issuer, location, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + named + "\"}",
        "jwks_uri", "\"" + named + "\"");
  }

  /**
   * For {@code <origin>/tenant-a} (and with a terminating slash, which RFC 8414 section 3.1 removes
   * first) the metadata is read from {@code <origin>/.well-known/oauth-authorization-server/tenant-a}
   * only; the appended form {@code <origin>/tenant-a/.well-known/oauth-authorization-server} is never
   * requested. TokenGuard asks {@code <issuer>/.well-known/openid-configuration} first, the location
   * OpenID Connect Discovery 1.0 section 4 defines (404 here).
   */
  @ParameterizedTest(name = "issuer path {0}")
  @ValueSource(strings = {"/tenant-a", "/tenant-a/"})
  @ConformanceCase("rfc8414-discovery-url-must-insert-well-known-before-issuer-path")
  void theWellKnownSegmentGoesBetweenTheOriginAndTheIssuerPath(String path) {
    String issuer = server.origin() + path;
    server.serve(RFC8414 + "/tenant-a", "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + server.origin() + "/jwks.json\"}");
    server.serve("/jwks.json", keys.jwks());
    try (AccessTokenVerifier verifier = verifier(issuer).build()) {
      verifier.warmUp();
      assertThat(verifier.verify(keys.accessToken().issuer(issuer).sign()).issuer()).isEqualTo(issuer);
    }
    assertThat(server.requests(RFC8414 + "/tenant-a")).isEqualTo(1);
    assertThat(server.requests("/tenant-a" + RFC8414)).isZero();
    assertThat(server.requests("/tenant-a" + OPENID)).isEqualTo(1);
    assertThat(server.requests("/jwks.json")).isEqualTo(1);
  }

  /**
   * {@code jwks_uri} rotation, noticed when the metadata's lifetime ends (its {@code Cache-Control:
   * max-age}, here absent: 10 minutes). TokenGuard has no hook a caller fires on a metadata change;
   * it reads the metadata again when its lifetime ends, when a token names an unknown {@code kid}
   * (rate-limited with the refetch) and on {@link AccessTokenVerifier#invalidateKeys()}: one test
   * each. The old URI keeps serving the old keys; a token signed with a key published only at the
   * new URI is accepted, and the verifier reports the new URI.
   */
  @Test
  @ConformanceCase("rfc8414-jwks-uri-rotation-must-reconfigure-jwks-cache")
  void aMovedJwksUriIsFollowedWhenTheMetadataLifetimeEnds() {
    try (Rotation rotation = new Rotation(); AccessTokenVerifier verifier = verifier(server.origin()).build()) {
      rotation.startWithV1(verifier);

      rotation.metadataNamesV2();
      clock.advance(Duration.ofMinutes(11));

      rotation.assertV2Used(verifier);
    }
  }

  @Test
  @ConformanceCase("rfc8414-jwks-uri-rotation-must-reconfigure-jwks-cache")
  void aMovedJwksUriIsFollowedWhenATokenNamesAnUnknownKid() {
    try (Rotation rotation = new Rotation(); AccessTokenVerifier verifier = verifier(server.origin()).build()) {
      rotation.startWithV1(verifier);

      rotation.metadataNamesV2();

      rotation.assertV2Used(verifier);
    }
  }

  @Test
  @ConformanceCase("rfc8414-jwks-uri-rotation-must-reconfigure-jwks-cache")
  void aMovedJwksUriIsFollowedAfterInvalidateKeys() {
    try (Rotation rotation = new Rotation(); AccessTokenVerifier verifier = verifier(server.origin()).build()) {
      rotation.startWithV1(verifier);

      rotation.metadataNamesV2();
      verifier.invalidateKeys();

      rotation.assertV2Used(verifier);
    }
  }

  /** The case's old and new metadata on the metadata server, each key set with its own issuer key. */
  private final class Rotation implements AutoCloseable {
    private final String issuer = server.origin();
    private final FakeIssuer v2Keys = FakeIssuer.builder().clock(clock).start();

    Rotation() {
      server.serve("/jwks-v1.json", keys.jwks());
      server.serve("/jwks-v2.json", v2Keys.jwks());
      server.serve(RFC8414, metadata("/jwks-v1.json"));
    }

    private String metadata(String jwksPath) {
      return "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + jwksPath + "\"}";
    }

    void startWithV1(AccessTokenVerifier verifier) {
      assertThat(verifier.verify(keys.accessToken().issuer(issuer).sign()).issuer()).isEqualTo(issuer);
      assertThat(server.requests("/jwks-v1.json")).isEqualTo(1);
      assertThat(verifier.keySourceHealth().get(0).jwksUri()).contains(URI.create(issuer + "/jwks-v1.json"));
    }

    void metadataNamesV2() {
      server.serve(RFC8414, metadata("/jwks-v2.json"));
    }

    void assertV2Used(AccessTokenVerifier verifier) {
      assertThat(verifier.verify(v2Keys.accessToken().issuer(issuer).sign()).issuer()).isEqualTo(issuer);
      assertThat(server.requests(RFC8414)).isEqualTo(2);
      assertThat(server.requests("/jwks-v2.json")).isEqualTo(1);
      assertThat(server.requests("/jwks-v1.json")).isEqualTo(1);
      assertThat(verifier.keySourceHealth().get(0).jwksUri()).contains(URI.create(issuer + "/jwks-v2.json"));
    }

    @Override
    public void close() {
      v2Keys.close();
    }
  }

  /**
   * Serves {@code document} at {@code location} (and a valid key set at every path of {@link
   * #KEY_SET_PATHS}), then asserts that start-up ({@code warmUp}) and a valid token are both refused
   * as {@code KEYS_UNAVAILABLE} naming the issuer and {@code detail}, after one request for the
   * metadata and none for any key set.
   */
  private void assertMetadataRefused(String issuer, String location, String document, String... detail) {
    server.serve(location, document);
    for (String path : KEY_SET_PATHS) {
      server.serve(path, keys.jwks());
    }
    try (AccessTokenVerifier verifier = verifier(issuer).build()) {
      assertThatThrownBy(verifier::warmUp).isInstanceOfSatisfying(TokenVerificationException.class, e -> {
        assertThat(e.reason()).as("reason (%s)", e.getMessage()).isEqualTo(Reason.KEYS_UNAVAILABLE);
        assertThat(e.getMessage()).contains("issuer \"" + issuer + "\"", "discovery document at " + issuer + location).contains(detail);
      });
      assertRefused(verifier, keys.accessToken().issuer(issuer).sign(), Reason.KEYS_UNAVAILABLE, detail);
    }
    assertThat(server.requests(location)).isEqualTo(1);
    for (String path : KEY_SET_PATHS) {
      assertThat(server.requests(path)).as("requests for the key set at %s", path).isZero();
    }
  }
}
