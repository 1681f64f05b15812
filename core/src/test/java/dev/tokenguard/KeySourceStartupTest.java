package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.FakeIssuer.JwksFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Start-up: building needs no network; warmUp() lets an API fail fast at boot. Real background thread. */
class KeySourceStartupTest {
  private final FakeIssuer issuer = FakeIssuer.start();

  @AfterEach
  void stop() {
    issuer.close();
  }

  @Test
  void buildingAVerifierMakesNoNetworkCall() {
    issuer.httpVerifierBuilder().build();
    AccessTokenVerifier.builder().issuer(issuer.issuer()).audience(issuer.audience()).build();
    AccessTokenVerifier.builder().issuer("http://127.0.0.1:9/").audience("https://api.example").build();

    assertThat(issuer.discoveryRequestCount()).isZero();
    assertThat(issuer.jwksRequestCount()).isZero();
  }

  @Test
  void withoutWarmUpTheFirstVerificationFetchesTheKeys() {
    AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();

    assertThat(verifier.verify(issuer.accessToken().sign())).isNotNull();
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void warmUpFetchesTheKeysSoTheFirstRequestNeedsNoFetch() {
    AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();
    verifier.warmUp();
    assertThat(verifier.keySourceHealth().get(0).status()).isEqualTo(KeySourceHealth.Status.FRESH);
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);

    assertThat(verifier.verify(issuer.accessToken().sign())).isNotNull();
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void warmUpFailsFastNamingTheUriWhenTheIssuerIsUnreachable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String unreachable = "http://127.0.0.1:" + closedPort + "/";
    AtomicInteger attempts = new AtomicInteger();
    AccessTokenVerifier verifier = AccessTokenVerifier.builder().issuer(unreachable).audience("https://api.example")
        .keySourceListener(event -> {
          if (event.type() == KeySourceEvent.Type.FETCH_STARTED) {
            attempts.incrementAndGet();
          }
        })
        .build();

    assertThatThrownBy(verifier::warmUp)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE);
          assertThat(e.getMessage()).contains(unreachable + ".well-known/openid-configuration", "could not connect");
        });
    // Fast by counting, not by a stopwatch: one refused connection and one retry, then the answer.
    assertThat(attempts.get()).isEqualTo(2);
  }

  @Test
  void warmUpFailsWithTheHttpStatusWhenTheJwksIsMissing() {
    issuer.failJwks(JwksFailure.NOT_FOUND);
    AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();

    assertThatThrownBy(verifier::warmUp)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE);
          assertThat(e.getMessage()).contains(issuer.jwksUri() + ": HTTP 404");
        });
  }

  @Test
  void warmUpFailsWhenTheJwksHoldsNoUsableKey() {
    issuer.failJwks(JwksFailure.EMPTY);
    AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();

    assertThatThrownBy(verifier::warmUp).hasMessageContaining("no usable signing key");
  }
}
