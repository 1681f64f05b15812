package dev.tokenguard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery: OpenID Connect, then RFC 8414 (path inserted), then {issuer}.well-known/jwks.json. */
class KeySourceDiscoveryTest {
  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  private final WireMockServer server =
      new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));

  @BeforeEach
  void start() {
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop();
    issuer.close();
  }

  /** A verifier that discovers its JWKS URI from {@code issuerId}. */
  private AccessTokenVerifier discoveringVerifier(String issuerId) {
    AccessTokenVerifier.Builder builder =
        AccessTokenVerifier.builder().issuer(issuerId).audience(issuer.audience()).clock(clock);
    builder.keyFetchExecutor(Runnable::run);
    return builder.build();
  }

  private int requests(String path) {
    return server.countRequestsMatching(getRequestedFor(urlEqualTo(path)).build()).getCount();
  }

  private static String metadata(String issuerId, String jwksUri) {
    return JSONObjectUtils.toJSONString(Map.of("issuer", issuerId, "jwks_uri", jwksUri));
  }

  @Test
  void findsTheJwksThroughOpenIdConnectDiscoveryAndLooksAgainWhenTheDocumentsLifetimeEnds() {
    AccessTokenVerifier verifier = discoveringVerifier(issuer.issuer());
    String token = issuer.accessToken().expiresIn(Duration.ofHours(2)).sign();

    assertThat(verifier.verify(token)).isNotNull();
    clock.advance(Duration.ofMinutes(5)); // within both lifetimes (10 min without Cache-Control)
    assertThat(verifier.verify(token)).isNotNull();
    assertThat(issuer.discoveryRequestCount()).isEqualTo(1);
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(6)); // the refresh looks the metadata up again, then the keys
    assertThat(verifier.verify(token)).isNotNull();
    assertThat(issuer.discoveryRequestCount()).isEqualTo(2);
    assertThat(issuer.jwksRequestCount()).isEqualTo(2);
  }

  @Test
  void fallsBackToRfc8414MetadataWithTheIssuerPathInsertedAfterTheWellKnownPrefix() {
    String issuerId = server.baseUrl().replace("localhost", "127.0.0.1") + "/tenant-a";
    server.stubFor(get(urlEqualTo("/.well-known/oauth-authorization-server/tenant-a"))
        .willReturn(okJson(metadata(issuerId, issuerId + "/keys"))));
    server.stubFor(get(urlEqualTo("/tenant-a/keys")).willReturn(okJson(issuer.jwks())));
    AccessTokenVerifier verifier = discoveringVerifier(issuerId);

    assertThat(verifier.verify(issuer.accessToken().issuer(issuerId).sign())).isNotNull();
    assertThat(requests("/tenant-a/.well-known/openid-configuration")).isEqualTo(1); // 404, no retry
    assertThat(requests("/.well-known/oauth-authorization-server/tenant-a")).isEqualTo(1);
    assertThat(requests("/tenant-a/keys")).isEqualTo(1);
  }

  @Test
  void fallsBackToTheIssuersWellKnownJwksJsonWithoutAnyDiscoveryDocument() {
    String issuerId = server.baseUrl().replace("localhost", "127.0.0.1") + "/";
    server.stubFor(get(urlEqualTo("/.well-known/jwks.json")).willReturn(okJson(issuer.jwks())));
    AccessTokenVerifier verifier = discoveringVerifier(issuerId);

    assertThat(verifier.verify(issuer.accessToken().issuer(issuerId).sign())).isNotNull();
    assertThat(requests("/.well-known/openid-configuration")).isEqualTo(1);
    assertThat(requests("/.well-known/oauth-authorization-server")).isEqualTo(1);
    assertThat(requests("/.well-known/jwks.json")).isEqualTo(1);
  }

  @Test
  void aJwksUriThatIsNotFoundIsDiscoveredAgainOnTheNextAttempt() {
    String issuerId = server.baseUrl().replace("localhost", "127.0.0.1") + "/";
    AccessTokenVerifier verifier = discoveringVerifier(issuerId);
    String token = issuer.accessToken().issuer(issuerId).sign();
    // Discovery missing (a deployment in progress) and no fallback JWKS: no keys yet.
    KeySourceRotationTest.assertRejected(() -> verifier.verify(token), Reason.KEYS_UNAVAILABLE);
    assertThat(requests("/.well-known/jwks.json")).isEqualTo(1);

    server.stubFor(get(urlEqualTo("/.well-known/openid-configuration"))
        .willReturn(okJson(metadata(issuerId, issuerId + "keys"))));
    server.stubFor(get(urlEqualTo("/keys")).willReturn(okJson(issuer.jwks())));
    clock.advance(RemoteKeySource.FAILURE_BACKOFF);

    assertThat(verifier.verify(token)).isNotNull();
    assertThat(requests("/.well-known/openid-configuration")).isEqualTo(2);
    assertThat(requests("/keys")).isEqualTo(1);
  }

  @Test
  void aDiscoveryServerErrorDoesNotSwitchToTheFallbackUri() {
    String issuerId = server.baseUrl().replace("localhost", "127.0.0.1") + "/";
    server.stubFor(get(urlEqualTo("/.well-known/openid-configuration")).willReturn(aResponse().withStatus(503)));
    server.stubFor(get(urlEqualTo("/.well-known/jwks.json")).willReturn(okJson(issuer.jwks())));
    AccessTokenVerifier verifier = discoveringVerifier(issuerId);

    assertThatThrownBy(verifier::warmUp)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE);
          assertThat(e.getMessage()).contains("/.well-known/openid-configuration", "HTTP 503");
        });
    assertThat(requests("/.well-known/openid-configuration")).isEqualTo(2); // one retry
    assertThat(requests("/.well-known/jwks.json")).isZero();
  }

  @Test
  void refusesADiscoveryDocumentWhoseIssuerDiffersByATrailingSlashAndSaysSo() {
    String withoutSlash = issuer.issuer().substring(0, issuer.issuer().length() - 1);
    issuer.reportIssuerInDiscovery(withoutSlash);
    AccessTokenVerifier verifier = discoveringVerifier(issuer.issuer());

    assertThatThrownBy(verifier::warmUp)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE);
          assertThat(e.getMessage()).contains("trailing slash", "\"" + withoutSlash + "\"", "\"" + issuer.issuer() + "\"");
        });
    assertThat(issuer.jwksRequestCount()).isZero();
    assertThat(verifier.keySourceHealth().get(0).lastFailureReason()).hasValueSatisfying(r -> assertThat(r).contains("trailing slash"));
  }

  @Test
  void refusesADiscoveryDocumentNamingAnotherIssuer() {
    issuer.reportIssuerInDiscovery("https://evil.example/");
    AccessTokenVerifier verifier = discoveringVerifier(issuer.issuer());

    assertThatThrownBy(verifier::warmUp)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE);
          assertThat(e.getMessage()).contains("https://evil.example/").doesNotContain("trailing slash");
        });
    assertThat(issuer.jwksRequestCount()).isZero();
  }

  @Test
  void refusesADiscoveredJwksUriThatIsNotHttps() {
    String issuerId = server.baseUrl().replace("localhost", "127.0.0.1") + "/";
    server.stubFor(get(urlEqualTo("/.well-known/openid-configuration"))
        .willReturn(okJson(metadata(issuerId, "http://keys.example.com/jwks"))));
    AccessTokenVerifier verifier = discoveringVerifier(issuerId);

    assertThatThrownBy(verifier::warmUp)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE);
          assertThat(e.getMessage()).contains("must use https", "http://keys.example.com/jwks");
        });
    assertThat(server.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount()).isEqualTo(1);
  }

  @Test
  void refusesADiscoveryDocumentWithoutJwksUri() {
    String issuerId = server.baseUrl().replace("localhost", "127.0.0.1") + "/";
    server.stubFor(get(urlEqualTo("/.well-known/openid-configuration"))
        .willReturn(okJson(JSONObjectUtils.toJSONString(Map.of("issuer", issuerId)))));
    AccessTokenVerifier verifier = discoveringVerifier(issuerId);

    assertThatThrownBy(verifier::warmUp).hasMessageContaining("has no jwks_uri");
  }
}
