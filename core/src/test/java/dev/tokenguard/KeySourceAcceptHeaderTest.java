package dev.tokenguard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code Accept} header of key-source requests: a JWKS request names the registered {@code
 * application/jwk-set+json} (RFC 7517 8.5.1) and plain JSON, so an endpoint that serves only the
 * registered type works; discovery asks for {@code application/json} (RFC 8414 3.2).
 */
class KeySourceAcceptHeaderTest {
  private static final String JWK_SET_JSON = "application/jwk-set+json";

  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
  private final WireMockServer server =
      new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));

  @BeforeEach
  void start() {
    server.start();
    // The JWKS endpoint serves the registered type only, as content negotiation demands.
    server.stubFor(get(urlEqualTo("/jwks")).atPriority(1)
        .withHeader("Accept", containing(JWK_SET_JSON))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", JWK_SET_JSON).withBody(issuer.jwks())));
    server.stubFor(get(urlEqualTo("/jwks")).atPriority(2).willReturn(aResponse().withStatus(406)));
  }

  @AfterEach
  void stop() {
    server.stop();
    issuer.close();
  }

  private String base() {
    return server.baseUrl().replace("localhost", "127.0.0.1");
  }

  private AccessTokenVerifier.Builder builder(String issuerId) {
    AccessTokenVerifier.Builder builder =
        AccessTokenVerifier.builder().issuer(issuerId).audience(issuer.audience()).clock(clock);
    builder.keyFetchExecutor(Runnable::run);
    return builder;
  }

  @Test
  void aJwksEndpointServingOnlyTheJwkSetMediaTypeWorks() {
    AccessTokenVerifier verifier = builder(issuer.issuer()).jwksUri(URI.create(base() + "/jwks")).build();

    assertThat(verifier.verify(issuer.accessToken().sign()).subject()).isNotBlank();
    server.verify(1, getRequestedFor(urlEqualTo("/jwks"))
        .withHeader("Accept", equalTo("application/jwk-set+json, application/json")));
  }

  @Test
  void discoveryAsksForJsonAndTheDiscoveredJwksForTheJwkSetType() {
    String issuerId = base() + "/";
    server.stubFor(get(urlEqualTo("/.well-known/openid-configuration"))
        .willReturn(okJson(JSONObjectUtils.toJSONString(Map.of("issuer", issuerId, "jwks_uri", base() + "/jwks")))));
    AccessTokenVerifier verifier = builder(issuerId).build();

    assertThat(verifier.verify(issuer.accessToken().issuer(issuerId).sign()).subject()).isNotBlank();
    server.verify(1, getRequestedFor(urlEqualTo("/.well-known/openid-configuration"))
        .withHeader("Accept", equalTo("application/json")));
    server.verify(1, getRequestedFor(urlEqualTo("/jwks"))
        .withHeader("Accept", equalTo("application/jwk-set+json, application/json")));
  }
}
