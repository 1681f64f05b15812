package dev.tokenguard;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A JWKS URI that moves: the issuer's metadata starts naming a new {@code jwks_uri} while the old
 * one still answers with the old keys. The metadata has its own lifetime and is looked up again
 * when it ends, and an unknown {@code kid} also looks it up again (rate-limited with the refetch),
 * so a key published only at the new URI is found. Each discovery trust failure says exactly why.
 */
class KeySourceMovedJwksTest {
  private static final String DISCOVERY = "/.well-known/openid-configuration";
  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer oldKeys = FakeIssuer.builder().clock(clock).start();
  private final FakeIssuer newKeys = FakeIssuer.builder().clock(clock).start();
  private final WireMockServer server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
  private String issuerId;

  @BeforeEach
  void start() {
    server.start();
    issuerId = "http://127.0.0.1:" + server.port() + "/";
    server.stubFor(get(urlEqualTo("/jwks-v1")).willReturn(okJson(oldKeys.jwks())));
    server.stubFor(get(urlEqualTo("/jwks-v2")).willReturn(okJson(newKeys.jwks())));
    metadataNames("/jwks-v1");
  }

  @AfterEach
  void stop() {
    server.stop();
    oldKeys.close();
    newKeys.close();
  }

  private void metadataNames(String jwksPath) {
    server.stubFor(get(urlEqualTo(DISCOVERY)).willReturn(okJson(
        "{\"issuer\":\"" + issuerId + "\",\"jwks_uri\":\"http://127.0.0.1:" + server.port() + jwksPath + "\"}")));
  }

  private int requests(String path) {
    return server.countRequestsMatching(getRequestedFor(urlEqualTo(path)).build()).getCount();
  }

  private AccessTokenVerifier verifier(AtomicReference<String> lastJwksUri) {
    return AccessTokenVerifier.builder().issuer(issuerId).audience(FakeIssuer.DEFAULT_AUDIENCE).clock(clock)
        .keyFetchExecutor(Runnable::run)
        .keySourceListener(event -> {
          if (event.type() == KeySourceEvent.Type.FETCH_SUCCEEDED) {
            lastJwksUri.set(event.uri().orElseThrow().getPath());
          }
        })
        .build();
  }

  @Test
  void aKeyPublishedOnlyAtTheNewJwksUriIsFoundOnItsFirstRequest() {
    AtomicReference<String> jwks = new AtomicReference<>();
    AccessTokenVerifier verifier = verifier(jwks);
    assertThat(verifier.verify(oldKeys.accessToken().issuer(issuerId).sign())).isNotNull();
    assertThat(jwks.get()).isEqualTo("/jwks-v1");

    metadataNames("/jwks-v2"); // the old URI keeps answering with the old keys
    clock.advance(Duration.ofMinutes(1));
    String signedWithNewKey = newKeys.accessToken().issuer(issuerId).sign();

    assertThat(verifier.verify(signedWithNewKey)).isNotNull();
    assertThat(jwks.get()).isEqualTo("/jwks-v2");
    assertThat(requests(DISCOVERY)).isEqualTo(2);
    assertThat(verifier.keySourceHealth().get(0).jwksUri()).hasValueSatisfying(uri -> assertThat(uri.getPath()).isEqualTo("/jwks-v2"));
  }

  @Test
  void theMetadataIsLookedUpAgainWhenItsLifetimeEnds() {
    AtomicReference<String> jwks = new AtomicReference<>();
    AccessTokenVerifier verifier = verifier(jwks);
    String old = oldKeys.accessToken().issuer(issuerId).expiresIn(Duration.ofHours(2)).sign();
    verifier.verify(old);
    metadataNames("/jwks-v2");

    clock.advance(Duration.ofMinutes(11)); // past the 10-minute lifetimes: the refresh looks up the metadata first
    verifier.verify(old); // served the keys at hand while the refresh runs
    clock.advance(Duration.ofMinutes(1));

    assertThat(requests(DISCOVERY)).isEqualTo(2);
    assertThat(requests("/jwks-v2")).isEqualTo(1);
    assertThat(verifier.verify(newKeys.accessToken().issuer(issuerId).sign())).isNotNull();
  }

  @Test
  void unknownKidsLookTheMetadataUpAgainOnlyAsOftenAsTheyRefetch() {
    AccessTokenVerifier verifier = verifier(new AtomicReference<>());
    verifier.verify(oldKeys.accessToken().issuer(issuerId).sign());
    String unknown = KeySourceFloodTest.withKid(oldKeys.accessToken().issuer(issuerId).sign(), "made-up-1");
    String another = KeySourceFloodTest.withKid(oldKeys.accessToken().issuer(issuerId).sign(), "made-up-2");

    for (String token : new String[] {unknown, another, unknown, another}) {
      assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(TokenVerificationException.class,
          e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
    }

    assertThat(requests(DISCOVERY)).isEqualTo(2); // the first lookup, then one with the one refetch
    assertThat(requests("/jwks-v1")).isEqualTo(2);
  }

  @Test
  void metadataWithoutAJwksUriIsNamedAsSuch() {
    server.stubFor(get(urlEqualTo(DISCOVERY)).willReturn(okJson("{\"issuer\":\"" + issuerId + "\"}")));
    assertWarmUpFails("the discovery document at http://127.0.0.1:" + server.port() + DISCOVERY + " has no jwks_uri");
  }

  @Test
  void aRelativeJwksUriIsNamedAsSuchNotAsPlainHttp() {
    server.stubFor(get(urlEqualTo(DISCOVERY)).willReturn(okJson("{\"issuer\":\"" + issuerId + "\",\"jwks_uri\":\"/keys\"}")));
    assertWarmUpFails("has a jwks_uri that is not an absolute URI: \"/keys\"");
  }

  @Test
  void metadataWithoutAnIssuerIsNamedAsSuch() {
    server.stubFor(get(urlEqualTo(DISCOVERY)).willReturn(okJson("{\"jwks_uri\":\"http://127.0.0.1:" + server.port() + "/jwks-v1\"}")));
    assertWarmUpFails("names no issuer");
  }

  @Test
  void metadataNamingPlainHttpOnAnotherHostIsRefused() {
    server.stubFor(get(urlEqualTo(DISCOVERY)).willReturn(okJson("{\"issuer\":\"" + issuerId + "\",\"jwks_uri\":\"http://keys.example.com/jwks\"}")));
    assertWarmUpFails("names the jwks_uri \"http://keys.example.com/jwks\", which must use https");
  }

  private void assertWarmUpFails(String detail) {
    AccessTokenVerifier verifier = verifier(new AtomicReference<>());
    assertThatThrownBy(verifier::warmUp).isInstanceOfSatisfying(TokenVerificationException.class, e -> {
      assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE);
      assertThat(e.getMessage()).contains("issuer \"" + issuerId + "\"", detail);
    });
  }
}
