package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.DpopPolicy;
import dev.tokenguard.redis.RedisReplayStore;
import dev.tokenguard.servlet.TestServer.Container;
import dev.tokenguard.support.Http;
import dev.tokenguard.support.RedisServer;
import dev.tokenguard.testing.DpopProofBuilder;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every check of RFC 9449 sections 4.3 and 7 attacked over real HTTP through the filter, on
 * embedded Jetty 12 and Tomcat 11: one table of proofs the filter must refuse (each with the status,
 * the error and the challenge that carries it) and one of requests it must accept, which differ from
 * the attacks only in the attacked detail; server nonces (section 9) and the public URL, with the
 * filter configured by init parameters; a web application under a context path; and two instances
 * sharing one Redis replay store. Proofs come from the fixture's {@link DpopProofBuilder}; the
 * verifier's clock is a {@link TestClock} that stands still, so {@code iat} windows are exact.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(Container.class)
class DpopFilterAttackTest {
  /** What clients call the API: the base of every {@code htu}; the requests reach 127.0.0.1 instead. */
  static final String PUBLIC_URL = "https://api.example.test";
  static final String PATIENTS = "/api/patients";
  static final URI TARGET = URI.create(PUBLIC_URL + PATIENTS);
  static final String ALGS = "ES256 EdDSA PS256 RS256";

  private final Container container;

  DpopFilterAttackTest(Container container) {
    this.container = container;
  }

  /** One request: path (and query) on the server, then header name/value pairs (a name may repeat). */
  record Sent(String pathAndQuery, String... headers) {}

  /** The filter built in code over a verifier on a standing clock; accepts Bearer and DPoP. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class ProofsAndBindings {
    final TestClock clock = TestClock.startingNow();
    final TestKey holder = TestKey.ecP256();
    final TestKey rsaHolder = TestKey.rsa(2048);
    final TestKey edHolder = TestKey.ed25519();
    FakeIssuer issuer;
    TestServer server;
    String token;

    @BeforeAll
    void start() throws Exception {
      issuer = FakeIssuer.builder().clock(clock).start();
      server = TestServer.start(container, BearerTokenFilter.builder(issuer.verifierBuilder().build())
          .realm("health-api")
          .requireScopes(PATIENTS, "read:patients")
          .publicUrl(URI.create(PUBLIC_URL))
          .build());
      token = issuer.accessToken().dpopBound(holder).subject("alice").scopes("read:patients").sign();
    }

    @AfterAll
    void stop() {
      server.close();
      issuer.close();
    }

    /** A good proof for GET {@link #TARGET} with {@link #token}, to change one thing in. */
    DpopProofBuilder proof() {
      return issuer.dpopProof(holder, "GET", TARGET).accessToken(token);
    }

    Sent dpop(String proof) {
      return new Sent(PATIENTS, "Authorization", "DPoP " + token, "DPoP", proof);
    }

    /** A token bound to {@code key}, with its proof signed with {@code alg}. */
    Sent boundTo(TestKey key, String alg) {
      String bound = issuer.accessToken().dpopBound(key).subject("alice").scopes("read:patients").sign();
      String proof = issuer.dpopProof(key, "GET", TARGET).accessToken(bound).algorithm(alg).sign();
      return new Sent(PATIENTS, "Authorization", "DPoP " + bound, "DPoP", proof);
    }

    HttpResponse<String> send(Sent sent) {
      return Http.get(server.uri(sent.pathAndQuery()), sent.headers());
    }

    Stream<Arguments> accepted() {
      return Stream.of(
          accept("a good ES256 proof", () -> dpop(proof().sign())),
          accept("a PS256 proof by an RSA key", () -> boundTo(rsaHolder, "PS256")),
          accept("an RS256 proof by an RSA key", () -> boundTo(rsaHolder, "RS256")),
          accept("an EdDSA proof by an Ed25519 key", () -> boundTo(edHolder, "EdDSA")),
          accept("check 9: the request's query is not part of htu",
              () -> new Sent(PATIENTS + "?page=2&sort=name", "Authorization", "DPoP " + token, "DPoP", proof().sign())),
          accept("check 9: a query and fragment in htu are ignored",
              () -> dpop(proof().htu(PUBLIC_URL + PATIENTS + "?page=2#top").sign())),
          accept("check 9: scheme and host case and the default port are normalised",
              () -> dpop(proof().htu("HTTPS://API.Example.TEST:443" + PATIENTS).sign())),
          accept("check 9: a percent-encoded unreserved character in htu is decoded",
              () -> dpop(proof().htu(PUBLIC_URL + "/api/%70atients").sign())),
          accept("check 9: the request target as sent, percent-encoded, is normalised",
              () -> new Sent("/api/pat%69ents", "Authorization", "DPoP " + token, "DPoP", proof().sign())),
          accept("check 11: iat 55 s ago", () -> dpop(proof().issuedAt(clock.instant().minusSeconds(55)).sign())),
          accept("check 11: iat 4 s ahead", () -> dpop(proof().issuedAt(clock.instant().plusSeconds(4)).sign())),
          accept("the DPoP scheme name in another case", () -> new Sent(PATIENTS, "Authorization", "dpop " + token, "DPoP", proof().sign())));
    }

    private Arguments accept(String name, Supplier<Sent> request) {
      return arguments(name, request);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void acceptsWhatDiffersFromAnAttackOnlyInTheAttackedDetail(String name, Supplier<Sent> request) {
      HttpResponse<String> r = send(request.get());
      assertThat(r.statusCode()).as("%s: %s", name, r.body()).isEqualTo(200);
      assertThat(r.body()).contains("authType=DPoP\n", "principal=alice\n", "role:read:patients=true\n");
      assertThat(r.headers().firstValue("DPoP-Nonce")).as("no nonces configured").isEmpty();
    }

    Stream<Arguments> refused() {
      TestKey stranger = TestKey.ecP256();
      return Stream.of(
          dpopError("check 1: no DPoP header with the DPoP scheme", "invalid_dpop_proof",
              () -> new Sent(PATIENTS, "Authorization", "DPoP " + token)),
          dpopError("check 1: two DPoP header lines", "invalid_dpop_proof",
              () -> new Sent(PATIENTS, "Authorization", "DPoP " + token, "DPoP", proof().sign(), "DPoP", proof().sign())),
          dpopError("check 1: two proofs folded into one line", "invalid_dpop_proof",
              () -> dpop(proof().sign() + ", " + proof().sign())),
          dpopError("check 2: not a JWT", "invalid_dpop_proof", () -> dpop("not-a-jwt")),
          dpopError("check 2: an empty DPoP header", "invalid_dpop_proof", () -> dpop("")),
          dpopError("check 3: no jti", "invalid_dpop_proof", () -> dpop(proof().withoutClaim("jti").sign())),
          dpopError("check 3: no htm", "invalid_dpop_proof", () -> dpop(proof().withoutClaim("htm").sign())),
          dpopError("check 3: no htu", "invalid_dpop_proof", () -> dpop(proof().withoutClaim("htu").sign())),
          dpopError("check 3: no iat", "invalid_dpop_proof", () -> dpop(proof().withoutClaim("iat").sign())),
          dpopError("check 3: no ath with an access token", "invalid_dpop_proof", () -> dpop(proof().withoutClaim("ath").sign())),
          dpopError("check 4: no typ", "invalid_dpop_proof", () -> dpop(proof().type(null).sign())),
          dpopError("check 4: typ JWT", "invalid_dpop_proof", () -> dpop(proof().type("JWT").sign())),
          dpopError("check 4: typ at+jwt", "invalid_dpop_proof", () -> dpop(proof().type("at+jwt").sign())),
          dpopError("check 5: alg none", "invalid_dpop_proof", () -> dpop(proof().algNone().sign())),
          dpopError("check 5: alg HS256", "invalid_dpop_proof", () -> dpop(proof().hs256().sign())),
          dpopError("check 6: a flipped signature bit", "invalid_dpop_proof", () -> dpop(proof().tamperedSignature().sign())),
          dpopError("check 6: jwk names the holder's key, another key signs", "invalid_dpop_proof",
              () -> dpop(issuer.dpopProof(stranger, "GET", TARGET).accessToken(token).jwkOf(holder).sign())),
          dpopError("check 6: no jwk", "invalid_dpop_proof", () -> dpop(proof().withoutJwk().sign())),
          dpopError("check 7: jwk holds the private key", "invalid_dpop_proof", () -> dpop(proof().withPrivateJwk().sign())),
          dpopError("check 8: htm POST on a GET", "invalid_dpop_proof", () -> dpop(proof().htm("POST").sign())),
          dpopError("check 8: htm in lower case", "invalid_dpop_proof", () -> dpop(proof().htm("get").sign())),
          dpopError("check 9: htu names another path", "invalid_dpop_proof", () -> dpop(proof().htu(PUBLIC_URL + "/api/admin").sign())),
          dpopError("check 9: htu names http instead of https", "invalid_dpop_proof",
              () -> dpop(proof().htu("http://api.example.test" + PATIENTS).sign())),
          dpopError("check 9: htu names another port", "invalid_dpop_proof",
              () -> dpop(proof().htu("https://api.example.test:8443" + PATIENTS).sign())),
          dpopError("check 9: htu names the address the request reached (Host), not the public URL", "invalid_dpop_proof",
              () -> dpop(proof().htu("http://127.0.0.1:" + server.port() + PATIENTS).sign())),
          dpopError("check 9: X-Forwarded-* and Forwarded are not trusted", "invalid_dpop_proof",
              () -> new Sent(PATIENTS, "Authorization", "DPoP " + token,
                  "DPoP", proof().htu("https://evil.example" + PATIENTS).sign(),
                  "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https", "Forwarded", "host=evil.example;proto=https")),
          dpopError("check 9: htu is a relative reference", "invalid_dpop_proof", () -> dpop(proof().htu(PATIENTS).sign())),
          dpopError("check 11: iat 61 s ago", "invalid_dpop_proof", () -> dpop(proof().issuedAt(clock.instant().minusSeconds(61)).sign())),
          dpopError("check 11: iat a minute ahead", "invalid_dpop_proof",
              () -> dpop(proof().issuedAt(clock.instant().plusSeconds(60)).sign())),
          dpopError("check 11: a replayed jti", "invalid_dpop_proof", () -> {
            Sent first = dpop(proof().sign());
            assertThat(send(first).statusCode()).as("the proof's first use").isEqualTo(200);
            return first;
          }),
          dpopError("check 11: a replayed jti in a proof signed again", "invalid_dpop_proof", () -> {
            DpopProofBuilder builder = proof();
            assertThat(send(dpop(builder.sign())).statusCode()).as("the proof's first use").isEqualTo(200);
            return dpop(builder.sign());
          }),
          dpopError("check 12: ath of another token", "invalid_dpop_proof",
              () -> dpop(proof().accessToken(issuer.accessToken().dpopBound(holder).sign()).sign())),
          dpopError("check 12: jwk names another key than cnf.jkt (the holder signs)", "invalid_token",
              () -> dpop(proof().jwkOf(stranger).sign())),
          dpopError("check 12: a whole proof by another key than cnf.jkt names", "invalid_token",
              () -> dpop(issuer.dpopProof(TestKey.ecP256(), "GET", TARGET).accessToken(token).sign())),
          dpopError("check 12: a token bound to another key, with a good proof by the holder", "invalid_token", () -> {
            String other = issuer.accessToken().dpopBound(stranger).scopes("read:patients").sign();
            return new Sent(PATIENTS, "Authorization", "DPoP " + other, "DPoP",
                issuer.dpopProof(holder, "GET", TARGET).accessToken(other).sign());
          }),
          dpopError("section 7.1: an unbound token with the DPoP scheme", "invalid_token", () -> {
            String unbound = issuer.accessToken().scopes("read:patients").sign();
            return new Sent(PATIENTS, "Authorization", "DPoP " + unbound, "DPoP",
                issuer.dpopProof(holder, "GET", TARGET).accessToken(unbound).sign());
          }),
          arguments("section 7.2: a DPoP-bound token sent as a bearer token", 401, "Bearer", "invalid_token",
              (Supplier<Sent>) () -> new Sent(PATIENTS, "Authorization", "Bearer " + token)),
          arguments("section 7.2: a DPoP-bound token sent as a bearer token with its proof", 400, "*", "invalid_request",
              (Supplier<Sent>) () -> new Sent(PATIENTS, "Authorization", "Bearer " + token, "DPoP", proof().sign())));
    }

    private Arguments dpopError(String name, String error, Supplier<Sent> request) {
      return arguments(name, 401, "DPoP", error, request);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refusesEveryBrokenProofAndBinding(String name, int status, String blamed, String error, Supplier<Sent> request) {
      Sent sent = request.get();
      HttpResponse<String> r = send(sent);
      assertThat(r.statusCode()).as("%s: %s", name, r.body()).isEqualTo(status);
      List<String> challenges = r.headers().allValues("WWW-Authenticate");
      assertThat(challenges).as(name).hasSize(2);
      challenges.forEach(Challenges::assertWellFormed);
      Map<String, String> bearer = Challenges.params(challenges.get(0));
      Map<String, String> dpop = Challenges.params(challenges.get(1));
      assertThat(challenges.get(0)).startsWith("Bearer realm=\"health-api\"");
      assertThat(challenges.get(1)).startsWith("DPoP realm=\"health-api\", algs=\"" + ALGS + "\"");
      // RFC 9449 section 7.2: the error goes on the challenge of the scheme used; both when that is ambiguous.
      if (!blamed.equals("Bearer")) {
        assertThat(dpop).as(name).containsEntry("error", error);
      }
      if (!blamed.equals("DPoP")) {
        assertThat(bearer).as(name).containsEntry("error", error);
      }
      if (!blamed.equals("*")) {
        assertThat(blamed.equals("DPoP") ? bearer : dpop).as("%s: the other scheme is not blamed", name).doesNotContainKey("error");
      }
      assertThat(r.body()).startsWith("{\"error\":\"" + error + "\",\"error_description\":\"");
      for (int i = 1; i < sent.headers().length; i += 2) {
        String credential = sent.headers()[i].replaceFirst("^(?i)(DPoP|Bearer) ", "");
        if (credential.length() > 20) {
          assertThat(r.body() + challenges).as("nothing the client sent is echoed")
              .doesNotContain(credential.substring(credential.length() - 20));
        }
      }
      assertThat(r.headers().firstValue("DPoP-Nonce")).isEmpty();
      assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
    }

    @Test
    void withoutCredentialsBothSchemesAreChallengedAndNeitherBlamed() {
      HttpResponse<String> r = Http.get(server.uri(PATIENTS));
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().allValues("WWW-Authenticate"))
          .containsExactly("Bearer realm=\"health-api\"", "DPoP realm=\"health-api\", algs=\"" + ALGS + "\"");
    }

    @Test
    void anUnboundTokenIsStillAcceptedAsABearerToken() {
      HttpResponse<String> r = Http.get(server.uri(PATIENTS), "Authorization", "Bearer " + issuer.accessToken().scopes("read:patients").sign());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("authType=Bearer\n");
    }
  }

  /**
   * The filter configured by init parameters only, as in web.xml: {@code public-url}, server
   * nonces from {@code dpop-nonce-secret} (read from a file), and a path that requires DPoP.
   */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class NoncesAndInitParameters {
    final TestKey holder = TestKey.ecP256();
    FakeIssuer issuer;
    TestServer server;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      Path secretFile = Files.writeString(dir.resolve("dpop-nonce-secret"), Base64.getEncoder().encodeToString(secret) + "\n",
          StandardCharsets.US_ASCII);
      issuer = FakeIssuer.start();
      Map<String, String> params = new LinkedHashMap<>();
      params.put("issuer", issuer.issuer());
      params.put("audience", issuer.audience());
      params.put("realm", "health-api");
      params.put("scope-rules", PATIENTS + "=read:patients; /api/transfers=write:transfers dpop=required");
      params.put("public-url", PUBLIC_URL);
      params.put("dpop-nonce-secret", "file:" + secretFile);
      server = TestServer.startWithInitParameters(container, params);
    }

    @AfterAll
    void stop() {
      server.close();
      issuer.close();
    }

    @Test
    void aProofWithoutTheNonceGetsUseDpopNonceAndTheNextProofWithItIsAccepted() {
      String token = issuer.accessToken().dpopBound(holder).scopes("read:patients").sign();
      HttpResponse<String> first = Http.get(server.uri(PATIENTS), "Authorization", "DPoP " + token,
          "DPoP", issuer.dpopProof(holder, "GET", TARGET).accessToken(token).sign());
      assertThat(first.statusCode()).isEqualTo(401);
      List<String> challenges = first.headers().allValues("WWW-Authenticate");
      assertThat(challenges).hasSize(2);
      assertThat(Challenges.params(challenges.get(0))).doesNotContainKey("error");
      assertThat(Challenges.params(challenges.get(1))).containsEntry("error", "use_dpop_nonce");
      assertThat(first.body()).startsWith("{\"error\":\"use_dpop_nonce\"");
      assertThat(first.headers().allValues("Cache-Control")).containsExactly("no-store");
      List<String> nonces = first.headers().allValues("DPoP-Nonce");
      assertThat(nonces).singleElement().asString().matches("[\\x21\\x23-\\x5b\\x5d-\\x7e]+"); // 1*NQCHAR, RFC 9449 section 8.1
      String nonce = nonces.get(0);

      HttpResponse<String> wrong = Http.get(server.uri(PATIENTS), "Authorization", "DPoP " + token,
          "DPoP", issuer.dpopProof(holder, "GET", TARGET).accessToken(token).nonce(nonce + "x").sign());
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(Challenges.params(wrong.headers().allValues("WWW-Authenticate").get(1))).containsEntry("error", "use_dpop_nonce");

      HttpResponse<String> retry = Http.get(server.uri(PATIENTS), "Authorization", "DPoP " + token,
          "DPoP", issuer.dpopProof(holder, "GET", TARGET).accessToken(token).nonce(nonce).sign());
      assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
      assertThat(retry.body()).contains("authType=DPoP\n");
      assertThat(retry.headers().allValues("DPoP-Nonce")).as("the nonce for the next proof").singleElement().isNotNull();
      assertThat(retry.headers().allValues("Cache-Control")).containsExactly("no-store");
    }

    @Test
    void aBearerRequestGetsNoNonce() {
      HttpResponse<String> r = Http.get(server.uri(PATIENTS), "Authorization", "Bearer " + issuer.accessToken().scopes("read:patients").sign());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("DPoP-Nonce")).isEmpty();
    }

    @Test
    void aPathRequiringDpopRefusesBearerTokensAndChallengesWithDpopAlone() {
      HttpResponse<String> none = Http.get(server.uri("/api/transfers"));
      assertThat(none.statusCode()).isEqualTo(401);
      // public-url with an audience that is an https URL also publishes metadata (ConfigurationReader), hence resource_metadata.
      assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly("DPoP realm=\"health-api\", algs=\"" + ALGS
          + "\", resource_metadata=\"" + PUBLIC_URL + "/.well-known/oauth-protected-resource\"");

      HttpResponse<String> bearer = Http.get(server.uri("/api/transfers"), "Authorization",
          "Bearer " + issuer.accessToken().scopes("write:transfers").sign());
      assertThat(bearer.statusCode()).isEqualTo(401);
      assertThat(bearer.headers().allValues("WWW-Authenticate")).singleElement().asString()
          .startsWith("DPoP realm=\"health-api\", algs=\"" + ALGS + "\", error=\"invalid_token\"");
    }
  }

  /** A web application under a context path: {@code htu} is the public URL (with the path) followed by the path within it. */
  @Nested
  class UnderAContextPath {
    @Test
    void theProofNamesThePublicUrlFollowedByThePathWithinTheApplication() throws Exception {
      TestClock clock = TestClock.startingNow();
      TestKey holder = TestKey.ecP256();
      try (FakeIssuer issuer = FakeIssuer.builder().clock(clock).start();
          TestServer server = TestServer.start(container, BearerTokenFilter.builder(issuer.verifierBuilder().build())
              .publicUrl(URI.create("https://gateway.example.test/health")).build(), "/app")) {
        String token = issuer.accessToken().dpopBound(holder).sign();
        URI target = URI.create("https://gateway.example.test/health/api/me");
        HttpResponse<String> ok = Http.get(server.uri("/app/api/me"), "Authorization", "DPoP " + token,
            "DPoP", issuer.dpopProof(holder, "GET", target).accessToken(token).sign());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        HttpResponse<String> withContext = Http.get(server.uri("/app/api/me"), "Authorization", "DPoP " + token,
            "DPoP", issuer.dpopProof(holder, "GET", URI.create("https://gateway.example.test/health/app/api/me")).accessToken(token).sign());
        assertThat(withContext.statusCode()).as("the container's context path is not the client's").isEqualTo(401);
      }
    }
  }

  /** Two instances of the API behind one public URL, sharing one Redis replay store (tokenguard-redis). */
  @Nested
  class TwoInstancesSharingRedis {
    @Test
    void aProofAcceptedByOneInstanceIsRefusedByTheOther() throws Exception {
      TestKey holder = TestKey.ecP256();
      try (RedisServer redis = RedisServer.start();
          FakeIssuer issuer = FakeIssuer.start();
          RedisReplayStore storeA = RedisReplayStore.create(redis.uri());
          RedisReplayStore storeB = RedisReplayStore.create(redis.uri());
          AccessTokenVerifier a = issuer.verifierBuilder().dpop(DpopPolicy.defaults().withReplayStore(storeA)).build();
          AccessTokenVerifier b = issuer.verifierBuilder().dpop(DpopPolicy.defaults().withReplayStore(storeB)).build();
          TestServer serverA = TestServer.start(container, BearerTokenFilter.builder(a).publicUrl(URI.create(PUBLIC_URL)).build());
          TestServer serverB = TestServer.start(container, BearerTokenFilter.builder(b).publicUrl(URI.create(PUBLIC_URL)).build())) {
        String token = issuer.accessToken().dpopBound(holder).sign();
        String proof = issuer.dpopProof(holder, "GET", TARGET).accessToken(token).sign();
        HttpResponse<String> first = Http.get(serverA.uri(PATIENTS), "Authorization", "DPoP " + token, "DPoP", proof);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        HttpResponse<String> replay = Http.get(serverB.uri(PATIENTS), "Authorization", "DPoP " + token, "DPoP", proof);
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(Challenges.params(replay.headers().allValues("WWW-Authenticate").get(1))).containsEntry("error", "invalid_dpop_proof");
        String fresh = issuer.dpopProof(holder, "GET", TARGET).accessToken(token).sign();
        assertThat(Http.get(serverB.uri(PATIENTS), "Authorization", "DPoP " + token, "DPoP", fresh).statusCode())
            .as("control: a fresh proof on the second instance").isEqualTo(200);
      }
    }
  }
}
