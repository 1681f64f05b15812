package dev.tokenguard;

import static dev.tokenguard.AttackTokens.AUDIENCE;
import static dev.tokenguard.AttackTokens.HEADER;
import static dev.tokenguard.AttackTokens.KID;
import static dev.tokenguard.AttackTokens.b64;
import static dev.tokenguard.AttackTokens.payload;
import static dev.tokenguard.AttackTokens.quote;
import static dev.tokenguard.AttackTokens.reasonFor;
import static dev.tokenguard.TokenVerificationException.Reason.BAD_SIGNATURE;
import static dev.tokenguard.TokenVerificationException.Reason.KEYS_UNAVAILABLE;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.UNKNOWN_KEY;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_ALGORITHM;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_ISSUER;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.FakeIssuer.JwksFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Key-source attacks (SECURITY-RULES ): keys supplied in the token header, hostile
 * {@code kid} values, poisoned or misbehaving JWKS documents and discovery. The only key a token
 * may be verified with is one from the configured issuer's JWKS.
 */
class AttackKeySourceTest {
  private static final AttackTokens T = AttackTokens.create();
  private static final AccessTokenVerifier VERIFIER = T.verifierBuilder().build();
  private static final RSAKey ATTACKER = AttackTokens.rsa(2048, "attacker-1");

  /** A loopback listener standing in for an attacker's server; counts every request. */
  private static final AtomicInteger ATTACKER_REQUESTS = new AtomicInteger();
  private static final HttpServer ATTACKER_SERVER = attackerServer();

  @AfterAll
  static void stop() {
    ATTACKER_SERVER.stop(0);
  }

  //
  @Test
  void rejectsAnEmbeddedJwkHeaderWithTheAttackersKey() {
    String jwk = ATTACKER.toPublicJWK().toJSONString();
    String withAttackerKid = "{\"alg\":\"RS256\",\"kid\":\"attacker-1\",\"jwk\":" + jwk + "}";
    assertThat(reasonFor(VERIFIER, attackerSigned(withAttackerKid, payload()))).isEqualTo(UNKNOWN_KEY);
    String withOurKid = "{\"alg\":\"RS256\",\"kid\":\"" + KID + "\",\"jwk\":" + jwk + "}";
    assertThat(reasonFor(VERIFIER, attackerSigned(withOurKid, payload()))).isEqualTo(BAD_SIGNATURE);
    String withoutKid = "{\"alg\":\"RS256\",\"jwk\":" + jwk + "}";
    assertThat(reasonFor(VERIFIER, attackerSigned(withoutKid, payload()))).isEqualTo(BAD_SIGNATURE);
  }

  @Test
  void rejectsAnEmbeddedJwkCarryingAPrivateKey() {
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + KID + "\",\"jwk\":" + ATTACKER.toJSONString() + "}";
    assertThat(reasonFor(VERIFIER, attackerSigned(header, payload()))).isEqualTo(MALFORMED);
  }

  //
  @ParameterizedTest
  @ValueSource(strings = {"jku", "x5u"})
  void neverFetchesAJkuOrX5uHeader(String parameter) {
    int before = ATTACKER_REQUESTS.get();
    try (FakeIssuer issuer = FakeIssuer.builder().clock(AttackTokens.CLOCK).start()) {
      AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();
      String url = "http://127.0.0.1:" + ATTACKER_SERVER.getAddress().getPort() + "/jwks.json";
      String claims = payload("iss", quote(issuer.issuer()), "aud", quote(issuer.audience()));
      String attackerKid = "{\"alg\":\"RS256\",\"kid\":\"attacker-1\",\"" + parameter + "\":\"" + url + "\"}";
      assertThat(reasonFor(verifier, attackerSigned(attackerKid, claims))).isEqualTo(UNKNOWN_KEY);
      String issuerKid = "{\"alg\":\"RS256\",\"kid\":\"" + issuer.currentKeyId() + "\",\"" + parameter + "\":\"" + url + "\"}";
      assertThat(reasonFor(verifier, attackerSigned(issuerKid, claims))).isEqualTo(BAD_SIGNATURE);
      assertThat(issuer.jwksRequestCount()).as("keys come from the issuer's own JWKS").isPositive();
    }
    assertThat(ATTACKER_REQUESTS.get()).as("requests to the header's URL").isEqualTo(before);
  }

  //
  @Test
  void rejectsAnX5cHeaderWithASelfSignedAttackerCertificate(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("attacker.p12");
    Process keytool = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "attacker",
            "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + AUDIENCE.substring(8), "-validity", "2",
            "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("keytool.log").toFile())
        .start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(Files.readString(dir.resolve("keytool.log"))).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, "changeit".toCharArray());
    }
    X509Certificate certificate = (X509Certificate) store.getCertificate("attacker");
    PrivateKey privateKey = (PrivateKey) store.getKey("attacker", "changeit".toCharArray());
    String x5c = "[\"" + Base64.getEncoder().encodeToString(certificate.getEncoded()) + "\"]";
    String withOurKid = "{\"alg\":\"RS256\",\"kid\":\"" + KID + "\",\"x5c\":" + x5c + "}";
    assertThat(reasonFor(VERIFIER, AttackTokens.sign(privateKey, withOurKid.getBytes(UTF_8), payload().getBytes(UTF_8))))
        .isEqualTo(BAD_SIGNATURE);
    String withoutKid = "{\"alg\":\"RS256\",\"x5c\":" + x5c + "}";
    assertThat(reasonFor(VERIFIER, AttackTokens.sign(privateKey, withoutKid.getBytes(UTF_8), payload().getBytes(UTF_8))))
        .isEqualTo(BAD_SIGNATURE);
  }

  //
  @ParameterizedTest
  @ValueSource(strings = {"../../../../../../dev/null", "/dev/null", "/invalid_path", "x' UNION SELECT '1';--",
      "1 OR 1=1", "|sleep 10", "$(sleep 10)", "; rm -rf /", "${jndi:ldap://127.0.0.1/a}", "", " ", "\\u0000"})
  void rejectsKidPathSqlAndCommandInjection(String kid) {
    String hs256 = "{\"alg\":\"HS256\",\"kid\":\"" + kid + "\"}";
    for (byte[] secret : new byte[][] {new byte[0], "1".getBytes(UTF_8), new byte[32]}) {
      String token = secret.length == 0 ? b64(hs256) + "." + b64(payload()) + "." + b64(new byte[32]) : AttackTokens.hs256(hs256, payload(), secret);
      assertThat(reasonFor(VERIFIER, token)).isEqualTo(UNSUPPORTED_ALGORITHM);
    }
    String rs256 = "{\"alg\":\"RS256\",\"kid\":\"" + kid + "\"}";
    assertThat(reasonFor(VERIFIER, attackerSigned(rs256, payload()))).isEqualTo(UNKNOWN_KEY);
  }

  //
  @ParameterizedTest
  @ValueSource(strings = {"1", "true", "[\"trusted-1\"]", "{\"kid\":\"trusted-1\"}"})
  void rejectsAKidThatIsNotAString(String kid) {
    String header = "{\"alg\":\"RS256\",\"kid\":" + kid + "}";
    assertThat(reasonFor(VERIFIER, T.sign(header, payload()))).isEqualTo(MALFORMED);
  }

  @Test
  void rejectsAHugeKidWithoutTouchingTheJwksEndpoint() {
    try (FakeIssuer issuer = FakeIssuer.builder().clock(AttackTokens.CLOCK).start()) {
      AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();
      verifier.warmUp();
      int fetches = issuer.jwksRequestCount();
      String claims = payload("iss", quote(issuer.issuer()), "aud", quote(issuer.audience()));
      String header = "{\"alg\":\"RS256\",\"kid\":\"" + "k".repeat(10_000) + "\"}";
      TokenVerificationException e = AttackTokens.rejection(verifier, attackerSigned(header, claims));
      assertThat(e.reason()).isEqualTo(UNKNOWN_KEY);
      assertThat(e.getMessage()).hasSizeLessThan(300);
      assertThat(issuer.jwksRequestCount()).isEqualTo(fetches);
    }
  }

  //
  @Test
  void aFloodOfUnknownKidsCausesAtMostOneJwksRefetch() {
    try (FakeIssuer issuer = FakeIssuer.builder().clock(AttackTokens.CLOCK).start()) {
      AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();
      verifier.warmUp();
      int fetches = issuer.jwksRequestCount();
      String claims = payload("iss", quote(issuer.issuer()), "aud", quote(issuer.audience()));
      for (int i = 0; i < 200; i++) {
        String header = "{\"alg\":\"RS256\",\"kid\":\"random-" + i + "\"}";
        assertThat(reasonFor(verifier, attackerSigned(header, claims))).isEqualTo(UNKNOWN_KEY);
      }
      assertThat(issuer.jwksRequestCount() - fetches).isLessThanOrEqualTo(1);
    }
  }

  // a misbehaving JWKS endpoint fails closed (503, never an accepted token)
  @ParameterizedTest
  @ValueSource(strings = {"OVERSIZED", "SLOW", "MALFORMED", "REDIRECT", "EMPTY", "HTTP_500"})
  void aMisbehavingJwksEndpointFailsClosedInBoundedTime(String failure) {
    try (FakeIssuer issuer = FakeIssuer.builder().clock(AttackTokens.CLOCK).start()) {
      issuer.failJwks(JwksFailure.valueOf(failure));
      AccessTokenVerifier verifier = issuer.httpVerifierBuilder()
          .httpTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500))
          .jwksLimits(64 * 1024, 100)
          .build();
      String token = issuer.accessToken().sign();
      // SLOW holds the request until the issuer closes, so an answer at all proves the time bound.
      TokenVerificationException e = AttackTokens.rejection(verifier, token);
      assertThat(e.reason()).isEqualTo(KEYS_UNAVAILABLE);
      assertThat(e.httpStatus()).isEqualTo(503);
    }
  }

  //
  @Test
  void ignoresAnOctKeyPublishedUnderTheTrustedKid() {
    byte[] secret = new byte[32];
    String oct = "{\"kty\":\"oct\",\"kid\":\"" + KID + "\",\"k\":\"" + b64(secret) + "\"}";
    String octOnly = "{\"kty\":\"oct\",\"kid\":\"hmac-1\",\"k\":\"" + b64(secret) + "\"}";
    AccessTokenVerifier verifier = T.verifierBuilder()
        .jwks("{\"keys\":[" + oct + "," + octOnly + "," + T.key.toPublicJWK().toJSONString() + "]}")
        .build();
    for (String kid : new String[] {KID, "hmac-1"}) {
      String header = "{\"alg\":\"HS256\",\"kid\":\"" + kid + "\"}";
      assertThat(reasonFor(verifier, AttackTokens.hs256(header, payload(), secret))).isEqualTo(UNSUPPORTED_ALGORITHM);
    }
    assertThat(reasonFor(verifier, attackerSigned("{\"alg\":\"RS256\",\"kid\":\"hmac-1\"}", payload()))).isEqualTo(UNKNOWN_KEY);
    // The refused oct key does not take the RSA key's kid away from it.
    assertThat(verifier.verify(T.sign(HEADER, payload())).subject()).isEqualTo("user-1");
  }

  @Test
  void refusesAJwksKeyThatPublishesItsPrivateParts() {
    String leaked = "{\"keys\":[" + T.key.toJSONString() + "]}";
    assertThatThrownBy(() -> T.verifierBuilder().jwks(leaked).build()).isInstanceOf(IllegalStateException.class);
    String leakedAndOther = "{\"keys\":[" + T.key.toJSONString() + "," + ATTACKER.toPublicJWK().toJSONString() + "]}";
    AccessTokenVerifier verifier = T.verifierBuilder().jwks(leakedAndOther).build();
    assertThat(reasonFor(verifier, T.sign(HEADER, payload()))).isEqualTo(UNKNOWN_KEY);
  }

  @Test
  void aKidNamingSeveralIssuerKeysAdmitsOnlyThoseKeys() {
    // RFC 7517 4.5 allows several keys under one kid; each is tried, but only the issuer's own.
    RSAKey twin = AttackTokens.rsa(2048, KID);
    String jwks = "{\"keys\":[" + T.key.toPublicJWK().toJSONString() + "," + twin.toPublicJWK().toJSONString() + ","
        + ATTACKER.toPublicJWK().toJSONString() + "]}";
    AccessTokenVerifier verifier = T.verifierBuilder().jwks(jwks).build();
    assertThat(verifier.verify(T.sign(HEADER, payload())).subject()).isEqualTo("user-1");
    assertThat(verifier.verify(AttackTokens.sign(twin, HEADER.getBytes(UTF_8), payload().getBytes(UTF_8))).subject()).isEqualTo("user-1");
    assertThat(reasonFor(verifier, attackerSigned(HEADER, payload()))).isEqualTo(BAD_SIGNATURE);
  }

  @Test
  void refusesAKidNamingMoreDifferentKeysThanAreTried() {
    StringBuilder jwks = new StringBuilder("{\"keys\":[").append(T.key.toPublicJWK().toJSONString());
    for (int i = 1; i < KeySet.MAX_CANDIDATES + 1; i++) {
      jwks.append(',').append(AttackTokens.rsa(2048, KID).toPublicJWK().toJSONString());
    }
    AccessTokenVerifier verifier = T.verifierBuilder().jwks(jwks.append("]}").toString()).build();
    // Even the issuer's own key: a forged token must not cost more than MAX_CANDIDATES checks.
    assertThat(reasonFor(verifier, T.sign(HEADER, payload()))).isEqualTo(UNKNOWN_KEY);
    assertThat(reasonFor(verifier, attackerSigned(HEADER, payload()))).isEqualTo(UNKNOWN_KEY);
  }

  //
  @Test
  void neverContactsAnIssuerNamedOnlyByTheToken() {
    int before = ATTACKER_REQUESTS.get();
    try (FakeIssuer issuer = FakeIssuer.builder().clock(AttackTokens.CLOCK).start()) {
      AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();
      String attackerIssuer = "http://127.0.0.1:" + ATTACKER_SERVER.getAddress().getPort() + "/";
      String claims = payload("iss", quote(attackerIssuer), "aud", quote(issuer.audience()));
      assertThat(reasonFor(verifier, attackerSigned("{\"alg\":\"RS256\",\"kid\":\"attacker-1\"}", claims))).isEqualTo(WRONG_ISSUER);
    }
    assertThat(ATTACKER_REQUESTS.get()).isEqualTo(before);
  }

  //
  @Test
  void refusesADiscoveryDocumentNamingAnotherIssuer() {
    try (FakeIssuer issuer = FakeIssuer.builder().clock(AttackTokens.CLOCK).start()) {
      issuer.reportIssuerInDiscovery(issuer.issuer().substring(0, issuer.issuer().length() - 1));
      AccessTokenVerifier verifier = AccessTokenVerifier.builder().issuer(issuer.issuer()).audience(issuer.audience())
          .clock(AttackTokens.CLOCK).build();
      assertThat(reasonFor(verifier, issuer.accessToken().sign())).isEqualTo(KEYS_UNAVAILABLE);
      assertThat(issuer.discoveryRequestCount()).isPositive();
      assertThat(issuer.jwksRequestCount()).isZero();
    }
  }

  //
  @Test
  void rejectsATokenWithoutKidWhenSeveralKeysArePublished() {
    try (FakeIssuer issuer = FakeIssuer.builder().clock(AttackTokens.CLOCK).start()) {
      assertThat(issuer.verifierBuilder().build().verify(issuer.accessToken().withoutKeyId().sign()).subject()).isNotEmpty();
      issuer.rotateKey();
      AccessTokenVerifier verifier = issuer.verifierBuilder().build();
      assertThat(reasonFor(verifier, issuer.accessToken().withoutKeyId().sign())).isEqualTo(UNKNOWN_KEY);
      assertThat(verifier.verify(issuer.accessToken().sign()).subject()).isNotEmpty();
    }
  }

  private static String attackerSigned(String header, String payload) {
    return AttackTokens.sign(ATTACKER, header.getBytes(UTF_8), payload.getBytes(UTF_8));
  }

  private static HttpServer attackerServer() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      byte[] jwks = ("{\"keys\":[" + ATTACKER.toPublicJWK().toJSONString() + "]}").getBytes(UTF_8);
      server.createContext("/", exchange -> {
        ATTACKER_REQUESTS.incrementAndGet();
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, jwks.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(jwks);
        }
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
