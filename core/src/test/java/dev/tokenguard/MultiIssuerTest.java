package dev.tokenguard;

import static dev.tokenguard.KeySourceRotationTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.FakeIssuer.JwksFailure;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One verifier trusting several issuers: routing by the exact {@code iss} among the trusted ones
 * only, each issuer's keys verifying its own tokens only, made-up issuers costing no request, and
 * one issuer's outage leaving the others alone.
 */
class MultiIssuerTest {
  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer a = FakeIssuer.builder().clock(clock).start();
  private final FakeIssuer b = FakeIssuer.builder().clock(clock).start();
  private final FakeIssuer c = FakeIssuer.builder().clock(clock).start();
  private final List<AccessTokenVerifier> verifiers = new ArrayList<>();

  @AfterEach
  void stop() {
    verifiers.forEach(AccessTokenVerifier::close);
    a.close();
    b.close();
    c.close();
  }

  /** A verifier trusting a (the builder's own issuer), b and c, fetching each one's keys over HTTP. */
  private AccessTokenVerifier abc() {
    return track(a.httpVerifierBuilder().trust(b.trustedIssuerBuilder().build(), c.trustedIssuerBuilder().build()).build());
  }

  private AccessTokenVerifier track(AccessTokenVerifier verifier) {
    verifiers.add(verifier);
    return verifier;
  }

  @Test
  void routesEachTokenToTheIssuerItsIssNames() {
    AccessTokenVerifier verifier = abc();

    assertThat(verifier.verify(a.accessToken().sign()).issuer()).isEqualTo(a.issuer());
    assertThat(verifier.verify(b.oktaAccessToken().scopes("read").sign()).issuer()).isEqualTo(b.issuer());
    assertThat(verifier.verify(c.rfc9068AccessToken().sign()).issuer()).isEqualTo(c.issuer());
    assertThat(a.jwksRequestCount()).isEqualTo(1);
    assertThat(b.jwksRequestCount()).isEqualTo(1);
    assertThat(c.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void aVerifierOfTrustedIssuersOnlyNeedsNoIssuerOfItsOwn() {
    AccessTokenVerifier verifier = track(AccessTokenVerifier.builder().audience(a.audience()).clock(clock)
        .trust(a.trustedIssuerBuilder().build(), b.trustedIssuerBuilder().build()).build());

    assertThat(verifier.verify(a.accessToken().sign()).issuer()).isEqualTo(a.issuer());
    assertThat(verifier.verify(b.accessToken().sign()).issuer()).isEqualTo(b.issuer());
    assertRejected(() -> verifier.verify(c.accessToken().sign()), Reason.WRONG_ISSUER);
  }

  @Test
  void aTokenSignedWithOneIssuersKeyButNamingAnotherIsRefused() {
    AccessTokenVerifier verifier = abc();
    verifier.warmUp();
    int aFetches = a.jwksRequestCount();

    // a's own key, a's kid, iss b: looked up among b's keys only, where that kid is unknown.
    assertRejected(() -> verifier.verify(a.accessToken().issuer(b.issuer()).sign()), Reason.UNKNOWN_KEY);
    assertThat(a.jwksRequestCount()).isEqualTo(aFetches);
    assertThat(verifier.verify(a.accessToken().sign()).issuer()).isEqualTo(a.issuer());
  }

  @Test
  void aKidBothIssuersPublishVerifiesOnlyWithTheKeyOfTheIssuerTheTokenNames() {
    TestKey keyOfA = a.publishKey(TestKey.rsa(2048).withKeyId("shared"));
    TestKey keyOfB = b.publishKey(TestKey.rsa(2048).withKeyId("shared"));
    AccessTokenVerifier verifier = abc();

    assertThat(verifier.verify(a.accessToken().signedWith(keyOfA).sign()).issuer()).isEqualTo(a.issuer());
    assertThat(verifier.verify(b.accessToken().signedWith(keyOfB).sign()).issuer()).isEqualTo(b.issuer());
    assertRejected(() -> verifier.verify(a.accessToken().signedWith(keyOfA).issuer(b.issuer()).sign()), Reason.BAD_SIGNATURE);
    assertRejected(() -> verifier.verify(b.accessToken().signedWith(keyOfB).issuer(a.issuer()).sign()), Reason.BAD_SIGNATURE);
  }

  @Test
  void aFloodOfMadeUpIssuersCostsNoRequestAtAll() {
    AccessTokenVerifier verifier = abc();
    verifier.warmUp();
    int before = a.requestCount() + b.requestCount() + c.requestCount();
    try (FakeIssuer attacker = FakeIssuer.builder().clock(clock).start()) {
      for (int i = 0; i < 1000; i++) {
        String madeUp = i % 2 == 0 ? attacker.issuer() + "tenant-" + i + "/" : a.issuer() + "tenant-" + i + "/";
        String token = attacker.accessToken().issuer(madeUp).sign();
        assertRejected(() -> verifier.verify(token), Reason.WRONG_ISSUER);
      }
      assertRejected(() -> verifier.verify(attacker.accessToken().sign()), Reason.WRONG_ISSUER);
      assertRejected(() -> verifier.verify(a.accessToken().issuer(a.issuer().replaceAll("/$", "")).sign()), Reason.WRONG_ISSUER);
      assertThat(attacker.requestCount()).isZero();
    }
    assertThat(a.requestCount() + b.requestCount() + c.requestCount()).isEqualTo(before);
    assertThat(verifier.keySourceHealth()).hasSize(3);
  }

  @Test
  void oneIssuersFailingKeysLeaveTheOthersVerifying() {
    a.failJwks(JwksFailure.HTTP_500);
    AccessTokenVerifier verifier = abc();

    assertRejected(() -> verifier.verify(a.accessToken().sign()), Reason.KEYS_UNAVAILABLE);
    assertThat(verifier.verify(b.accessToken().sign()).issuer()).isEqualTo(b.issuer());
    assertThat(verifier.verify(c.accessToken().sign()).issuer()).isEqualTo(c.issuer());
    assertThat(verifier.keySourceHealth()).extracting(KeySourceHealth::issuer, KeySourceHealth::status).containsExactly(
        org.assertj.core.groups.Tuple.tuple(a.issuer(), KeySourceHealth.Status.UNAVAILABLE),
        org.assertj.core.groups.Tuple.tuple(b.issuer(), KeySourceHealth.Status.FRESH),
        org.assertj.core.groups.Tuple.tuple(c.issuer(), KeySourceHealth.Status.FRESH));
  }

  @Test
  void unknownKidsAtOneIssuerLeaveAnothersKeyRotationAlone() {
    AccessTokenVerifier verifier = track(a.httpVerifierBuilder().keyFetchExecutor(Runnable::run)
        .trust(b.trustedIssuerBuilder().build()).build());
    verifier.warmUp();
    String aToken = a.accessToken().sign();
    for (int i = 0; i < 50; i++) {
      assertRejected(() -> verifier.verify(KeySourceFloodTest.withKid(aToken, "made-up-" + Math.random())), Reason.UNKNOWN_KEY);
    }
    assertThat(a.jwksRequestCount()).as("one rate-limited refetch at a").isEqualTo(2);

    b.rotateKey(); // b's next token carries a kid the verifier has not seen: b may refetch at once
    assertThat(verifier.verify(b.accessToken().sign()).issuer()).isEqualTo(b.issuer());
    assertThat(b.jwksRequestCount()).isEqualTo(2);
  }

  @Test
  void oneIssuerHangingDoesNotHoldUpAnothersFetch() throws Exception {
    a.failJwks(JwksFailure.SLOW); // held until healJwks()
    CountDownLatch aFetching = new CountDownLatch(1);
    KeySourceListener listener = event -> {
      if (event.type() == KeySourceEvent.Type.FETCH_STARTED && event.issuer().equals(a.issuer())) {
        aFetching.countDown();
      }
    };
    // a's own deadline is long, so only healJwks() ends its fetch while the test runs.
    AccessTokenVerifier verifier = track(AccessTokenVerifier.builder().audience(a.audience()).clock(clock)
        .keySourceListener(listener)
        .trust(a.trustedIssuerBuilder().httpTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(60)).build(),
            b.trustedIssuerBuilder().build())
        .build());
    CompletableFuture<AccessToken> aVerification = CompletableFuture.supplyAsync(() -> verifier.verify(a.accessToken().sign()));
    assertThat(aFetching.await(30, TimeUnit.SECONDS)).isTrue();

    assertThat(verifier.verify(b.accessToken().sign()).issuer()).isEqualTo(b.issuer());
    // b's fetch did not wait for a's: a's is still under way.
    assertThat(verifier.keySourceHealth().get(0).status()).isEqualTo(KeySourceHealth.Status.NOT_LOADED);
    assertThat(aVerification).isNotDone();

    a.healJwks();
    assertThat(aVerification.get(30, TimeUnit.SECONDS).issuer()).isEqualTo(a.issuer());
  }

  @Test
  void healthAndEventsNameEachIssuerInConfigurationOrder() {
    List<String> events = new CopyOnWriteArrayList<>();
    AccessTokenVerifier verifier = track(a.httpVerifierBuilder().keyFetchExecutor(Runnable::run)
        .keySourceListener(event -> events.add(event.issuer() + " " + event.type()))
        .trust(b.trustedIssuerBuilder().build()).build());
    b.failJwks(JwksFailure.NOT_FOUND);

    assertThatThrownBy(verifier::warmUp).isInstanceOf(TokenVerificationException.class);

    assertThat(events).containsExactly(
        a.issuer() + " FETCH_STARTED", a.issuer() + " FETCH_SUCCEEDED",
        b.issuer() + " FETCH_STARTED", b.issuer() + " FETCH_FAILED");
    assertThat(verifier.keySourceHealth()).extracting(KeySourceHealth::issuer).containsExactly(a.issuer(), b.issuer());
    assertThat(verifier.keySourceHealth()).extracting(KeySourceHealth::jwksUri)
        .containsExactly(java.util.Optional.of(a.jwksUri()), java.util.Optional.of(b.jwksUri()));
  }

  @Test
  void warmUpFetchesEveryIssuerAndNamesEachOneThatFails() {
    a.failJwks(JwksFailure.HTTP_500);
    c.failJwks(JwksFailure.NOT_FOUND);
    AccessTokenVerifier verifier = abc();

    assertThatThrownBy(verifier::warmUp)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE);
          assertThat(e.getMessage()).contains("2 of 3 trusted issuers").contains(a.issuer()).contains(c.issuer())
              .doesNotContain("issuer \"" + b.issuer());
        });
    assertThat(b.jwksRequestCount()).isEqualTo(1);
    assertThat(verifier.keySourceHealth()).extracting(KeySourceHealth::status).containsExactly(
        KeySourceHealth.Status.UNAVAILABLE, KeySourceHealth.Status.FRESH, KeySourceHealth.Status.UNAVAILABLE);
  }

  @Test
  void anAliasSharesTheIssuersKeysAndIsWhatTheTokenSays() {
    // An Auth0 tenant reached through its canonical and its custom domain: one issuer, two names.
    String customDomain = "https://login.example.test/";
    AccessTokenVerifier verifier = track(AccessTokenVerifier.builder().audience(a.audience()).clock(clock)
        .trust(a.trustedIssuerBuilder().alias(customDomain).build()).build());

    assertThat(verifier.verify(a.accessToken().sign()).issuer()).isEqualTo(a.issuer());
    assertThat(verifier.verify(a.accessToken().issuer(customDomain).sign()).issuer()).isEqualTo(customDomain);
    assertThat(a.jwksRequestCount()).isEqualTo(1);
    assertThat(verifier.keySourceHealth()).extracting(KeySourceHealth::issuer).containsExactly(a.issuer());
    assertRejected(() -> verifier.verify(a.accessToken().issuer("https://login.example.test").sign()), Reason.WRONG_ISSUER);
  }

  @Test
  void eachIssuerKeepsItsOwnAlgorithmsAndScopeClaims() {
    TestKey ec = b.publishKey(TestKey.ecP256());
    a.publishKey(ec);
    AccessTokenVerifier verifier = track(a.httpVerifierBuilder().algorithms(Algorithm.RS256, Algorithm.ES256).scopeClaims("scp")
        .trust(b.trustedIssuerBuilder().build()).build());

    assertThat(verifier.verify(a.accessToken().signedWith(ec).sign()).issuer()).isEqualTo(a.issuer());
    assertRejected(() -> verifier.verify(b.accessToken().signedWith(ec).sign()), Reason.UNSUPPORTED_ALGORITHM);
    // a reads scp only; b the default claims (scope among them).
    assertThat(verifier.verify(a.accessToken().scopes("read").sign()).scopes()).isEmpty();
    assertThat(verifier.verify(b.accessToken().scopes("read").sign()).scopes()).containsExactly("read");
  }

  @Test
  void anIssuerNameTrustedTwiceIsRefusedAtBuild() {
    assertThatThrownBy(() -> a.httpVerifierBuilder().trust(a.trustedIssuerBuilder().build()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("trusted twice");
    assertThatThrownBy(() -> a.httpVerifierBuilder().trust(b.trustedIssuerBuilder().alias(a.issuer()).build()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("trusted twice");
    assertThatThrownBy(() -> TrustedIssuer.builder(a.issuer()).alias(a.issuer()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theBuildersOwnIssuerSettingsNeedItsOwnIssuer() {
    for (java.util.function.UnaryOperator<AccessTokenVerifier.Builder> ownSetting : List.<java.util.function.UnaryOperator<AccessTokenVerifier.Builder>>of(
        builder -> builder.jwksUri(a.jwksUri()), builder -> builder.jwks(a.jwks()), builder -> builder.algorithms(Algorithm.ES256),
        builder -> builder.scopeClaims("scp"), AccessTokenVerifier.Builder::strictRfc9068)) {
      AccessTokenVerifier.Builder builder = AccessTokenVerifier.builder().audience(a.audience()).trust(b.trustedIssuerBuilder().build());
      assertThatThrownBy(() -> ownSetting.apply(builder).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("set them on each TrustedIssuer");
    }
    assertThatThrownBy(() -> AccessTokenVerifier.builder().audience(a.audience()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("issuer is required");
  }

  @Test
  void aTrustedIssuerTakesTheKeyFetchSettingsItDoesNotSetFromTheBuilder() {
    KeyFetchSettings defaults = new KeyFetchSettings(null, Duration.ofSeconds(3), Duration.ofSeconds(7), 4096, 7,
        Duration.ofMinutes(2), Duration.ofHours(2), Duration.ofMinutes(20), Duration.ofHours(3), Duration.ofSeconds(40),
        Duration.ofMinutes(6));

    KeyFetchSettings inherited = TrustedIssuer.builder("https://tenant.example/").build().resolve(defaults).fetch;
    assertThat(fields(inherited)).isEqualTo(fields(defaults));

    java.net.http.HttpClient own = java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
    IssuerConfig config = TrustedIssuer.builder("https://tenant.example/").httpClient(own).jwksLimits(2048, 3)
        .keyCacheLifetime(Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMinutes(5)).staleKeyTolerance(Duration.ZERO)
        .unknownKeyRefetch(Duration.ofSeconds(10), Duration.ofMinutes(1)).build().resolve(defaults);
    assertThat(config.fetch.httpClient).isSameAs(own);
    assertThat(config.fetch.readTimeout).isEqualTo(Duration.ofSeconds(7));
    assertThat(List.of(config.fetch.maxJwksBytes, config.fetch.maxKeys)).containsExactly(2048, 3);
    assertThat(List.of(config.fetch.minTtl, config.fetch.maxTtl, config.fetch.defaultTtl, config.fetch.staleTolerance,
        config.fetch.refetchInterval, config.fetch.negativeCacheTtl)).containsExactly(Duration.ofMinutes(1), Duration.ofHours(1),
        Duration.ofMinutes(5), Duration.ZERO, Duration.ofSeconds(10), Duration.ofMinutes(1));
    // The token profile is the issuer's own, with the library's defaults: never the builder's.
    assertThat(config.algorithms).containsExactly(Algorithm.RS256);
    assertThat(config.scopeClaims).isEqualTo(ScopeClaims.DEFAULT);
    assertThat(config.strictRfc9068).isFalse();
    assertThat(config.jwksUri).isNull();

    KeyFetchSettings withClient = new KeyFetchSettings(own, KeyFetchSettings.DEFAULT_CONNECT_TIMEOUT, Duration.ofSeconds(7),
        4096, 7, Duration.ofMinutes(2), Duration.ofHours(2), Duration.ofMinutes(20), Duration.ofHours(3), Duration.ofSeconds(40),
        Duration.ofMinutes(6));
    KeyFetchSettings ownTimeouts = TrustedIssuer.builder("https://tenant.example/").httpTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(9))
        .build().resolve(withClient).fetch;
    assertThat(ownTimeouts.httpClient).as("its own connect timeout needs a library client").isNull();
    assertThat(List.of(ownTimeouts.connectTimeout, ownTimeouts.readTimeout)).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(9));
    assertThatThrownBy(() -> TrustedIssuer.builder("https://tenant.example/").httpClient(own)
        .httpTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)).build()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void auth0TrustedIssuerReadsTheDomainAsTheBuilderDoes() {
    TrustedIssuer auth0 = TrustedIssuer.auth0("tenant.us.auth0.com").alias("login.example.com").build();
    assertThat(auth0.issuer()).isEqualTo("https://tenant.us.auth0.com/");
    assertThat(auth0.aliases()).containsExactly("https://login.example.com/");
    assertThat(auth0.resolve(new KeyFetchSettings(null, Duration.ofSeconds(2), Duration.ofSeconds(5), 4096, 7,
        Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofSeconds(30),
        Duration.ofMinutes(5))).jwksUri).isEqualTo(URI.create("https://tenant.us.auth0.com/.well-known/jwks.json"));
    assertThatThrownBy(() -> TrustedIssuer.builder("http://issuer.example/")).isInstanceOf(IllegalArgumentException.class);
    assertThat(auth0).hasToString("TrustedIssuer{https://tenant.us.auth0.com/, aliases=[https://login.example.com/]}");
  }

  private static List<Object> fields(KeyFetchSettings s) {
    return java.util.Arrays.asList(s.httpClient, s.connectTimeout, s.readTimeout, s.maxJwksBytes, s.maxKeys, s.minTtl, s.maxTtl,
        s.defaultTtl, s.staleTolerance, s.refetchInterval, s.negativeCacheTtl);
  }
}
