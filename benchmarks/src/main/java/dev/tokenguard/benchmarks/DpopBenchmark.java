package dev.tokenguard.benchmarks;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenRequest;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.dpop.ReplayStore;
import dev.tokenguard.dpop.ReplayStores;
import dev.tokenguard.redis.RedisReplayStore;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

/**
 * Cost of a DPoP request (RFC 9449): a DPoP-bound RS256 access token and an ES256 proof, verified
 * with the in-memory replay store, against the floor of its two raw JCA signature checks; a
 * replayed and a forged proof; and the replay stores' own operations per second.
 *
 * <p>Every verification benchmark is a JMH group of the subject and its floor running at the same
 * time (as in {@link VerifyBenchmark}); the floor checks, per operation, {@code SHA256withRSA} over
 * a pool token's signing input and {@code SHA256withECDSAinP1363Format} over a proof's. Proofs
 * are single-use, so each measured call gets a proof never used before: the proofs are minted
 * before each iteration ({@link Level#Iteration} set-up, not measured) on the benchmark's own
 * clock, which each iteration moves two minutes on, so no proof goes stale while it waits and
 * the replay store forgets the previous iteration's proofs as it would in a running API.
 *
 * <p>Run through {@link BenchmarkReport} (its DPoP section) or alone with {@code java -cp
 * benchmarks/target/benchmarks.jar dev.tokenguard.benchmarks.DpopReport [file]}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DpopBenchmark {
  static final String METHOD = "GET";
  static final URI TARGET = URI.create("https://api.example.test/patients");
  /** How many holder keys the tokens are bound to (a proof per call, signed by its token's holder). */
  static final int HOLDERS = 8;
  /** How far the clock moves before each iteration: past the 60-second proof window. */
  static final Duration STEP = Duration.ofMinutes(2);

  /**
   * The issuer on the benchmark's clock, the holder keys, and a pool of distinct DPoP-bound RS256
   * tokens (token {@code i} bound to holder {@code i % HOLDERS}) with their signing inputs and
   * signatures for the floor.
   */
  @State(Scope.Benchmark)
  public static class World {
    @Param("1024")
    public int size;

    TestClock clock;
    FakeIssuer issuer;
    TestKey[] holders;
    PublicKey[] holderKeys;
    PublicKey issuerKey;
    String[] tokens;
    byte[][] tokenInputs;
    byte[][] tokenSignatures;

    @Setup(Level.Trial)
    public void start() throws ParseException, com.nimbusds.jose.JOSEException {
      clock = TestClock.startingNow();
      issuer = FakeIssuer.builder().clock(clock).start();
      holders = new TestKey[HOLDERS];
      holderKeys = new PublicKey[HOLDERS];
      for (int h = 0; h < HOLDERS; h++) {
        holders[h] = TestKey.ecP256();
        holderKeys[h] = holders[h].certificate().getPublicKey();
      }
      issuerKey = com.nimbusds.jose.jwk.JWKSet.parse(issuer.jwks()).getKeys().get(0).toRSAKey().toRSAPublicKey();
      tokens = new String[size];
      tokenInputs = new byte[size][];
      tokenSignatures = new byte[size][];
      for (int i = 0; i < size; i++) {
        String token = issuer.accessToken()
            .subject("auth0|user-" + i)
            .claim("jti", "token-" + i + "-" + System.nanoTime())
            .scopes(VerifyBenchmark.SCOPE, "write:patients")
            .dpopBound(holders[i % HOLDERS])
            .expiresIn(Duration.ofDays(1))
            .sign();
        int dot2 = token.lastIndexOf('.');
        tokens[i] = token;
        tokenInputs[i] = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
        tokenSignatures[i] = Base64.getUrlDecoder().decode(token.substring(dot2 + 1));
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      issuer.close();
    }

    /** A valid proof for token {@code i}, issued now on the benchmark's clock. */
    String proof(int i) {
      return issuer.dpopProof(holders[i % HOLDERS], METHOD, TARGET).accessToken(tokens[i]).sign();
    }
  }

  /**
   * Proofs for one iteration, proof {@code k} for token {@code k % size}, with their signing
   * inputs and signatures for the floor. Subclasses say how they are made.
   */
  public abstract static class Proofs {
    String[] proofs = new String[0];
    byte[][] inputs;
    byte[][] signatures;
    int count;

    void fill(World w, int n, boolean tampered) {
      w.clock.advance(STEP);
      proofs = new String[n];
      inputs = new byte[n][];
      signatures = new byte[n][];
      for (int k = 0; k < n; k++) {
        int i = k % w.size;
        String proof = tampered
            ? w.issuer.dpopProof(w.holders[i % HOLDERS], METHOD, TARGET).accessToken(w.tokens[i]).tamperedSignature().sign()
            : w.proof(i);
        int dot2 = proof.lastIndexOf('.');
        proofs[k] = proof;
        inputs[k] = proof.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
        signatures[k] = Base64.getUrlDecoder().decode(proof.substring(dot2 + 1));
      }
      count = n;
    }
  }

  /**
   * Fresh proofs, each used once: before each iteration the clock moves on and enough new proofs
   * are minted for it (twice what the last iteration used, at least {@code batch}). Should the
   * subject run out, it mints the next proof itself (measured, and counted in {@link #overruns}).
   */
  @State(Scope.Benchmark)
  public static class FreshProofs extends Proofs {
    @Param("4096")
    public int batch;

    final AtomicInteger next = new AtomicInteger();
    final AtomicLong overruns = new AtomicLong();
    World world;

    @Setup(Level.Iteration)
    public void mint(World w) {
      world = w;
      int used = next.get();
      fill(w, Math.max(batch, 2 * used), false);
      next.set(0);
    }

    /** The index of an unused proof, or -1 when the iteration's proofs are used up. */
    int take() {
      int k = next.getAndIncrement();
      return k < count ? k : -1;
    }

    @TearDown(Level.Trial)
    public void report() {
      if (overruns.get() > 0) {
        VerifyBenchmark.note("dpop overruns=" + overruns.get());
      }
    }
  }

  /** Proofs that were accepted once before the iteration: every call replays one. */
  @State(Scope.Benchmark)
  public static class ReplayedProofs extends Proofs {
    @Setup(Level.Iteration)
    public void mintAndUse(World w, Verifiers v) {
      fill(w, w.size, false);
      for (int k = 0; k < count; k++) {
        v.replay.verify(TokenRequest.dpop(w.tokens[k % w.size], proofs[k], METHOD, TARGET));
      }
    }
  }

  /** Proofs with one bit of the signature flipped: each passes every check but the signature. */
  @State(Scope.Benchmark)
  public static class ForgedProofs extends Proofs {
    @Setup(Level.Iteration)
    public void forge(World w) {
      fill(w, w.size, true);
    }
  }

  /**
   * The verifiers, one per benchmark so each has its own in-memory replay store: the verified-token
   * cache off (as {@code tokenGuardUnique}), the default DPoP policy (DPoP accepted beside Bearer,
   * ES256/PS256/RS256/EdDSA, 60 s window, the in-memory store on the benchmark's clock, no nonces).
   */
  @State(Scope.Benchmark)
  public static class Verifiers {
    AccessTokenVerifier accept;
    AccessTokenVerifier replay;
    AccessTokenVerifier forged;

    @Setup(Level.Trial)
    public void build(World w) {
      accept = w.issuer.verifierBuilder().verifiedTokenCacheSize(0).build();
      replay = w.issuer.verifierBuilder().verifiedTokenCacheSize(0).build();
      forged = w.issuer.verifierBuilder().verifiedTokenCacheSize(0).build();
    }

    @TearDown(Level.Trial)
    public void close() {
      accept.close();
      replay.close();
      forged.close();
    }
  }

  /** A {@code SHA256withRSA} and a {@code SHA256withECDSAinP1363Format} per thread, one per holder key. */
  @State(Scope.Thread)
  public static class Floor {
    Signature rsa;
    Signature[] ecdsa;

    @Setup(Level.Trial)
    public void init(World w) throws GeneralSecurityException {
      rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(w.issuerKey);
      ecdsa = new Signature[HOLDERS];
      for (int h = 0; h < HOLDERS; h++) {
        ecdsa[h] = Signature.getInstance("SHA256withECDSAinP1363Format");
        ecdsa[h].initVerify(w.holderKeys[h]);
      }
    }

    /** Both signature checks of request {@code k}: its token's RSA and its proof's ECDSA (true when the proof is genuine). */
    boolean check(World w, Proofs p, int k) throws GeneralSecurityException {
      int i = k % w.size;
      rsa.update(w.tokenInputs[i]);
      boolean token = rsa.verify(w.tokenSignatures[i]);
      Signature ec = ecdsa[i % HOLDERS];
      ec.update(p.inputs[k]);
      boolean proof = ec.verify(p.signatures[k]);
      return token && proof;
    }
  }

  /** A clock the store benchmarks move by one millisecond per operation. */
  static final class SteppingClock extends Clock {
    final AtomicLong millis = new AtomicLong(Instant.now().toEpochMilli());

    long tick() {
      return millis.incrementAndGet();
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * A replay store under the verifier's load shape: each operation records a new key (43
   * characters, as the verifier's) until 60 s later, on a clock that moves 1 ms per operation, so
   * the store holds a steady 60,000 live keys (1,000 proofs a second over the 60-second window).
   */
  public abstract static class StoreState {
    static final String PREFIX = "bench-replay-key-0123456789abcdefghijklmn-";
    final SteppingClock clock = new SteppingClock();
    ReplayStore store;
    long n;

    boolean firstUse() {
      long now = clock.tick();
      return store.firstUse(PREFIX + (n++), Instant.ofEpochMilli(now + 60_000));
    }

    /** Runs {@code n} operations before the first iteration: 60,000 bring the store to its steady state. */
    void prefill(int n) {
      for (int i = 0; i < n; i++) {
        if (!firstUse()) {
          throw new IllegalStateException("the store reported a new key as used");
        }
      }
    }
  }

  /** {@link ReplayStores#inMemory(int, Clock)} with the default capacity. */
  @State(Scope.Benchmark)
  public static class InMemoryStore extends StoreState {
    @Param("60000")
    public int prefill;

    @Setup(Level.Trial)
    public void build() {
      store = ReplayStores.inMemory(ReplayStores.DEFAULT_MAX_ENTRIES, clock);
      prefill(prefill);
    }
  }

  /** {@code RedisReplayStore} on a {@code redis-server} this benchmark starts on a loopback port. */
  @State(Scope.Benchmark)
  public static class RedisStore extends StoreState {
    @Param("60000")
    public int prefill;

    RedisProcess redis;

    @Setup(Level.Trial)
    public void build() {
      redis = RedisProcess.start();
      store = RedisReplayStore.builder(redis.uri()).clock(clock).build();
      prefill(prefill);
    }

    @TearDown(Level.Trial)
    public void stop() {
      if (store != null) {
        ((RedisReplayStore) store).close();
      }
      if (redis != null) {
        redis.close();
      }
    }
  }

  // ---- a DPoP request: the bound token (cache off) and a fresh proof, in-memory store ----

  @Benchmark
  @Group("dpopRequest")
  public AccessToken dpopRequest(World w, FreshProofs p, Verifiers v) {
    int k = p.take();
    String proof;
    int i;
    if (k >= 0) {
      proof = p.proofs[k];
      i = k % w.size;
    } else {
      p.overruns.incrementAndGet();
      i = (int) (p.overruns.get() % w.size);
      proof = w.proof(i);
    }
    return v.accept.verify(TokenRequest.dpop(w.tokens[i], proof, METHOD, TARGET));
  }

  @Benchmark
  @Group("dpopRequest")
  public boolean dpopRequest_floor(World w, FreshProofs p, VerifyBenchmark.Cursor cursor, Floor floor)
      throws GeneralSecurityException {
    return floor.check(w, p, cursor.next(p.count));
  }

  // ---- refusals ----

  @Benchmark
  @Group("dpopReplayed")
  public Object dpopReplayed(World w, ReplayedProofs p, Verifiers v, VerifyBenchmark.Cursor cursor) {
    int k = cursor.next(p.count);
    return refuse(v.replay, TokenRequest.dpop(w.tokens[k % w.size], p.proofs[k], METHOD, TARGET));
  }

  @Benchmark
  @Group("dpopReplayed")
  public boolean dpopReplayed_floor(World w, ReplayedProofs p, VerifyBenchmark.Cursor cursor, Floor floor)
      throws GeneralSecurityException {
    return floor.check(w, p, cursor.next(p.count));
  }

  @Benchmark
  @Group("dpopForged")
  public Object dpopForged(World w, ForgedProofs p, Verifiers v, VerifyBenchmark.Cursor cursor) {
    int k = cursor.next(p.count);
    return refuse(v.forged, TokenRequest.dpop(w.tokens[k % w.size], p.proofs[k], METHOD, TARGET));
  }

  /**
   * The same two checks over the forged proofs' bytes (the ECDSA check fails, at the cost of one
   * that succeeds): true when the forged signature is refused.
   */
  @Benchmark
  @Group("dpopForged")
  public boolean dpopForged_floor(World w, ForgedProofs p, VerifyBenchmark.Cursor cursor, Floor floor)
      throws GeneralSecurityException {
    return !floor.check(w, p, cursor.next(p.count));
  }

  static TokenVerificationException.Reason refuse(AccessTokenVerifier verifier, TokenRequest request) {
    try {
      verifier.verify(request);
    } catch (TokenVerificationException e) {
      return e.reason();
    }
    throw new AssertionError("a request that must be refused was accepted");
  }

  // ---- the replay stores ----

  @Benchmark
  public boolean storeInMemory(InMemoryStore s) {
    return s.firstUse();
  }

  @Benchmark
  public boolean storeRedis(RedisStore s) {
    return s.firstUse();
  }
}
