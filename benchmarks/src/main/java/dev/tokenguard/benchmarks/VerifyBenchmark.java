package dev.tokenguard.benchmarks;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.TrustedIssuer;
import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Cost of one access-token verification: the raw RSA floor, TokenGuard's paths, and the peers,
 * all on RS256 tokens minted by {@link FakeIssuer} with one RSA-2048 key. Every benchmark that
 * verifies a valid token cycles through the same pool of distinct tokens (differing in
 * {@code sub} and {@code jti}), so each call verifies another signature.
 *
 * <p>Run through {@link BenchmarkReport} (writes BENCHMARKS.md) or directly with
 * {@code java -jar benchmarks/target/benchmarks.jar}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VerifyBenchmark {
  /** The scope every benchmarked verification requires. */
  static final String SCOPE = "read:patients";
  /** System property naming a file the HTTP-keys benchmark appends its JWKS request counts to. */
  static final String REPORT_PROPERTY = "tokenguard.bench.notes";

  /** The issuer: one RSA-2048 key, a clock fixed at start-up (tokens expire a day later). */
  @State(Scope.Benchmark)
  public static class Issuer {
    FakeIssuer issuer;

    @Setup(Level.Trial)
    public void start() {
      issuer = FakeIssuer.builder().clock(Clock.fixed(Instant.now(), ZoneOffset.UTC)).start();
    }

    @TearDown(Level.Trial)
    public void stop() {
      issuer.close();
    }

    String mint(int i) {
      return issuer.accessToken()
          .subject("auth0|user-" + i)
          .claim("jti", "token-" + i + "-" + System.nanoTime())
          .scopes(SCOPE, "write:patients")
          .expiresIn(Duration.ofDays(1))
          .sign();
    }

    /**
     * A token of the second shape: what an Auth0 API gets with RBAC and a login action that adds
     * namespaced claims, about 1,500 characters. Its {@code aud} names the API and Auth0's
     * {@code /userinfo} (a token requested with {@code openid}), {@code scope} holds the OpenID
     * scopes and the API's, {@code permissions} the RBAC permissions, and five {@code
     * https://example.com/...} claims carry roles, profile and tenant data, one of them an object.
     */
    String mintAuth0Shape(int i) {
      Map<String, Object> appMetadata = new LinkedHashMap<>();
      appMetadata.put("plan", "enterprise");
      appMetadata.put("region", "eu-west-1");
      appMetadata.put("clinics", List.of("north", "south"));
      return issuer.accessToken()
          .subject("auth0|5f7c8ec7c33c6c004bba" + String.format("%04x", i))
          .audience(issuer.audience(), issuer.issuer() + "userinfo")
          .claim("jti", "token-" + i + "-" + System.nanoTime())
          .scopes("openid", "profile", "email", SCOPE, "write:patients")
          .permissions(SCOPE, "write:patients", "read:appointments", "write:appointments", "read:prescriptions",
              "write:prescriptions", "read:lab-results", "read:billing", "write:billing", "read:reports")
          .claim("https://example.com/roles", List.of("clinician", "scheduler", "billing-viewer"))
          .claim("https://example.com/email", "jane.doe@clinic.example.com")
          .claim("https://example.com/tenant", "acme-health-eu-west-1")
          .claim("https://example.com/org_id", "org_9Kd83JfLq2WmZx7A")
          .claim("https://example.com/app_metadata", appMetadata)
          .expiresIn(Duration.ofDays(1))
          .sign();
    }
  }

  /**
   * Distinct tokens, plus each one's signing input and decoded signature for the raw-JCA floor
   * (decoded once here: the floor is the RSA operation alone, over the same tokens' bytes).
   */
  public abstract static class TokenPool {
    String[] tokens;
    byte[][] signingInputs;
    byte[][] signatures;

    void fill(int size, IntFunction<String> mint) {
      tokens = new String[size];
      signingInputs = new byte[size][];
      signatures = new byte[size][];
      for (int i = 0; i < size; i++) {
        String token = mint.apply(i);
        int dot2 = token.lastIndexOf('.');
        tokens[i] = token;
        signingInputs[i] = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
        signatures[i] = Base64.getUrlDecoder().decode(token.substring(dot2 + 1));
      }
    }

    int size() {
      return tokens.length;
    }
  }

  /** The benchmark token (about 700 characters): distinct valid tokens, and the issuer's public key. */
  @State(Scope.Benchmark)
  public static class Pool extends TokenPool {
    @Param("1024")
    public int size;

    PublicKey publicKey;

    @Setup(Level.Trial)
    public void mint(Issuer issuer) throws ParseException, com.nimbusds.jose.JOSEException {
      fill(size, issuer::mint);
      JWK jwk = JWKSet.parse(issuer.issuer.jwks()).getKeys().get(0);
      publicKey = jwk.toRSAKey().toRSAPublicKey();
    }
  }

  /** The Auth0-shaped token of about 1,500 characters ({@link Issuer#mintAuth0Shape}), as many as {@link Pool}. */
  @State(Scope.Benchmark)
  public static class Auth0ShapePool extends TokenPool {
    @Setup(Level.Trial)
    public void mint(Issuer issuer, Pool pool) {
      fill(pool.size, issuer::mintAuth0Shape);
    }
  }

  /**
   * The benchmark pool's tokens, each with one bit of its signature flipped: forged tokens whose
   * header and claims pass every check, so each one costs the verifier an RSA operation, like an
   * acceptance. The same bytes as the valid pool but one, so the two compare like for like.
   */
  @State(Scope.Benchmark)
  public static class ForgedPool extends TokenPool {
    @Setup(Level.Trial)
    public void forge(Pool pool) {
      fill(pool.size, i -> {
        String token = pool.tokens[i];
        int dot2 = token.lastIndexOf('.');
        byte[] signature = Base64.getUrlDecoder().decode(token.substring(dot2 + 1));
        signature[signature.length / 2] ^= 0x01;
        return token.substring(0, dot2 + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
      });
    }
  }

  /** Each thread's position in the pool. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    int next(int size) {
      int i = next;
      next = i + 1 == size ? 0 : i + 1;
      return i;
    }
  }

  /**
   * Bytes the subject's thread allocates per call, from the JVM's per-thread allocation counter
   * (the counter {@code -prof gc} sums over all threads, which here would mix in the floor's
   * thread). Measurement iterations only; written to the notes file at the end of the trial.
   */
  @State(Scope.Thread)
  public static class Allocation {
    long calls;
    long bytes;
    long measuredCalls;
    private long startBytes;
    private long startCalls;
    private boolean measuring;

    @Setup(Level.Iteration)
    public void begin(IterationParams iteration) {
      measuring = iteration.getType() == IterationType.MEASUREMENT;
      startCalls = calls;
      startBytes = allocatedBytes();
    }

    @TearDown(Level.Iteration)
    public void end() {
      if (measuring) {
        bytes += allocatedBytes() - startBytes;
        measuredCalls += calls - startCalls;
      }
    }

    @TearDown(Level.Trial)
    public void report(BenchmarkParams params) {
      if (measuredCalls > 0) {
        String name = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        note("alloc " + name + " threads=" + params.getThreads() + " bytesPerOp=" + (bytes / measuredCalls));
      }
    }

    private static long allocatedBytes() {
      return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
  }

  /** Appends one line to the notes file the report reads, if one was named. */
  static void note(String line) {
    System.out.println(line);
    String file = System.getProperty(REPORT_PROPERTY);
    if (file != null) {
      try {
        Files.writeString(Path.of(file), line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A {@link Signature} per thread, initialised once: the leanest possible use of the JCA. */
  @State(Scope.Thread)
  public static class JdkFloor {
    Signature signature;

    @Setup(Level.Trial)
    public void init(Pool pool) throws GeneralSecurityException {
      signature = Signature.getInstance("SHA256withRSA");
      signature.initVerify(pool.publicKey);
    }
  }

  /** The same floor through Amazon Corretto Crypto Provider (OpenSSL-derived native code). */
  @State(Scope.Thread)
  public static class AccpFloor {
    Signature signature;

    @Setup(Level.Trial)
    public void init(Pool pool) throws GeneralSecurityException {
      signature = Signature.getInstance("SHA256withRSA", accp());
      signature.initVerify(pool.publicKey);
    }
  }

  /**
   * TokenGuard with its verified-token cache off: every call is a full verification, as for a
   * token seen for the first time. (With the cache on, a pool this size would be served from the
   * cache after its first lap, measuring hits instead.)
   */
  @State(Scope.Benchmark)
  public static class TokenGuardUnique {
    AccessTokenVerifier verifier;

    @Setup(Level.Trial)
    public void build(Issuer issuer) {
      verifier = issuer.issuer.verifierBuilder().verifiedTokenCacheSize(0).build();
    }
  }

  /**
   * As {@link TokenGuardUnique}, but the verifier trusts two more issuers (fixed JWKS documents):
   * routing a token by its {@code iss} is a map lookup instead of the single-issuer verifier's one
   * {@code equals}. Its ratio next to {@code tokenGuardUnique} is the cost of several issuers.
   */
  @State(Scope.Benchmark)
  public static class TokenGuardThreeIssuers {
    AccessTokenVerifier verifier;
    FakeIssuer second;
    FakeIssuer third;

    @Setup(Level.Trial)
    public void build(Issuer issuer) {
      second = FakeIssuer.start();
      third = FakeIssuer.start();
      verifier = issuer.issuer.verifierBuilder().verifiedTokenCacheSize(0)
          .trust(TrustedIssuer.builder(second.issuer()).jwks(second.jwks()).build(),
              TrustedIssuer.builder(third.issuer()).jwks(third.jwks()).build())
          .build();
    }

    @TearDown(Level.Trial)
    public void stop() {
      second.close();
      third.close();
    }
  }

  /** As {@link TokenGuardUnique}, with signatures checked by Amazon Corretto Crypto Provider. */
  @State(Scope.Benchmark)
  public static class TokenGuardUniqueAccp {
    AccessTokenVerifier verifier;

    @Setup(Level.Trial)
    public void build(Issuer issuer) {
      verifier = issuer.issuer.verifierBuilder().verifiedTokenCacheSize(0).signatureProvider(accp()).build();
    }
  }

  /**
   * As {@link TokenGuardUnique}, but the keys come from the issuer's JWKS endpoint over HTTP,
   * loaded once by {@code warmUp()}. Records the issuer's JWKS request count before and after the
   * run: in the steady state a verification never fetches.
   */
  @State(Scope.Benchmark)
  public static class TokenGuardHttpKeys {
    AccessTokenVerifier verifier;
    FakeIssuer issuer;
    int requestsAfterWarmUp;

    @Setup(Level.Trial)
    public void build(Issuer issuer) {
      this.issuer = issuer.issuer;
      verifier = issuer.issuer.httpVerifierBuilder().verifiedTokenCacheSize(0).build();
      verifier.warmUp();
      requestsAfterWarmUp = issuer.issuer.jwksRequestCount();
    }

    @TearDown(Level.Trial)
    public void report(BenchmarkParams params) {
      note("jwksRequests subjectThreads=" + params.getThreads() / 2 + " afterWarmUp=" + requestsAfterWarmUp
          + " afterRun=" + issuer.jwksRequestCount());
    }
  }

  /** TokenGuard as configured by default (cache on), with a few tokens a client keeps reusing. */
  @State(Scope.Benchmark)
  public static class TokenGuardRepeated {
    AccessTokenVerifier verifier;
    String[] tokens;

    @Setup(Level.Trial)
    public void build(Issuer issuer) {
      verifier = issuer.issuer.verifierBuilder().build();
      tokens = new String[64];
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] = issuer.mint(i);
        verifier.verify(tokens[i], SCOPE);
      }
    }
  }

  /**
   * Tokens TokenGuard (default configuration) must refuse, one per main rejection path; forged
   * signatures come from {@link ForgedPool}, one different token per call.
   */
  @State(Scope.Benchmark)
  public static class Rejected {
    AccessTokenVerifier verifier;
    String expired;
    String unknownKid;
    String garbage;

    @Setup(Level.Trial)
    public void build(Issuer issuer) {
      FakeIssuer fake = issuer.issuer;
      verifier = fake.verifierBuilder().build();
      expired = fake.accessToken().scopes(SCOPE).expired().sign();
      unknownKid = fake.accessToken().scopes(SCOPE).signedWithUnknownKey().sign();
      byte[] noise = new byte[300];
      new SecureRandom().nextBytes(noise);
      String part = Base64.getUrlEncoder().withoutPadding().encodeToString(noise);
      garbage = part.substring(0, 40) + "." + part.substring(40, 160) + "." + part.substring(160);
    }
  }

  /** One peer verifier; which one is chosen by the benchmark method. */
  @State(Scope.Benchmark)
  public static class NimbusPeer {
    Peers.Verifier verifier;

    @Setup(Level.Trial)
    public void build(Issuer issuer) throws Exception {
      verifier = Peers.nimbus(issuer.issuer.jwks(), issuer.issuer.issuer(), issuer.issuer.audience(), SCOPE);
    }
  }

  /** Spring Security's {@code NimbusJwtDecoder}. */
  @State(Scope.Benchmark)
  public static class SpringPeer {
    Peers.Verifier verifier;

    @Setup(Level.Trial)
    public void build(Issuer issuer) throws Exception {
      verifier = Peers.spring(issuer.issuer.jwks(), issuer.issuer.issuer(), issuer.issuer.audience(), SCOPE);
    }
  }

  /** auth0 java-jwt with jwks-rsa. */
  @State(Scope.Benchmark)
  public static class Auth0Peer {
    Peers.Verifier verifier;

    @Setup(Level.Trial)
    public void build(Issuer issuer) throws Exception {
      verifier = Peers.auth0(issuer.issuer.jwks(), issuer.issuer.issuer(), issuer.issuer.audience(), SCOPE);
    }
  }

  /** jose4j. */
  @State(Scope.Benchmark)
  public static class Jose4jPeer {
    Peers.Verifier verifier;

    @Setup(Level.Trial)
    public void build(Issuer issuer) throws Exception {
      verifier = Peers.jose4j(issuer.issuer.jwks(), issuer.issuer.issuer(), issuer.issuer.audience(), SCOPE);
    }
  }

  static Provider accp() {
    AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
    return AmazonCorrettoCryptoProvider.INSTANCE;
  }

  // Every benchmark is a group of two threads sets running at the same time: the subject and the
  // raw-JCA floor. Both see the same background load, so their ratio holds on a busy machine where
  // two benchmarks run a minute apart would not be comparable. Threads per side: 1 or 2.

  static boolean floor(TokenPool pool, Cursor cursor, Signature signature) throws GeneralSecurityException {
    int i = cursor.next(pool.size());
    signature.update(pool.signingInputs[i]);
    return signature.verify(pool.signatures[i]);
  }

  // ---- the second floor: ACCP ----

  @Benchmark
  @Group("jcaFloorAccp")
  public boolean jcaFloorAccp(Pool pool, Cursor cursor, AccpFloor floor, Allocation alloc) throws GeneralSecurityException {
    alloc.calls++;
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("jcaFloorAccp")
  public boolean jcaFloorAccp_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  // ---- TokenGuard, valid tokens ----

  @Benchmark
  @Group("tokenGuardUnique")
  public AccessToken tokenGuardUnique(Pool pool, Cursor cursor, TokenGuardUnique tg, Allocation alloc) {
    alloc.calls++;
    return tg.verifier.verify(pool.tokens[cursor.next(pool.size)], SCOPE);
  }

  @Benchmark
  @Group("tokenGuardUnique")
  public boolean tokenGuardUnique_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("tokenGuardUniqueAuth0Shape")
  public AccessToken tokenGuardUniqueAuth0Shape(Auth0ShapePool pool, Cursor cursor, TokenGuardUnique tg, Allocation alloc) {
    alloc.calls++;
    return tg.verifier.verify(pool.tokens[cursor.next(pool.size())], SCOPE);
  }

  @Benchmark
  @Group("tokenGuardUniqueAuth0Shape")
  public boolean tokenGuardUniqueAuth0Shape_floor(Auth0ShapePool pool, Cursor cursor, JdkFloor floor)
      throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("tokenGuardThreeIssuers")
  public AccessToken tokenGuardThreeIssuers(Pool pool, Cursor cursor, TokenGuardThreeIssuers tg, Allocation alloc) {
    alloc.calls++;
    return tg.verifier.verify(pool.tokens[cursor.next(pool.size)], SCOPE);
  }

  @Benchmark
  @Group("tokenGuardThreeIssuers")
  public boolean tokenGuardThreeIssuers_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("tokenGuardUniqueAccp")
  public AccessToken tokenGuardUniqueAccp(Pool pool, Cursor cursor, TokenGuardUniqueAccp tg, Allocation alloc) {
    alloc.calls++;
    return tg.verifier.verify(pool.tokens[cursor.next(pool.size)], SCOPE);
  }

  @Benchmark
  @Group("tokenGuardUniqueAccp")
  public boolean tokenGuardUniqueAccp_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("tokenGuardUniqueHttpKeys")
  public AccessToken tokenGuardUniqueHttpKeys(Pool pool, Cursor cursor, TokenGuardHttpKeys tg, Allocation alloc) {
    alloc.calls++;
    return tg.verifier.verify(pool.tokens[cursor.next(pool.size)], SCOPE);
  }

  @Benchmark
  @Group("tokenGuardUniqueHttpKeys")
  public boolean tokenGuardUniqueHttpKeys_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("tokenGuardRepeated")
  public AccessToken tokenGuardRepeated(Cursor cursor, TokenGuardRepeated tg, Allocation alloc) {
    alloc.calls++;
    return tg.verifier.verify(tg.tokens[cursor.next(tg.tokens.length)], SCOPE);
  }

  @Benchmark
  @Group("tokenGuardRepeated")
  public boolean tokenGuardRepeated_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  // ---- TokenGuard, rejections ----

  @Benchmark
  @Group("tokenGuardRejectBadSignature")
  public Object tokenGuardRejectBadSignature(ForgedPool forged, Cursor cursor, Rejected r, Allocation alloc) {
    alloc.calls++;
    return reject(r.verifier, forged.tokens[cursor.next(forged.size())]);
  }

  @Benchmark
  @Group("tokenGuardRejectBadSignature")
  public boolean tokenGuardRejectBadSignature_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("tokenGuardRejectExpired")
  public Object tokenGuardRejectExpired(Rejected r, Allocation alloc) {
    alloc.calls++;
    return reject(r.verifier, r.expired);
  }

  @Benchmark
  @Group("tokenGuardRejectExpired")
  public boolean tokenGuardRejectExpired_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("tokenGuardRejectUnknownKid")
  public Object tokenGuardRejectUnknownKid(Rejected r, Allocation alloc) {
    alloc.calls++;
    return reject(r.verifier, r.unknownKid);
  }

  @Benchmark
  @Group("tokenGuardRejectUnknownKid")
  public boolean tokenGuardRejectUnknownKid_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("tokenGuardRejectGarbage")
  public Object tokenGuardRejectGarbage(Rejected r, Allocation alloc) {
    alloc.calls++;
    return reject(r.verifier, r.garbage);
  }

  @Benchmark
  @Group("tokenGuardRejectGarbage")
  public boolean tokenGuardRejectGarbage_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  static TokenVerificationException.Reason reject(AccessTokenVerifier verifier, String token) {
    try {
      verifier.verify(token, SCOPE);
    } catch (TokenVerificationException e) {
      return e.reason();
    }
    throw new AssertionError("a token that must be refused was accepted");
  }

  // ---- peers, valid tokens ----

  @Benchmark
  @Group("nimbusUnique")
  public Object nimbusUnique(Pool pool, Cursor cursor, NimbusPeer peer, Allocation alloc) throws Exception {
    alloc.calls++;
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size)]);
  }

  @Benchmark
  @Group("nimbusUnique")
  public boolean nimbusUnique_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("springUnique")
  public Object springUnique(Pool pool, Cursor cursor, SpringPeer peer, Allocation alloc) throws Exception {
    alloc.calls++;
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size)]);
  }

  @Benchmark
  @Group("springUnique")
  public boolean springUnique_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("auth0Unique")
  public Object auth0Unique(Pool pool, Cursor cursor, Auth0Peer peer, Allocation alloc) throws Exception {
    alloc.calls++;
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size)]);
  }

  @Benchmark
  @Group("auth0Unique")
  public boolean auth0Unique_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("jose4jUnique")
  public Object jose4jUnique(Pool pool, Cursor cursor, Jose4jPeer peer, Allocation alloc) throws Exception {
    alloc.calls++;
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size)]);
  }

  @Benchmark
  @Group("jose4jUnique")
  public boolean jose4jUnique_floor(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  // ---- the Auth0-shaped token (about 1,500 characters), peers ----

  @Benchmark
  @Group("nimbusUniqueAuth0Shape")
  public Object nimbusUniqueAuth0Shape(Auth0ShapePool pool, Cursor cursor, NimbusPeer peer, Allocation alloc) throws Exception {
    alloc.calls++;
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size())]);
  }

  @Benchmark
  @Group("nimbusUniqueAuth0Shape")
  public boolean nimbusUniqueAuth0Shape_floor(Auth0ShapePool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("springUniqueAuth0Shape")
  public Object springUniqueAuth0Shape(Auth0ShapePool pool, Cursor cursor, SpringPeer peer, Allocation alloc) throws Exception {
    alloc.calls++;
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size())]);
  }

  @Benchmark
  @Group("springUniqueAuth0Shape")
  public boolean springUniqueAuth0Shape_floor(Auth0ShapePool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("auth0UniqueAuth0Shape")
  public Object auth0UniqueAuth0Shape(Auth0ShapePool pool, Cursor cursor, Auth0Peer peer, Allocation alloc) throws Exception {
    alloc.calls++;
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size())]);
  }

  @Benchmark
  @Group("auth0UniqueAuth0Shape")
  public boolean auth0UniqueAuth0Shape_floor(Auth0ShapePool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }

  @Benchmark
  @Group("jose4jUniqueAuth0Shape")
  public Object jose4jUniqueAuth0Shape(Auth0ShapePool pool, Cursor cursor, Jose4jPeer peer, Allocation alloc) throws Exception {
    alloc.calls++;
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size())]);
  }

  @Benchmark
  @Group("jose4jUniqueAuth0Shape")
  public boolean jose4jUniqueAuth0Shape_floor(Auth0ShapePool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    return floor(pool, cursor, floor.signature);
  }
}
