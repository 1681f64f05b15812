package dev.tokenguard;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.tokenguard.KeySourceRotationTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.sun.net.httpserver.HttpServer;
import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.FakeIssuer.JwksFailure;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bounded everything: timeouts, body size, key count, no redirects, no header-supplied key URLs, https only. */
class KeySourceLimitsTest {
  private final FakeIssuer issuer = FakeIssuer.start();
  private final WireMockServer server =
      new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
  private final WireMockServer elsewhere =
      new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));

  @BeforeEach
  void start() {
    server.start();
    elsewhere.start();
  }

  @AfterEach
  void stop() {
    server.stop();
    elsewhere.stop();
    issuer.close();
  }

  private URI jwksUri(WireMockServer on) {
    return URI.create("http://127.0.0.1:" + on.port() + "/jwks");
  }

  private AccessTokenVerifier.Builder verifierBuilder(URI jwksUri) {
    AccessTokenVerifier.Builder builder =
        AccessTokenVerifier.builder().issuer(issuer.issuer()).audience(issuer.audience()).jwksUri(jwksUri);
    builder.keyFetchExecutor(Runnable::run);
    return builder;
  }

  private static int requests(WireMockServer on) {
    return on.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount();
  }

  private static void assertWarmUpFails(AccessTokenVerifier verifier, String... messageParts) {
    assertThatThrownBy(verifier::warmUp)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE);
          assertThat(e.getMessage()).contains(messageParts);
        });
  }

  @Test
  void theDefaultsAreTwoSecondsToConnectFiveSecondsPerFetch256KibAnd100Keys() {
    assertThat(KeyFetchSettings.DEFAULT_CONNECT_TIMEOUT).isEqualTo(Duration.ofSeconds(2));
    assertThat(KeyFetchSettings.DEFAULT_READ_TIMEOUT).isEqualTo(Duration.ofSeconds(5));
    assertThat(KeyFetchSettings.DEFAULT_MAX_JWKS_BYTES).isEqualTo(256 * 1024);
    assertThat(KeyFetchSettings.DEFAULT_MAX_KEYS).isEqualTo(100);
    HttpClient client = HttpFetcher.defaultClient(KeyFetchSettings.DEFAULT_CONNECT_TIMEOUT);
    assertThat(client.connectTimeout()).contains(Duration.ofSeconds(2));
    assertThat(client.followRedirects()).isEqualTo(HttpClient.Redirect.NEVER);
  }

  @Test
  void aSlowJwksIsCutOffByTheFetchDeadline() {
    // The issuer holds every JWKS request unanswered until the test ends, so only the verifier's
    // own deadline can end the warm-up: no stopwatch needed, however slow the machine.
    issuer.failJwks(JwksFailure.SLOW);
    AtomicInteger attempts = new AtomicInteger();
    AccessTokenVerifier.Builder builder = issuer.httpVerifierBuilder()
        .httpTimeouts(Duration.ofSeconds(1), Duration.ofMillis(700))
        .keySourceListener(event -> {
          if (event.type() == KeySourceEvent.Type.FETCH_STARTED) {
            attempts.incrementAndGet();
          }
        });
    builder.keyFetchExecutor(Runnable::run);
    AccessTokenVerifier verifier = builder.build();

    assertWarmUpFails(verifier, "timed out after 700 ms");

    assertThat(attempts.get()).as("one attempt and one retry, each cut off").isEqualTo(2);
    assertThat(verifier.keySourceHealth().get(0).lastSuccess()).isEmpty();
  }

  @Test
  void aJwksLargerThanTheLimitIsRefusedByItsContentLength() {
    server.stubFor(get(urlEqualTo("/jwks")).willReturn(okJson(issuer.jwks() + " ".repeat(2_000))));
    AccessTokenVerifier verifier = verifierBuilder(jwksUri(server)).jwksLimits(2_048, 100).build();

    assertWarmUpFails(verifier, "larger than 2048 bytes");
    assertThat(requests(server)).isEqualTo(1); // an oversized body is not worth a retry
  }

  @Test
  void aJwksLargerThanTheLimitIsRefusedWhileStreamingWithoutContentLength() throws Exception {
    HttpServer chunked = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    chunked.createContext("/jwks", exchange -> {
      exchange.sendResponseHeaders(200, 0); // chunked: no Content-Length
      try (OutputStream out = exchange.getResponseBody()) {
        byte[] block = " ".repeat(1024).getBytes(StandardCharsets.US_ASCII);
        out.write("{\"keys\":[]".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 1024; i++) { // 1 MiB
          out.write(block);
        }
        out.write('}');
      } catch (java.io.IOException expected) {
        // the client hung up once the limit was passed
      }
    });
    chunked.start();
    try {
      AccessTokenVerifier verifier =
          verifierBuilder(URI.create("http://127.0.0.1:" + chunked.getAddress().getPort() + "/jwks")).build();
      assertWarmUpFails(verifier, "larger than 262144 bytes");
    } finally {
      chunked.stop(0);
    }
  }

  @Test
  void aJwksWithMoreKeysThanTheLimitIsRefused() {
    issuer.rotateKey();
    issuer.rotateKey();
    server.stubFor(get(urlEqualTo("/jwks")).willReturn(okJson(issuer.jwks())));

    assertWarmUpFails(verifierBuilder(jwksUri(server)).jwksLimits(256 * 1024, 2).build(), "3 keys, more than 2");
    assertThatCode(verifierBuilder(jwksUri(server)).jwksLimits(256 * 1024, 3).build()::warmUp).doesNotThrowAnyException();
  }

  @Test
  void aRedirectIsNotFollowed() {
    server.stubFor(get(urlEqualTo("/jwks"))
        .willReturn(aResponse().withStatus(302).withHeader("Location", jwksUri(elsewhere).toString())));
    elsewhere.stubFor(get(urlEqualTo("/jwks")).willReturn(okJson(issuer.jwks())));

    assertWarmUpFails(verifierBuilder(jwksUri(server)).build(), "HTTP 302");
    assertThat(requests(server)).isEqualTo(1); // a 3xx is not worth a retry
    assertThat(requests(elsewhere)).isZero();
  }

  @Test
  void aCustomClientThatFollowsRedirectsIsRefused() {
    for (HttpClient.Redirect policy : new HttpClient.Redirect[] {HttpClient.Redirect.ALWAYS, HttpClient.Redirect.NORMAL}) {
      HttpClient following = HttpClient.newBuilder().followRedirects(policy).build();
      assertThatThrownBy(() -> verifierBuilder(jwksUri(server)).httpClient(following))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("follows redirects");
    }
    HttpClient never = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    assertThatCode(() -> verifierBuilder(jwksUri(server)).httpClient(never)).doesNotThrowAnyException();
  }

  @Test
  void keyUrlsInTheTokenHeaderAreNeverFetched() {
    elsewhere.stubFor(get(anyUrl()).willReturn(okJson("{\"keys\":[]}")));
    server.stubFor(get(urlEqualTo("/jwks")).willReturn(okJson(issuer.jwks())));
    AccessTokenVerifier verifier = verifierBuilder(jwksUri(server)).build();
    String forged = issuer.accessToken()
        .header("jku", elsewhere.baseUrl() + "/attacker-jwks")
        .header("x5u", elsewhere.baseUrl() + "/attacker-cert.pem")
        .signedWithUnknownKey()
        .sign();

    assertRejected(() -> verifier.verify(forged), Reason.UNKNOWN_KEY);
    assertThat(requests(elsewhere)).isZero();
  }

  @Test
  void issuerAndJwksUrisMustBeHttpsExceptOnLoopback() {
    AccessTokenVerifier.Builder builder = AccessTokenVerifier.builder();
    assertThatThrownBy(() -> builder.issuer("http://issuer.example/")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.jwksUri(URI.create("http://issuer.example/jwks"))).hasMessageContaining("https");
    assertThatThrownBy(() -> builder.jwksUri(URI.create("http://localhost.evil.example/jwks"))).hasMessageContaining("https");
    assertThatThrownBy(() -> builder.jwksUri(URI.create("http://keys.localhost/jwks"))).hasMessageContaining("https");
    assertThatThrownBy(() -> builder.jwksUri(URI.create("http://127.0.0.1.nip.io/jwks"))).hasMessageContaining("https");
    assertThatThrownBy(() -> builder.jwksUri(URI.create("ftp://issuer.example/jwks"))).hasMessageContaining("https");
    assertThatCode(() -> builder.jwksUri(URI.create("https://issuer.example/jwks"))).doesNotThrowAnyException();
    assertThatCode(() -> builder.jwksUri(URI.create("http://127.0.0.1:8080/jwks"))).doesNotThrowAnyException();
    assertThatCode(() -> builder.jwksUri(URI.create("http://[::1]:8080/jwks"))).doesNotThrowAnyException();
    assertThatCode(() -> builder.jwksUri(URI.create("http://localhost:8080/jwks"))).doesNotThrowAnyException();
  }

  @Test
  void fetchesGoThroughTheProxyOfACustomHttpClient() {
    // Nothing listens on the JWKS URI's port: only a client that uses the proxy can get the keys.
    server.stubFor(get(urlEqualTo("/jwks")).willReturn(okJson(issuer.jwks())));
    HttpClient proxied = HttpClient.newBuilder()
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", server.port())))
        .build();
    AccessTokenVerifier verifier = verifierBuilder(URI.create("http://127.0.0.1:9/jwks")).httpClient(proxied).build();

    assertThat(verifier.verify(issuer.accessToken().sign())).isNotNull();
    assertThat(server.countRequestsMatching(getRequestedFor(urlEqualTo("/jwks")).build()).getCount()).isEqualTo(1);
  }
}
