package dev.tokenguard;

import static dev.tokenguard.KeySourceRotationTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issuers trusted on first use: admitted only when the predicate accepts them (before any
 * request), each with its own key source found through its own discovery, never more than the
 * limit, and no eviction.
 */
class LazyIssuersTest {
  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer a = FakeIssuer.builder().clock(clock).start();
  private final FakeIssuer b = FakeIssuer.builder().clock(clock).start();
  private final FakeIssuer c = FakeIssuer.builder().clock(clock).start();
  private final List<String> offered = new CopyOnWriteArrayList<>();
  private final AtomicInteger configured = new AtomicInteger();
  private final List<AccessTokenVerifier> verifiers = new ArrayList<>();

  @AfterEach
  void stop() {
    verifiers.forEach(AccessTokenVerifier::close);
    a.close();
    b.close();
    c.close();
  }

  /** Records what the predicate is offered, then accepts the names in {@code allowed}. */
  private Predicate<String> accepting(Set<String> allowed) {
    return iss -> {
      offered.add(iss);
      return allowed.contains(iss);
    };
  }

  /** Each accepted issuer with the library's defaults: keys through discovery from its own iss. */
  private final Function<String, TrustedIssuer> discovered = iss -> {
    configured.incrementAndGet();
    return TrustedIssuer.builder(iss).build();
  };

  private AccessTokenVerifier verifier(Predicate<String> accepts, int max) {
    AccessTokenVerifier verifier = AccessTokenVerifier.builder().audience(a.audience()).clock(clock)
        .trustIssuersMatching(accepts, max, discovered).build();
    verifiers.add(verifier);
    return verifier;
  }

  @Test
  void admitsAnAcceptedIssuerOnFirstUseWithKeysFromItsOwnDiscovery() {
    AccessTokenVerifier verifier = verifier(accepting(Set.of(a.issuer(), b.issuer())), 10);
    assertThat(verifier.keySourceHealth()).isEmpty();

    assertThat(verifier.verify(b.accessToken().sign()).issuer()).isEqualTo(b.issuer());
    assertThat(verifier.verify(a.accessToken().sign()).issuer()).isEqualTo(a.issuer());
    assertThat(verifier.verify(b.accessToken().sign()).issuer()).isEqualTo(b.issuer());

    assertThat(List.of(a.discoveryRequestCount(), a.jwksRequestCount(), b.discoveryRequestCount(), b.jwksRequestCount()))
        .containsExactly(1, 1, 1, 1);
    assertThat(configured).hasValue(2);
    assertThat(verifier.keySourceHealth()).extracting(KeySourceHealth::issuer).containsExactly(b.issuer(), a.issuer());
  }

  @Test
  void thePredicateDecidesBeforeAnyRequestAndARefusedIssuerLeavesNothingBehind() {
    AccessTokenVerifier verifier = verifier(accepting(Set.of(a.issuer())), 10);

    for (int i = 0; i < 1000; i++) {
      String madeUp = c.issuer() + "tenant-" + i + "/";
      assertRejected(() -> verifier.verify(c.accessToken().issuer(madeUp).sign()), Reason.WRONG_ISSUER);
    }
    assertRejected(() -> verifier.verify(c.accessToken().sign()), Reason.WRONG_ISSUER);

    assertThat(c.requestCount()).isZero();
    assertThat(configured).hasValue(0);
    assertThat(verifier.keySourceHealth()).isEmpty();
    assertThat(offered).hasSize(1001);
  }

  @Test
  void aNameThatCannotBeAnIssuerIsRefusedBeforeThePredicateSeesIt() {
    AccessTokenVerifier verifier = verifier(accepting(Set.of()), 10);
    String host = c.issuer().substring("http://".length());
    for (String iss : List.of("http://issuer.example/", "ftp://" + host, "http://user@" + host, c.issuer() + "?tenant=x",
        c.issuer() + "#x", "not a uri", "urn:issuer:x", host)) {
      assertRejected(() -> verifier.verify(c.accessToken().issuer(iss).sign()), Reason.WRONG_ISSUER);
    }
    assertRejected(() -> verifier.verify(c.accessToken().claim("iss", 42).sign()), Reason.WRONG_ISSUER);
    assertThat(offered).isEmpty();
    assertThat(c.requestCount()).isZero();
  }

  @Test
  void onceFullANewIssuerIsRefusedWithoutARequestAndNoneIsEvicted() {
    AccessTokenVerifier verifier = verifier(accepting(Set.of(a.issuer(), b.issuer(), c.issuer())), 2);
    verifier.verify(a.accessToken().sign());
    verifier.verify(b.accessToken().sign());

    for (int i = 0; i < 100; i++) {
      assertRejected(() -> verifier.verify(c.accessToken().sign()), Reason.WRONG_ISSUER);
    }

    assertThat(c.requestCount()).isZero();
    assertThat(configured).hasValue(2);
    assertThat(verifier.verify(a.accessToken().sign()).issuer()).isEqualTo(a.issuer());
    assertThat(verifier.verify(b.accessToken().sign()).issuer()).isEqualTo(b.issuer());
    assertThat(a.jwksRequestCount() + b.jwksRequestCount()).isEqualTo(2);
    assertThat(verifier.keySourceHealth()).extracting(KeySourceHealth::issuer).containsExactly(a.issuer(), b.issuer());
  }

  @Test
  void anAdmittedIssuersKeyVerifiesOnlyItsOwnTokens() {
    AccessTokenVerifier verifier = verifier(accepting(Set.of(a.issuer(), b.issuer())), 10);
    verifier.verify(a.accessToken().sign());
    verifier.verify(b.accessToken().sign());

    assertRejected(() -> verifier.verify(a.accessToken().issuer(b.issuer()).sign()), Reason.UNKNOWN_KEY);
    assertRejected(() -> verifier.verify(b.accessToken().issuer(a.issuer()).sign()), Reason.UNKNOWN_KEY);
  }

  @Test
  void issuersNamedInTheConfigurationAreNeverOfferedToThePredicate() {
    AccessTokenVerifier verifier = AccessTokenVerifier.builder().audience(a.audience()).clock(clock)
        .trust(a.trustedIssuerBuilder().build())
        .trustIssuersMatching(accepting(Set.of(b.issuer())), 5, discovered).build();
    verifiers.add(verifier);

    verifier.verify(a.accessToken().sign());
    verifier.verify(b.accessToken().sign());
    verifier.verify(a.accessToken().sign());

    assertThat(offered).containsExactly(b.issuer());
    assertThat(verifier.keySourceHealth()).extracting(KeySourceHealth::issuer).containsExactly(a.issuer(), b.issuer());
  }

  @Test
  void anIssuerConfiguredForAnotherNameOrAPredicateThatThrowsRefusesTheToken() {
    AccessTokenVerifier wrongName = AccessTokenVerifier.builder().audience(a.audience()).clock(clock)
        .trustIssuersMatching(iss -> true, 5, iss -> TrustedIssuer.builder(b.issuer()).build()).build();
    AccessTokenVerifier withAlias = AccessTokenVerifier.builder().audience(a.audience()).clock(clock)
        .trustIssuersMatching(iss -> true, 5, iss -> TrustedIssuer.builder(iss).alias(b.issuer()).build()).build();
    AccessTokenVerifier throwing = AccessTokenVerifier.builder().audience(a.audience()).clock(clock)
        .trustIssuersMatching(iss -> {
          throw new IllegalStateException("database down");
        }, 5, discovered).build();
    verifiers.addAll(List.of(wrongName, withAlias, throwing));

    for (AccessTokenVerifier verifier : List.of(wrongName, withAlias, throwing)) {
      assertRejected(() -> verifier.verify(a.accessToken().sign()), Reason.WRONG_ISSUER);
      assertThat(verifier.keySourceHealth()).isEmpty();
    }
    assertThat(a.requestCount() + b.requestCount()).isZero();
  }

  @Test
  void concurrentFirstTokensOfOneIssuerAdmitItOnce() throws Exception {
    AccessTokenVerifier verifier = verifier(accepting(Set.of(a.issuer())), 10);
    String token = a.accessToken().sign();
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<CompletableFuture<AccessToken>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(CompletableFuture.supplyAsync(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return verifier.verify(token);
        }, pool));
      }
      start.countDown();
      for (CompletableFuture<AccessToken> result : results) {
        assertThat(result.get(30, TimeUnit.SECONDS).issuer()).isEqualTo(a.issuer());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(configured).hasValue(1);
    assertThat(a.discoveryRequestCount()).isEqualTo(1);
    assertThat(verifier.keySourceHealth()).hasSize(1);
  }

  @Test
  void theLimitAndTheFunctionsAreCheckedAtOnce() {
    AccessTokenVerifier.Builder builder = AccessTokenVerifier.builder();
    assertThatThrownBy(() -> builder.trustIssuersMatching(iss -> true, 0, discovered)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.trustIssuersMatching(iss -> true, 10_001, discovered)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.trustIssuersMatching(null, 1, discovered)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> builder.trustIssuersMatching(iss -> true, 1, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void invalidateKeysReachesTheIssuersTrustedOnFirstUse() {
    AccessTokenVerifier verifier = verifier(accepting(Set.of(a.issuer())), 10);
    verifier.verify(a.accessToken().sign());

    verifier.invalidateKeys();
    verifier.verify(a.accessToken().sign());

    assertThat(a.jwksRequestCount()).isEqualTo(2);
    assertThat(configured).hasValue(1);
  }
}
