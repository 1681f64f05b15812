package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestKey;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Certificate-bound access tokens (RFC 8705 section 3) over real mutual TLS: embedded Jetty 12
 * asks for a client certificate (want, not need, so a request without one reaches the filter) on
 * an HTTPS connector and also listens on plain HTTP; the filter reads the certificate from the
 * request attribute {@code jakarta.servlet.request.X509Certificate} that Jetty fills from the
 * handshake. Clients are JDK {@link HttpClient}s with their own key material ({@link
 * TestKey#keyStore}) and a trust manager pinned to the server's certificate. The TLS layer trusts
 * both client certificates (as a self-signed-certificate deployment, RFC 8705 section 2.2, lets
 * any registered certificate through), so a refusal is the filter's and not the handshake's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MutualTlsFilterTest {
  private static final char[] PASSWORD = "changeit".toCharArray();
  private static final String PATIENTS = "/api/patients";

  private final TestKey serverKey = TestKey.ecP256();
  private final TestKey client = TestKey.ecP256();
  private final TestKey otherClient = TestKey.rsa(2048);
  private FakeIssuer issuer;
  private AccessTokenVerifier verifier;
  private Server server;
  private int httpsPort;
  private int httpPort;
  private String bound;

  @BeforeAll
  void start() throws Exception {
    issuer = FakeIssuer.start();
    verifier = issuer.verifierBuilder().build();
    BearerTokenFilter filter = BearerTokenFilter.builder(verifier).realm("health-api").requireScopes(PATIENTS, "read:patients").build();

    SslContextFactory.Server tls = new SslContextFactory.Server();
    tls.setKeyStore(serverKey.keyStore(PASSWORD));
    tls.setKeyStorePassword(new String(PASSWORD));
    tls.setTrustStore(trustStore(client.certificate(), otherClient.certificate()));
    tls.setWantClientAuth(true);

    server = new Server();
    HttpConfiguration httpsConfig = new HttpConfiguration();
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false); // clients call 127.0.0.1, which the test certificate does not name
    httpsConfig.addCustomizer(secure);
    ServerConnector https = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(httpsConfig));
    https.setHost("127.0.0.1");
    https.setPort(0);
    ServerConnector http = new ServerConnector(server, new HttpConnectionFactory(new HttpConfiguration()));
    http.setHost("127.0.0.1");
    http.setPort(0);
    server.addConnector(https);
    server.addConnector(http);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new TestServer.EchoServlet()), "/*");
    server.setHandler(context);
    server.start();
    httpsPort = https.getLocalPort();
    httpPort = http.getLocalPort();
    bound = issuer.accessToken().certificateBound(client.certificate()).subject("alice").scopes("read:patients").sign();
  }

  @AfterAll
  void stop() throws Exception {
    server.stop();
    verifier.close();
    issuer.close();
  }

  @Test
  void aTokenBoundToTheClientCertificateIsAccepted() {
    HttpResponse<String> r = get(https(client), "https", httpsPort, "Authorization", "Bearer " + bound);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).contains("principal=alice\n", "authType=Bearer\n", "role:read:patients=true\n");
  }

  @Test
  void anotherClientCertificateIsAnInvalidToken() {
    assertInvalidToken(get(https(otherClient), "https", httpsPort, "Authorization", "Bearer " + bound));
    String otherBound = issuer.accessToken().certificateBound(otherClient.certificate()).scopes("read:patients").sign();
    assertThat(get(https(otherClient), "https", httpsPort, "Authorization", "Bearer " + otherBound).statusCode())
        .as("control: the other client with its own token").isEqualTo(200);
  }

  @Test
  void noClientCertificateIsAnInvalidToken() {
    assertInvalidToken(get(https(null), "https", httpsPort, "Authorization", "Bearer " + bound));
    assertThat(get(https(null), "https", httpsPort, "Authorization", "Bearer " + issuer.accessToken().scopes("read:patients").sign())
        .statusCode()).as("control: an unbound token needs no certificate").isEqualTo(200);
  }

  /** Plain HTTP has no handshake: no header a client can write stands in for the certificate. */
  @Test
  void overPlainHttpACertificateBoundTokenIsAnInvalidToken() throws Exception {
    HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    assertInvalidToken(get(plain, "http", httpPort, "Authorization", "Bearer " + bound));
    String pem = "-----BEGIN CERTIFICATE-----" + Base64.getEncoder().encodeToString(client.certificate().getEncoded())
        + "-----END CERTIFICATE-----";
    assertInvalidToken(get(plain, "http", httpPort, "Authorization", "Bearer " + bound,
        "X-Client-Cert", pem, "X-SSL-Client-Cert", pem, "SSL_CLIENT_CERT", pem, "X-Forwarded-Client-Cert", "Cert=\"" + pem + "\""));
    assertThat(get(plain, "http", httpPort, "Authorization", "Bearer " + issuer.accessToken().scopes("read:patients").sign())
        .statusCode()).as("control: plain HTTP serves unbound tokens").isEqualTo(200);
  }

  private static void assertInvalidToken(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate")).singleElement().asString()
        .startsWith("Bearer realm=\"health-api\", error=\"invalid_token\", error_description=\"");
    assertThat(r.body()).startsWith("{\"error\":\"invalid_token\"");
  }

  private static HttpResponse<String> get(HttpClient client, String scheme, int port, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + PATIENTS)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An HTTPS client presenting {@code key}'s certificate (none when null), trusting only the server's certificate. */
  private HttpClient https(TestKey key) {
    try {
      KeyManager[] keys = new KeyManager[0];
      if (key != null) {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(key.keyStore(PASSWORD), PASSWORD);
        keys = factory.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, new TrustManager[] {new PinnedServer(serverKey.certificate())}, null);
      return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).sslContext(context).build();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyStore trustStore(X509Certificate... certificates) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, PASSWORD);
    for (int i = 0; i < certificates.length; i++) {
      store.setCertificateEntry("client-" + i, certificates[i]);
    }
    return store;
  }

  /**
   * Trusts exactly one server certificate. An extended trust manager, so the JDK adds no host name
   * check: the pinned certificate is a stronger check than the name the test certificate lacks.
   */
  private static final class PinnedServer extends X509ExtendedTrustManager {
    private final X509Certificate pinned;

    PinnedServer(X509Certificate pinned) {
      this.pinned = pinned;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
      if (chain == null || chain.length == 0 || !chain[0].equals(pinned)) {
        throw new CertificateException("not the test server's certificate");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("a client trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      throw new CertificateException("a client trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      throw new CertificateException("a client trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
