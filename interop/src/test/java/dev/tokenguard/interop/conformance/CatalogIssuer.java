package dev.tokenguard.interop.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Algorithm;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestKey;
import dev.tokenguard.testing.TokenBuilder;
import java.text.ParseException;
import java.time.Instant;
import java.util.Map;

/**
 * The authorization server and resource of the catalog's verifier cases, translated to TokenGuard:
 * the issuer {@code https://auth.example.com} and the resource {@code https://api.example.com} are
 * the verifier's configured issuer and audience; the ES256 key {@code test-key-1} is a {@link
 * TestKey} published (next to the fake issuer's own RSA key) in the JWKS of a {@link FakeIssuer},
 * whose JWKS URI the verifier is given, so keys arrive over HTTP as in production. Tokens are
 * minted at run time in the RFC 9068 profile with the catalog's claims. Fetches run on the calling
 * thread and time stands still at {@link #NOW} unless a test advances {@link #clock}.
 */
final class CatalogIssuer implements AutoCloseable {
  static final String ISSUER = "https://auth.example.com";
  static final String RESOURCE = "https://api.example.com";
  static final String KID = "test-key-1";
  static final String SUBJECT = "user123";
  static final String CLIENT_ID = "client456";
  static final String JTI = "token-id-123";
  /** Whole seconds, as JWT dates are. */
  static final Instant NOW = Instant.parse("2026-04-22T12:00:00Z");

  final TestClock clock = TestClock.at(NOW);
  /** Publishes the keys over HTTP and mints the tokens. */
  final FakeIssuer keys = FakeIssuer.builder().clock(clock).audience(RESOURCE).start();
  /** The ES256 key {@code test-key-1}, published. */
  final TestKey key = keys.publishKey(TestKey.ecP256().withKeyId(KID));

  /**
   * A verifier for the catalog's issuer and resource in the strict RFC 9068 profile, accepting
   * ES256 only, fetching the JWKS from the fake issuer on the calling thread.
   */
  AccessTokenVerifier.Builder verifier() {
    return AccessTokenVerifier.builder()
        .issuer(ISSUER)
        .audience(RESOURCE)
        .jwksUri(keys.jwksUri())
        .algorithms(Algorithm.ES256)
        .strictRfc9068()
        .clock(clock)
        .keyFetchExecutor(Runnable::run);
  }

  /**
   * The catalog's valid access token: header {@code alg: ES256, typ: at+jwt, kid: test-key-1};
   * claims {@code iss}, {@code aud}, {@code sub: user123}, {@code client_id: client456}, {@code
   * exp} an hour ahead, {@code iat} now, {@code jti: token-id-123}. A test changes one thing.
   */
  TokenBuilder token() {
    return keys.rfc9068AccessToken()
        .signedWith(key)
        .issuer(ISSUER)
        .subject(SUBJECT)
        .clientId(CLIENT_ID)
        .claim("jti", JTI);
  }

  /** The decoded JOSE header of a compact JWS (to show a test minted what the case's setup says). */
  static Map<String, Object> header(String token) {
    try {
      return JSONObjectUtils.parse(new Base64URL(token.substring(0, token.indexOf('.'))).decodeToString());
    } catch (ParseException e) {
      throw new IllegalStateException("the fixture minted a token whose header is not JSON", e);
    }
  }

  /** Asserts that {@code verifier} refuses {@code token} for {@code reason}, with a log detail containing each of {@code detail}. */
  static void assertRefused(AccessTokenVerifier verifier, String token, TokenVerificationException.Reason reason, String... detail) {
    assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(TokenVerificationException.class, e -> {
      assertThat(e.reason()).as("reason (%s)", e.getMessage()).isEqualTo(reason);
      assertThat(e.getMessage()).contains(detail);
    });
  }

  @Override
  public void close() {
    keys.close();
  }
}
