package dev.tokenguard;

import dev.tokenguard.dpop.DpopNonces;
import dev.tokenguard.dpop.ReplayStore;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a verifier treats DPoP (RFC 9449): whether requests may or must use the {@code DPoP} scheme,
 * which proof algorithms it accepts, how old a proof may be, where used proofs are remembered and
 * whether it hands out nonces. Given to {@link AccessTokenVerifier.Builder#dpop(DpopPolicy)}.
 *
 * <pre>{@code
 * AccessTokenVerifier.builder()
 *     ...
 *     .dpop(DpopPolicy.defaults()
 *         .withReplayStore(RedisReplayStore.create(URI.create("redis://cache:6379")))
 *         .withNonces(DpopNonces.fromSecret(secret)))
 *     .build();
 * }</pre>
 *
 * <p>The defaults ({@link #defaults()}, also what a builder uses when not told): the {@code DPoP}
 * scheme is accepted alongside {@code Bearer}; proofs signed with ES256, PS256, RS256 or EdDSA
 * (never {@code none} or an HMAC: {@link Algorithm} has neither); a proof is accepted from 5 s
 * before its {@code iat} (a client clock running ahead) until 60 s after it (section 11.1); used
 * proofs are remembered in memory ({@link dev.tokenguard.dpop.ReplayStores#inMemory()}, one store
 * per verifier, with the verifier's clock); no server nonces. Immutable and thread-safe; every
 * {@code with*} method and {@link #required()} return a copy.
 */
public final class DpopPolicy {
  /** The default proof algorithms: ES256, PS256, RS256, EdDSA. */
  static final Set<Algorithm> DEFAULT_ALGORITHMS =
      Collections.unmodifiableSet(EnumSet.of(Algorithm.ES256, Algorithm.PS256, Algorithm.RS256, Algorithm.EdDSA));
  static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(60);
  static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofSeconds(5);
  static final Duration MAX_AGE_LIMIT = Duration.ofMinutes(5);
  static final Duration MAX_FUTURE_SKEW_LIMIT = Duration.ofMinutes(1);

  private enum Mode {
    OFF, ACCEPTED, REQUIRED
  }

  private static final DpopPolicy DEFAULTS =
      new DpopPolicy(Mode.ACCEPTED, DEFAULT_ALGORITHMS, DEFAULT_MAX_AGE, DEFAULT_MAX_FUTURE_SKEW, null, null);
  private static final DpopPolicy DISABLED =
      new DpopPolicy(Mode.OFF, DEFAULT_ALGORITHMS, DEFAULT_MAX_AGE, DEFAULT_MAX_FUTURE_SKEW, null, null);

  private final Mode mode;
  private final Set<Algorithm> algorithms;
  private final Duration maxAge;
  private final Duration maxFutureSkew;
  private final ReplayStore replayStore;
  private final DpopNonces nonces;

  private DpopPolicy(Mode mode, Set<Algorithm> algorithms, Duration maxAge, Duration maxFutureSkew, ReplayStore replayStore,
      DpopNonces nonces) {
    this.mode = mode;
    this.algorithms = algorithms;
    this.maxAge = maxAge;
    this.maxFutureSkew = maxFutureSkew;
    this.replayStore = replayStore;
    this.nonces = nonces;
  }

  /**
   * DPoP accepted alongside Bearer, with the defaults described above.
   *
   * @return the default policy
   */
  public static DpopPolicy defaults() {
    return DEFAULTS;
  }

  /**
   * DPoP off: every request with the {@code DPoP} scheme, and every request whose {@link
   * Requirement} asks for DPoP, is refused ({@code BINDING_MISMATCH}, {@code DPOP_REQUIRED}); so is
   * a DPoP-bound token, which cannot be presented any other way. For APIs whose issuer never binds
   * tokens to DPoP keys.
   *
   * @return the policy with DPoP off
   */
  public static DpopPolicy disabled() {
    return DISABLED;
  }

  /**
   * This policy with DPoP required on every request: a request presenting its token as a bearer
   * token is refused with {@code DPOP_REQUIRED}, whatever its {@link Requirement} (as {@link
   * Requirement#withDpop()} does for one path). Turns DPoP on when it was {@link #disabled()}.
   *
   * @return a new policy requiring DPoP; this one is unchanged
   */
  public DpopPolicy required() {
    return new DpopPolicy(Mode.REQUIRED, algorithms, maxAge, maxFutureSkew, replayStore, nonces);
  }

  /**
   * This policy accepting proofs signed with {@code algorithms} only (RFC 9449 section 4.3 check 5:
   * "acceptable per local policy"), replacing the default set.
   *
   * @param algorithms one or more asymmetric algorithms
   * @return a new policy with these algorithms; this one is unchanged
   * @throws NullPointerException when {@code algorithms} or one of them is null
   * @throws IllegalArgumentException when none is given
   */
  public DpopPolicy withAlgorithms(Algorithm... algorithms) {
    Objects.requireNonNull(algorithms, "algorithms");
    if (algorithms.length == 0) {
      throw new IllegalArgumentException("withAlgorithms needs at least one algorithm");
    }
    EnumSet<Algorithm> set = EnumSet.noneOf(Algorithm.class);
    for (Algorithm a : algorithms) {
      set.add(Objects.requireNonNull(a, "algorithm"));
    }
    return new DpopPolicy(mode, Collections.unmodifiableSet(set), maxAge, maxFutureSkew, replayStore, nonces);
  }

  /**
   * This policy with another proof window (RFC 9449 section 11.1): a proof is accepted while its
   * {@code iat} is at most {@code maxAge} in the past and at most {@code maxFutureSkew} in the
   * future, on the verifier's clock; {@code maxFutureSkew} is also the leeway on a proof's {@code
   * exp}. Used proofs are remembered for {@code maxAge}.
   *
   * @param maxAge 1 second to 5 minutes (default 60 s)
   * @param maxFutureSkew 0 to 1 minute (default 5 s)
   * @return a new policy with this proof window; this one is unchanged
   * @throws IllegalArgumentException when either is out of range
   */
  public DpopPolicy withProofWindow(Duration maxAge, Duration maxFutureSkew) {
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
    if (maxAge.compareTo(Duration.ofSeconds(1)) < 0 || maxAge.compareTo(MAX_AGE_LIMIT) > 0) {
      throw new IllegalArgumentException("maxAge must be between 1 second and 5 minutes, was " + maxAge);
    }
    if (maxFutureSkew.isNegative() || maxFutureSkew.compareTo(MAX_FUTURE_SKEW_LIMIT) > 0) {
      throw new IllegalArgumentException("maxFutureSkew must be between 0 and 1 minute, was " + maxFutureSkew);
    }
    return new DpopPolicy(mode, algorithms, maxAge, maxFutureSkew, replayStore, nonces);
  }

  /**
   * This policy remembering used proofs in {@code store}: share one store (such as the {@code
   * tokenguard-redis} artifact's) between all instances of an API so a proof replayed to another
   * instance is refused. A store that cannot answer makes the verifier refuse with {@code
   * REPLAY_CHECK_UNAVAILABLE} (503), never accept. The verifier does not close the store.
   *
   * @param store the replay store, e.g. a {@code RedisReplayStore}
   * @return a new policy with this replay store; this one is unchanged
   * @throws NullPointerException when {@code store} is null
   */
  public DpopPolicy withReplayStore(ReplayStore store) {
    return new DpopPolicy(mode, algorithms, maxAge, maxFutureSkew, Objects.requireNonNull(store, "store"), nonces);
  }

  /**
   * This policy requiring server-provided nonces (RFC 9449 section 9): a proof without a nonce
   * {@code nonces} accepts is refused with {@code USE_DPOP_NONCE}, carrying {@code
   * nonces.current()} for the {@code DPoP-Nonce} header.
   *
   * @param nonces the nonces, the same secret on every instance
   * @return a new policy requiring these nonces; this one is unchanged
   * @throws NullPointerException when {@code nonces} is null
   */
  public DpopPolicy withNonces(DpopNonces nonces) {
    return new DpopPolicy(mode, algorithms, maxAge, maxFutureSkew, replayStore, Objects.requireNonNull(nonces, "nonces"));
  }

  /**
   * True unless {@link #disabled()}: the {@code DPoP} scheme is accepted.
   *
   * @return true when the {@code DPoP} scheme is accepted
   */
  public boolean isEnabled() {
    return mode != Mode.OFF;
  }

  /**
   * True when every request must use DPoP ({@link #required()}).
   *
   * @return true when every request must use DPoP
   */
  public boolean isRequired() {
    return mode == Mode.REQUIRED;
  }

  /**
   * The accepted proof algorithms, for the {@code algs} of a {@code DPoP} challenge (RFC 9449 section 7.1). Unmodifiable.
   *
   * @return the accepted proof algorithms; unmodifiable
   */
  public Set<Algorithm> algorithms() {
    return algorithms;
  }

  /**
   * How far in the past a proof's {@code iat} may lie.
   *
   * @return the largest age of a proof's {@code iat}
   */
  public Duration maxProofAge() {
    return maxAge;
  }

  /**
   * How far in the future a proof's {@code iat} may lie, and the leeway on its {@code exp}.
   *
   * @return the largest future skew of a proof's {@code iat}, and the leeway on its {@code exp}
   */
  public Duration maxFutureSkew() {
    return maxFutureSkew;
  }

  /**
   * The replay store given with {@link #withReplayStore}; empty for the verifier's own in-memory store.
   *
   * @return the replay store given; empty for the verifier's own in-memory store
   */
  public Optional<ReplayStore> replayStore() {
    return Optional.ofNullable(replayStore);
  }

  /**
   * The nonces given with {@link #withNonces}; empty when nonces are off. An HTTP layer sends
   * {@code nonces.current()} in a {@code DPoP-Nonce} header on successful DPoP answers (RFC 9449
   * section 8.2).
   *
   * @return the nonces given; empty when nonces are off
   */
  public Optional<DpopNonces> nonces() {
    return Optional.ofNullable(nonces);
  }

  /** For logs: the mode, algorithms, window, and whether a store and nonces were given. */
  @Override
  public String toString() {
    return "DpopPolicy{" + mode.name().toLowerCase(java.util.Locale.ROOT) + ", algorithms=" + algorithms + ", maxAge="
        + maxAge + ", maxFutureSkew=" + maxFutureSkew + ", replayStore=" + (replayStore == null ? "in-memory" : "given")
        + ", nonces=" + (nonces == null ? "off" : nonces) + "}";
  }
}
