package dev.tokenguard.benchmarks;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
@Warmup(iterations = 3, time = 1)
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
  }

  /**
   * Distinct valid tokens, plus each one's signing input and decoded signature for the raw-JCA
   * floor (decoded once here: the floor is the RSA operation alone).
   */
  @State(Scope.Benchmark)
  public static class Pool {
    @Param("1024")
    public int size;

    String[] tokens;
    byte[][] signingInputs;
    byte[][] signatures;
    PublicKey publicKey;

    @Setup(Level.Trial)
    public void mint(Issuer issuer) throws ParseException, com.nimbusds.jose.JOSEException {
      tokens = new String[size];
      signingInputs = new byte[size][];
      signatures = new byte[size][];
      for (int i = 0; i < size; i++) {
        String token = issuer.mint(i);
        int dot2 = token.lastIndexOf('.');
        tokens[i] = token;
        signingInputs[i] = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
        signatures[i] = Base64.getUrlDecoder().decode(token.substring(dot2 + 1));
      }
      JWK jwk = JWKSet.parse(issuer.issuer.jwks()).getKeys().get(0);
      publicKey = jwk.toRSAKey().toRSAPublicKey();
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
      String line = "jwksRequests threads=" + params.getThreads() + " afterWarmUp=" + requestsAfterWarmUp
          + " afterRun=" + issuer.jwksRequestCount() + System.lineSeparator();
      System.out.print(line);
      String file = System.getProperty(REPORT_PROPERTY);
      if (file != null) {
        try {
          Files.writeString(Path.of(file), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
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

  /** Tokens TokenGuard (default configuration) must refuse, one per main rejection path. */
  @State(Scope.Benchmark)
  public static class Rejected {
    AccessTokenVerifier verifier;
    String badSignature;
    String expired;
    String unknownKid;
    String garbage;

    @Setup(Level.Trial)
    public void build(Issuer issuer) {
      FakeIssuer fake = issuer.issuer;
      verifier = fake.verifierBuilder().build();
      badSignature = fake.accessToken().scopes(SCOPE).tamperedSignature().sign();
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

  // ---- the floor ----

  @Benchmark
  public boolean jcaFloorJdk(Pool pool, Cursor cursor, JdkFloor floor) throws GeneralSecurityException {
    int i = cursor.next(pool.size);
    floor.signature.update(pool.signingInputs[i]);
    return floor.signature.verify(pool.signatures[i]);
  }

  @Benchmark
  public boolean jcaFloorAccp(Pool pool, Cursor cursor, AccpFloor floor) throws GeneralSecurityException {
    int i = cursor.next(pool.size);
    floor.signature.update(pool.signingInputs[i]);
    return floor.signature.verify(pool.signatures[i]);
  }

  // ---- TokenGuard, valid tokens ----

  @Benchmark
  public AccessToken tokenGuardUnique(Pool pool, Cursor cursor, TokenGuardUnique tg) {
    return tg.verifier.verify(pool.tokens[cursor.next(pool.size)], SCOPE);
  }

  @Benchmark
  public AccessToken tokenGuardUniqueAccp(Pool pool, Cursor cursor, TokenGuardUniqueAccp tg) {
    return tg.verifier.verify(pool.tokens[cursor.next(pool.size)], SCOPE);
  }

  @Benchmark
  public AccessToken tokenGuardUniqueHttpKeys(Pool pool, Cursor cursor, TokenGuardHttpKeys tg) {
    return tg.verifier.verify(pool.tokens[cursor.next(pool.size)], SCOPE);
  }

  @Benchmark
  public AccessToken tokenGuardRepeated(Cursor cursor, TokenGuardRepeated tg) {
    return tg.verifier.verify(tg.tokens[cursor.next(tg.tokens.length)], SCOPE);
  }

  // ---- TokenGuard, rejections ----

  @Benchmark
  public Object tokenGuardRejectBadSignature(Rejected r) {
    return reject(r.verifier, r.badSignature);
  }

  @Benchmark
  public Object tokenGuardRejectExpired(Rejected r) {
    return reject(r.verifier, r.expired);
  }

  @Benchmark
  public Object tokenGuardRejectUnknownKid(Rejected r) {
    return reject(r.verifier, r.unknownKid);
  }

  @Benchmark
  public Object tokenGuardRejectGarbage(Rejected r) {
    return reject(r.verifier, r.garbage);
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
  public Object nimbusUnique(Pool pool, Cursor cursor, NimbusPeer peer) throws Exception {
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size)]);
  }

  @Benchmark
  public Object springUnique(Pool pool, Cursor cursor, SpringPeer peer) throws Exception {
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size)]);
  }

  @Benchmark
  public Object auth0Unique(Pool pool, Cursor cursor, Auth0Peer peer) throws Exception {
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size)]);
  }

  @Benchmark
  public Object jose4jUnique(Pool pool, Cursor cursor, Jose4jPeer peer) throws Exception {
    return peer.verifier.verify(pool.tokens[cursor.next(pool.size)]);
  }
}
