package dev.tokenguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TokenBuilder;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.security.Provider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Runs every benchmark method (of {@link VerifyBenchmark} and {@link DpopBenchmark}) once on a
 * small pool, so the benchmarks cannot rot, and proves the peers check what TokenGuard checks:
 * each accepts the good token and refuses a wrong audience, a wrong issuer, a missing scope, an
 * expired token and a bad signature.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchmarkSmokeTest {
  private final VerifyBenchmark.Issuer issuer = new VerifyBenchmark.Issuer();
  private final VerifyBenchmark.Pool pool = new VerifyBenchmark.Pool();
  private final VerifyBenchmark bench = new VerifyBenchmark();
  private final VerifyBenchmark.Allocation alloc = new VerifyBenchmark.Allocation();

  @BeforeAll
  void mint() throws Exception {
    issuer.start();
    pool.size = 4;
    pool.mint(issuer);
  }

  @AfterAll
  void stop() {
    issuer.stop();
  }

  /** ACCP ships native code for Linux on x86-64 only (the classifier the benchmarks depend on). */
  static final boolean ACCP_PLATFORM = System.getProperty("os.name", "").startsWith("Linux")
      && (System.getProperty("os.arch", "").equals("amd64") || System.getProperty("os.arch", "").equals("x86_64"));

  static void assumeAccpPlatform() {
    assumeTrue(ACCP_PLATFORM, "Amazon Corretto Crypto Provider runs on Linux x86-64 only; skipped here");
  }

  @Test
  void floorsVerifyThePoolsSignatures() throws Exception {
    VerifyBenchmark.JdkFloor jdk = new VerifyBenchmark.JdkFloor();
    jdk.init(pool);
    VerifyBenchmark.Cursor cursor = new VerifyBenchmark.Cursor();
    for (int i = 0; i < pool.size * 2; i++) {
      assertThat(bench.tokenGuardUnique_floor(pool, cursor, jdk)).isTrue();
      assertThat(bench.jcaFloorAccp_floor(pool, cursor, jdk)).isTrue();
    }
  }

  @Test
  void accpFloorVerifiesThePoolsSignatures() throws Exception {
    assumeAccpPlatform();
    VerifyBenchmark.AccpFloor accp = new VerifyBenchmark.AccpFloor();
    accp.init(pool);
    VerifyBenchmark.Cursor cursor = new VerifyBenchmark.Cursor();
    for (int i = 0; i < pool.size * 2; i++) {
      assertThat(bench.jcaFloorAccp(pool, cursor, accp, alloc)).isTrue();
    }
    assertThat(accp.signature.getProvider().getName()).isEqualTo(AmazonCorrettoCryptoProvider.PROVIDER_NAME);
  }

  @Test
  void tokenGuardBenchmarksAcceptEveryPoolToken() {
    VerifyBenchmark.TokenGuardUnique unique = new VerifyBenchmark.TokenGuardUnique();
    unique.build(issuer);
    VerifyBenchmark.TokenGuardHttpKeys http = new VerifyBenchmark.TokenGuardHttpKeys();
    http.build(issuer);
    VerifyBenchmark.TokenGuardRepeated repeated = new VerifyBenchmark.TokenGuardRepeated();
    repeated.build(issuer);
    VerifyBenchmark.Cursor cursor = new VerifyBenchmark.Cursor();
    VerifyBenchmark.Cursor repeatedCursor = new VerifyBenchmark.Cursor();
    for (int i = 0; i < pool.size; i++) {
      assertThat(bench.tokenGuardUnique(pool, cursor, unique, alloc).hasScope(VerifyBenchmark.SCOPE)).isTrue();
      assertThat(bench.tokenGuardUniqueHttpKeys(pool, cursor, http, alloc).hasScope(VerifyBenchmark.SCOPE)).isTrue();
      assertThat(bench.tokenGuardRepeated(repeatedCursor, repeated, alloc).hasScope(VerifyBenchmark.SCOPE)).isTrue();
    }
    assertThat(issuer.issuer.jwksRequestCount()).isEqualTo(http.requestsAfterWarmUp);
  }

  @Test
  void tokenGuardWithAccpAcceptsEveryPoolToken() {
    assumeAccpPlatform();
    VerifyBenchmark.TokenGuardUniqueAccp accp = new VerifyBenchmark.TokenGuardUniqueAccp();
    accp.build(issuer);
    VerifyBenchmark.Cursor cursor = new VerifyBenchmark.Cursor();
    for (int i = 0; i < pool.size; i++) {
      assertThat(bench.tokenGuardUniqueAccp(pool, cursor, accp, alloc).hasScope(VerifyBenchmark.SCOPE)).isTrue();
    }
  }

  @Test
  void rejectionBenchmarksHitTheirRejectionPath() {
    VerifyBenchmark.Rejected rejected = new VerifyBenchmark.Rejected();
    rejected.build(issuer);
    VerifyBenchmark.ForgedPool forged = new VerifyBenchmark.ForgedPool();
    forged.forge(pool);
    VerifyBenchmark.Cursor cursor = new VerifyBenchmark.Cursor();
    for (int i = 0; i < pool.size; i++) {
      assertThat(forged.tokens[i]).isNotEqualTo(pool.tokens[i]).hasSameSizeAs(pool.tokens[i]);
      assertThat(bench.tokenGuardRejectBadSignature(forged, cursor, rejected, alloc)).isEqualTo(Reason.BAD_SIGNATURE);
    }
    assertThat(bench.tokenGuardRejectExpired(rejected, alloc)).isEqualTo(Reason.EXPIRED);
    assertThat(bench.tokenGuardRejectUnknownKid(rejected, alloc)).isEqualTo(Reason.UNKNOWN_KEY);
    assertThat(bench.tokenGuardRejectGarbage(rejected, alloc)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void theAuth0ShapedTokenIsAboutOneAndAHalfKilobytesAndEveryVerifierAcceptsIt() throws Exception {
    VerifyBenchmark.Auth0ShapePool shape = new VerifyBenchmark.Auth0ShapePool();
    shape.mint(issuer, pool);
    for (String token : shape.tokens) {
      assertThat(token.length()).isBetween(1400, 1600);
    }
    VerifyBenchmark.TokenGuardUnique unique = new VerifyBenchmark.TokenGuardUnique();
    unique.build(issuer);
    VerifyBenchmark.JdkFloor jdk = new VerifyBenchmark.JdkFloor();
    jdk.init(pool);
    VerifyBenchmark.Cursor cursor = new VerifyBenchmark.Cursor();
    for (int i = 0; i < shape.size(); i++) {
      assertThat(bench.tokenGuardUniqueAuth0Shape(shape, cursor, unique, alloc).scopes())
          .contains(VerifyBenchmark.SCOPE, "read:reports", "openid");
      assertThat(bench.tokenGuardUniqueAuth0Shape_floor(shape, cursor, jdk)).isTrue();
    }
    for (String name : List.of("nimbus", "spring", "auth0", "jose4j")) {
      Peers.Verifier peer = verifier(name);
      for (String token : shape.tokens) {
        assertThat(peer.verify(token)).as(name).isNotNull();
      }
    }
  }

  /**
   * Every {@code @Benchmark} method of {@link VerifyBenchmark}, called twice with its states set up
   * as JMH would (a pool of 4): none may throw, a floor must verify, a subject must return its
   * token or its refusal reason. Methods added later are covered without a change here.
   */
  @Test
  void everyBenchmarkMethodRuns() throws Exception {
    List<String> ran = runEveryBenchmarkMethod(bench, false);
    assertThat(ran).contains("tokenGuardUnique", "tokenGuardUniqueAuth0Shape", "tokenGuardRejectBadSignature",
        "springUniqueAuth0Shape", "jose4jUniqueAuth0Shape_floor");
  }

  /**
   * Every {@code @Benchmark} method of {@link DpopBenchmark}, the same way (every {@code @Param}
   * 4, iteration set-ups run once after the trial's): the DPoP request is accepted, the replayed
   * and forged proofs are refused as invalid proofs, the floors' checks come out as they must, and
   * each store operation is a first use. The Redis row is skipped without a {@code redis-server}.
   * Each group gets states of its own, as in its own JMH fork (their iteration set-ups move the
   * shared clock on).
   */
  @Test
  void everyDpopBenchmarkMethodRuns() throws Exception {
    List<String> ran = runEveryBenchmarkMethod(new DpopBenchmark(), true);
    assertThat(ran).contains("dpopRequest", "dpopRequest_floor", "dpopReplayed", "dpopReplayed_floor", "dpopForged",
        "dpopForged_floor", "storeInMemory");
    if (RedisProcess.binary() != null) {
      assertThat(ran).contains("storeRedis");
    }
  }

  private static List<String> runEveryBenchmarkMethod(Object bench, boolean statesPerGroup) throws Exception {
    Map<String, StateResolver> resolvers = new LinkedHashMap<>();
    List<String> ran = new ArrayList<>();
    try {
      for (Method method : bench.getClass().getMethods()) {
        if (!method.isAnnotationPresent(Benchmark.class)) {
          continue;
        }
        if (method.getName().contains("Accp") && !ACCP_PLATFORM) {
          continue;
        }
        if (method.getName().equals("storeRedis") && RedisProcess.binary() == null) {
          continue; // the report leaves this row out too, with a note
        }
        Group group = method.getAnnotation(Group.class);
        String key = !statesPerGroup ? "" : group != null ? group.value() : method.getName();
        StateResolver states = resolvers.computeIfAbsent(key, k -> new StateResolver());
        Object[] args = new Object[method.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
          Class<?> type = method.getParameterTypes()[i];
          // Each benchmark's threads have their own cursor (a thread-scoped state in JMH).
          args[i] = type == VerifyBenchmark.Cursor.class ? new VerifyBenchmark.Cursor() : states.get(type);
        }
        for (int call = 0; call < 2; call++) {
          Object result = method.invoke(bench, args);
          String name = method.getName();
          assertThat(result).as(name).isNotNull();
          boolean floor = name.endsWith("_floor") || name.startsWith("jcaFloor");
          if (floor || name.startsWith("store")) {
            assertThat(result).as(name).isEqualTo(true);
          } else if (name.startsWith("tokenGuardReject")) {
            assertThat(result).as(name).isInstanceOf(Reason.class);
          } else if (name.equals("dpopReplayed") || name.equals("dpopForged")) {
            assertThat(result).as(name).isEqualTo(Reason.INVALID_DPOP_PROOF);
          } else if (name.equals("dpopRequest")) {
            assertThat(((dev.tokenguard.AccessToken) result).hasScope(VerifyBenchmark.SCOPE)).isTrue();
          }
        }
        ran.add(method.getName());
      }
    } finally {
      for (StateResolver states : resolvers.values()) {
        states.tearDown();
      }
    }
    return ran;
  }

  /** Makes each {@code @State} class once, with its trial-level {@code @Setup} run on states made the same way. */
  private static final class StateResolver {
    private final Map<Class<?>, Object> made = new LinkedHashMap<>();

    Object get(Class<?> type) throws Exception {
      Object existing = made.get(type);
      if (existing != null) {
        return existing;
      }
      Object state = type.getDeclaredConstructor().newInstance();
      for (Field field : type.getFields()) {
        if (field.isAnnotationPresent(Param.class) && field.getType() == int.class) {
          field.setInt(state, 4); // pools, batches and prefills of 4
        }
      }
      for (Level level : new Level[] {Level.Trial, Level.Iteration}) {
        for (Method setup : type.getMethods()) {
          Setup annotation = setup.getAnnotation(Setup.class);
          if (annotation == null || annotation.value() != level
              || !Stream.of(setup.getParameterTypes()).allMatch(t -> t.isAnnotationPresent(State.class))) {
            continue; // JMH's own parameters (IterationParams ...) are JMH's business
          }
          Object[] args = new Object[setup.getParameterCount()];
          for (int i = 0; i < args.length; i++) {
            args[i] = get(setup.getParameterTypes()[i]);
          }
          setup.invoke(state, args);
        }
      }
      made.put(type, state);
      return state;
    }

    void tearDown() throws Exception {
      List<Object> states = new ArrayList<>(made.values());
      Collections.reverse(states);
      for (Object state : states) {
        for (Method tearDown : state.getClass().getMethods()) {
          TearDown annotation = tearDown.getAnnotation(TearDown.class);
          if (annotation != null && annotation.value() == Level.Trial && tearDown.getParameterCount() == 0) {
            tearDown.invoke(state);
          }
        }
      }
    }
  }

  @Test
  void peerBenchmarksAcceptEveryPoolToken() throws Exception {
    VerifyBenchmark.NimbusPeer nimbus = new VerifyBenchmark.NimbusPeer();
    nimbus.build(issuer);
    VerifyBenchmark.SpringPeer spring = new VerifyBenchmark.SpringPeer();
    spring.build(issuer);
    VerifyBenchmark.Auth0Peer auth0 = new VerifyBenchmark.Auth0Peer();
    auth0.build(issuer);
    VerifyBenchmark.Jose4jPeer jose4j = new VerifyBenchmark.Jose4jPeer();
    jose4j.build(issuer);
    VerifyBenchmark.Cursor cursor = new VerifyBenchmark.Cursor();
    for (int i = 0; i < pool.size; i++) {
      assertThat(bench.nimbusUnique(pool, cursor, nimbus, alloc)).isNotNull();
      assertThat(bench.springUnique(pool, cursor, spring, alloc)).isNotNull();
      assertThat(bench.auth0Unique(pool, cursor, auth0, alloc)).isNotNull();
      assertThat(bench.jose4jUnique(pool, cursor, jose4j, alloc)).isNotNull();
    }
  }

  Stream<String> verifiers() {
    return Stream.of("tokenguard", "nimbus", "spring", "auth0", "jose4j");
  }

  private Peers.Verifier verifier(String name) throws Exception {
    FakeIssuer fake = issuer.issuer;
    String jwks = fake.jwks();
    switch (name) {
      case "tokenguard":
        AccessTokenVerifier tokenGuard = fake.verifierBuilder().build();
        return token -> tokenGuard.verify(token, VerifyBenchmark.SCOPE);
      case "nimbus":
        return Peers.nimbus(jwks, fake.issuer(), fake.audience(), VerifyBenchmark.SCOPE);
      case "spring":
        return Peers.spring(jwks, fake.issuer(), fake.audience(), VerifyBenchmark.SCOPE);
      case "auth0":
        return Peers.auth0(jwks, fake.issuer(), fake.audience(), VerifyBenchmark.SCOPE);
      case "jose4j":
        return Peers.jose4j(jwks, fake.issuer(), fake.audience(), VerifyBenchmark.SCOPE);
      default:
        throw new IllegalArgumentException(name);
    }
  }

  private String token(UnaryOperator<TokenBuilder> change) {
    return change.apply(issuer.issuer.accessToken().scopes(VerifyBenchmark.SCOPE, "write:patients")).sign();
  }

  @ParameterizedTest
  @MethodSource("verifiers")
  void acceptsTheGoodToken(String name) throws Exception {
    assertThat(verifier(name).verify(token(t -> t))).isNotNull();
  }

  @ParameterizedTest
  @MethodSource("verifiers")
  void rejectsAWrongAudience(String name) throws Exception {
    Peers.Verifier verifier = verifier(name);
    String token = token(t -> t.audience("https://other-api.example.test"));
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(Exception.class);
  }

  @ParameterizedTest
  @MethodSource("verifiers")
  void rejectsAWrongIssuer(String name) throws Exception {
    Peers.Verifier verifier = verifier(name);
    String token = token(t -> t.issuer("https://evil.example.test/"));
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(Exception.class);
  }

  @ParameterizedTest
  @MethodSource("verifiers")
  void rejectsAMissingScope(String name) throws Exception {
    Peers.Verifier verifier = verifier(name);
    String token = token(t -> t.scopes("write:patients", "read:patients:all"));
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(Exception.class);
  }

  @ParameterizedTest
  @MethodSource("verifiers")
  void rejectsAnExpiredToken(String name) throws Exception {
    Peers.Verifier verifier = verifier(name);
    String token = token(TokenBuilder::expired);
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(Exception.class);
  }

  @ParameterizedTest
  @MethodSource("verifiers")
  void rejectsATokenWithoutExp(String name) throws Exception {
    Peers.Verifier verifier = verifier(name);
    String token = token(t -> t.withoutClaim("exp"));
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(Exception.class);
  }

  @ParameterizedTest
  @MethodSource("verifiers")
  void rejectsABadSignature(String name) throws Exception {
    Peers.Verifier verifier = verifier(name);
    String token = token(TokenBuilder::tamperedSignature);
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(Exception.class);
  }

  @Test
  void accpLoadsOnThisMachine() {
    assumeAccpPlatform();
    AmazonCorrettoCryptoProvider.INSTANCE.assertHealthy();
  }

  @Test
  void theConfiguredSignatureProviderIsTheOneThatVerifies() {
    // A provider without SHA256withRSA: if the verifier used the JDK default instead, this would pass.
    Provider empty = new Provider("Empty", "1", "offers no algorithms") {
      private static final long serialVersionUID = 1L;
    };
    String token = token(t -> t);
    AccessTokenVerifier withEmpty = issuer.issuer.verifierBuilder().signatureProvider(empty).build();
    assertThatThrownBy(() -> withEmpty.verify(token))
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    assumeAccpPlatform();
    AccessTokenVerifier withAccp = issuer.issuer.verifierBuilder().signatureProvider(VerifyBenchmark.accp()).build();
    assertThat(withAccp.verify(token, VerifyBenchmark.SCOPE).hasScope(VerifyBenchmark.SCOPE)).isTrue();
  }
}
