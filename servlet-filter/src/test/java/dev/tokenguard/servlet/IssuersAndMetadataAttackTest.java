package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.http.ProtectedResourceMetadata;
import dev.tokenguard.support.Http;
import dev.tokenguard.testing.FakeIssuer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 13's rules attacked over real HTTP through the filter: one verifier trusting two issuers
 * (a token of an untrusted issuer, a key of issuer A on a token naming issuer B), step-up, and the
 * metadata URL that no request header can move. Each refusal has a control the same server
 * accepts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IssuersAndMetadataAttackTest {
  private static final String AUDIENCE = "https://health-api.example.test";
  private static final String MFA = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";
  private static final String METADATA_URL = "http://127.0.0.1:1/.well-known/oauth-protected-resource";

  private final FakeIssuer a = FakeIssuer.builder().audience(AUDIENCE).start();
  private final FakeIssuer b = FakeIssuer.builder().audience(AUDIENCE).start();
  private final FakeIssuer stranger = FakeIssuer.builder().audience(AUDIENCE).start();
  private AccessTokenVerifier verifier;
  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    verifier = a.httpVerifierBuilder().trust(b.trustedIssuerBuilder().build()).build();
    server = TestServer.start(BearerTokenFilter.builder(verifier)
        .realm("health-api")
        .requireScopes("/api/patients", "read:patients")
        .require("/api/records", Requirement.allScopes("read:patients").withAcrValues(MFA).withMaxAge(Duration.ofSeconds(300)))
        .publishMetadata(ProtectedResourceMetadata.builder(AUDIENCE).authorizationServers(a.issuer(), b.issuer()).build())
        .publicUrl(java.net.URI.create("http://127.0.0.1:1"))
        .build());
  }

  @AfterAll
  void stop() {
    server.close();
    verifier.close();
    a.close();
    b.close();
    stranger.close();
  }

  private HttpResponse<String> get(String path, String token) {
    return Http.get(server.uri(path), "Authorization", "Bearer " + token);
  }

  private static void assertInvalidToken(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(401);
    List<String> challenges = r.headers().allValues("WWW-Authenticate");
    assertThat(challenges).hasSize(2);
    assertThat(challenges.get(0)).startsWith("Bearer realm=\"health-api\", error=\"invalid_token\", ")
        .endsWith(", resource_metadata=\"" + METADATA_URL + "\"");
    assertThat(challenges.get(1)).as("the DPoP challenge blames nothing: the token came as a bearer token")
        .isEqualTo("DPoP realm=\"health-api\", algs=\"ES256 EdDSA PS256 RS256\", resource_metadata=\"" + METADATA_URL + "\"");
  }

  @Test
  void tokensOfBothTrustedIssuersAreAccepted() {
    assertThat(get("/api/patients", a.accessToken().scopes("read:patients").sign()).statusCode()).isEqualTo(200);
    assertThat(get("/api/patients", b.accessToken().scopes("read:patients").sign()).statusCode()).isEqualTo(200);
  }

  @Test
  void aTokenOfAnUntrustedIssuerIsRefusedWithoutARequestToIt() {
    assertInvalidToken(get("/api/patients", stranger.accessToken().scopes("read:patients").sign()));
    assertThat(stranger.requestCount()).isZero();
  }

  @Test
  void aKeyOfIssuerANeverVerifiesATokenNamingIssuerB() {
    assertInvalidToken(get("/api/patients", a.accessToken().issuer(b.issuer()).scopes("read:patients").sign()));
    // The same, with B's own kid in the header: B's key is found and A's signature fails on it.
    assertInvalidToken(get("/api/patients", a.accessToken().issuer(b.issuer()).keyId(b.currentKeyId()).scopes("read:patients").sign()));
    assertThat(get("/api/patients", b.accessToken().scopes("read:patients").sign()).statusCode()).as("control").isEqualTo(200);
  }

  @Test
  void theMetadataListsBothIssuers() {
    HttpResponse<String> r = Http.get(server.uri("/.well-known/oauth-protected-resource"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"authorization_servers\":[\"" + a.issuer() + "\",\"" + b.issuer() + "\"]");
  }

  @Test
  void stepUpIsEnforcedForTokensOfEitherIssuer() {
    Instant now = Instant.now();
    for (FakeIssuer issuer : new FakeIssuer[] {a, b}) {
      String stale = issuer.accessToken().scopes("read:patients").acr(MFA).authTime(now.minusSeconds(3600)).sign();
      String wrongAcr = issuer.accessToken().scopes("read:patients").acr("urn:example:pwd").authTime(now).sign();
      String noAuthTime = issuer.accessToken().scopes("read:patients").acr(MFA).sign();
      String fresh = issuer.accessToken().scopes("read:patients").acr(MFA).authTime(now.minusSeconds(10)).sign();
      for (String token : new String[] {stale, wrongAcr, noAuthTime}) {
        HttpResponse<String> r = get("/api/records", token);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
            .contains("error=\"insufficient_user_authentication\"", "acr_values=\"" + MFA + "\"", "max_age=300")
            .endsWith(", resource_metadata=\"" + METADATA_URL + "\"");
      }
      assertThat(get("/api/records", fresh).statusCode()).as("control").isEqualTo(200);
    }
  }

  /** Sent byte for byte: HttpClient will not send a Host header of the caller's choosing. */
  @Test
  void theHostHeaderAndForwardingHeadersDoNotReachTheMetadataUrl() {
    String head = exchange("GET /api/patients HTTP/1.1", "Host: evil.example:666", "X-Forwarded-Host: evil.example",
        "X-Forwarded-Proto: http", "X-Forwarded-Port: 666", "Forwarded: host=evil.example;proto=http");
    assertThat(head).startsWith("HTTP/1.1 401").contains("resource_metadata=\"" + METADATA_URL + "\"").doesNotContain("evil");
  }

  @Test
  void headOfTheMetadataSendsItsLengthButNoBody() {
    String get = exchange("GET /.well-known/oauth-protected-resource HTTP/1.1", "Host: 127.0.0.1");
    String head = exchange("HEAD /.well-known/oauth-protected-resource HTTP/1.1", "Host: 127.0.0.1");
    String body = get.substring(get.indexOf("\r\n\r\n") + 4);
    assertThat(body).startsWith("{\"resource\":\"" + AUDIENCE + "\"");
    assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("Content-Length: " + body.length()).endsWith("\r\n\r\n");
  }

  /** One request on its own connection, closed after the answer; returns everything the server sent. */
  private String exchange(String... lines) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      socket.setSoTimeout(10_000);
      StringBuilder request = new StringBuilder();
      for (String line : lines) {
        request.append(line).append("\r\n");
      }
      request.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      in.transferTo(received);
      return received.toString(StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
