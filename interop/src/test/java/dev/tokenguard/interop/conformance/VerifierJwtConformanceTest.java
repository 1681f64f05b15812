package dev.tokenguard.interop.conformance;

import static dev.tokenguard.interop.conformance.CatalogIssuer.CLIENT_ID;
import static dev.tokenguard.interop.conformance.CatalogIssuer.ISSUER;
import static dev.tokenguard.interop.conformance.CatalogIssuer.JTI;
import static dev.tokenguard.interop.conformance.CatalogIssuer.KID;
import static dev.tokenguard.interop.conformance.CatalogIssuer.NOW;
import static dev.tokenguard.interop.conformance.CatalogIssuer.RESOURCE;
import static dev.tokenguard.interop.conformance.CatalogIssuer.SUBJECT;
import static dev.tokenguard.interop.conformance.CatalogIssuer.assertRefused;
import static dev.tokenguard.interop.conformance.CatalogIssuer.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Algorithm;
import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.TestKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The catalog's {@code sdk-verifier.jwt} cases: one JWT access token through {@link
 * AccessTokenVerifier#verify(String)}, as an API calls it. Setup as {@link CatalogIssuer} says
 * (catalog issuer and resource, ES256 key {@code test-key-1} fetched over HTTP, strict RFC 9068
 * profile where the case is about it, a clock standing still). Each refusal is asserted with its
 * exact {@link Reason} and, where the case names an error hint, with the hint in the log detail
 * ({@link Exception#getMessage()}); the catalog's error category {@code invalid_claims} is
 * TokenGuard's family of {@code invalid_token} reasons. Each refusing test changes one thing of a
 * token that the accept case shows verifies.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VerifierJwtConformanceTest {
  private final CatalogIssuer as = new CatalogIssuer();

  @AfterEach
  void stop() {
    as.close();
  }

  @Test
  @ConformanceCase("rfc9068-valid-at-jwt-must-verify")
  void aWellFormedAtJwtWithAValidSignatureAndClaimsVerifies() {
    String token = as.token().sign();
    assertThat(header(token)).containsOnly(entry("alg", "ES256"), entry("typ", "at+jwt"), entry("kid", KID));

    try (AccessTokenVerifier verifier = as.verifier().build()) {
      AccessToken verified = verifier.verify(token);

      assertThat(verified.issuer()).isEqualTo(ISSUER);
      assertThat(verified.audience()).containsExactly(RESOURCE);
      assertThat(verified.subject()).isEqualTo(SUBJECT);
      assertThat(verified.clientId()).contains(CLIENT_ID);
      assertThat(verified.jwtId()).contains(JTI);
      assertThat(verified.issuedAt()).contains(NOW);
      assertThat(verified.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
    }
  }

  @ParameterizedTest(name = "typ={0}")
  @NullSource
  @ValueSource(strings = {"JWT", "jwt", "application/jwt", "dpop+jwt"})
  @ConformanceCase("rfc9068-typ-must-be-at-jwt")
  void aTypOtherThanAtJwtIsRefused(String typ) {
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      assertRefused(verifier, as.token().type(typ).sign(), Reason.WRONG_TYPE, "typ");
    }
  }

  /** RFC 9068 section 4: {@code at+jwt} or {@code application/at+jwt}, the media type in either spelling. */
  @ParameterizedTest(name = "typ={0}")
  @ValueSource(strings = {"at+jwt", "application/at+jwt"})
  @ConformanceCase("rfc9068-typ-must-be-at-jwt")
  void theAccessTokenMediaTypeIsAccepted(String typ) {
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      assertThat(verifier.verify(as.token().type(typ).sign()).subject()).isEqualTo(SUBJECT);
    }
  }

  /** The case's {@code iss} and the near misses an exact comparison must refuse too. */
  @ParameterizedTest(name = "configured {0}, iss {1}")
  @CsvSource({
      "https://auth.example.com,  https://wrong-issuer.com",
      "https://auth.example.com,  https://auth.example.com/",
      "https://auth.example.com/, https://auth.example.com",
      "https://auth.example.com,  https://AUTH.example.com",
  })
  @ConformanceCase("rfc9068-issuer-must-match")
  void anIssOtherThanTheConfiguredIssuerIsRefused(String configured, String iss) {
    try (AccessTokenVerifier verifier = as.verifier().issuer(configured).build()) {
      assertRefused(verifier, as.token().issuer(iss).sign(), Reason.WRONG_ISSUER, "expected iss \"" + configured + "\"");
    }
  }

  /** The case's variant: a configured issuer with a trailing slash matches the same {@code iss}. */
  @Test
  @ConformanceCase("rfc9068-issuer-must-match")
  void anIssExactlyEqualToTheConfiguredIssuerWithATrailingSlashIsAccepted() {
    try (AccessTokenVerifier verifier = as.verifier().issuer("https://auth.example.com/").build()) {
      assertThat(verifier.verify(as.token().issuer("https://auth.example.com/").sign()).issuer()).isEqualTo("https://auth.example.com/");
    }
  }

  @ParameterizedTest(name = "aud={0}")
  @ValueSource(strings = {"https://wrong-audience.com", "https://api.example.com/", "https://other.example.com https://wrong-audience.com"})
  @ConformanceCase("rfc9068-audience-must-match-resource")
  void anAudienceWithoutTheConfiguredResourceIsRefused(String audience) {
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      assertRefused(verifier, as.token().audience(audience.split(" ")).sign(), Reason.WRONG_AUDIENCE, "expected aud containing [" + RESOURCE + "]");
    }
  }

  /** One permutation per claim, as the case's rationale says: the token lacks only that claim. */
  @ParameterizedTest(name = "without {0}")
  @ValueSource(strings = {"iss", "exp", "aud", "sub", "client_id", "iat", "jti"})
  @ConformanceCase("rfc9068-required-claims-must-be-enforced")
  void aTokenMissingAnyRequiredClaimIsRefused(String claim) {
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      assertRefused(verifier, as.token().withoutClaim(claim).sign(), Reason.MISSING_CLAIM, claim + " is ");
    }
  }

  /**
   * Judged against the RFCs: skipped after checking what TokenGuard does instead. RFC 9068 does
   * not require {@code kid}: section 2.1 asks of the header a signature algorithm other than
   * {@code none} and {@code typ}, and section 4 says the profile "does not provide a mechanism for
   * identifying a specific key"; RFC 7515 section 4.1.4 makes {@code kid} OPTIONAL, and RFC 8725
   * adds no such rule. Refusing every token without {@code kid} would refuse conforming tokens. The
   * case's requirement ("when key selection depends on kid") and intent ("avoids ambiguous key
   * selection") are met: when more than one issuer key fits the token's {@code alg}, a token
   * without {@code kid} is refused as {@code UNKNOWN_KEY} with a detail naming {@code kid}; with
   * exactly one fitting key it is verified with that key (and never kept in the verified-token
   * cache).
   */
  @Test
  @ConformanceCase("rfc9068-token-header-must-contain-kid")
  void aTokenWithoutKidIsRefusedOnlyWhenKeySelectionNeedsIt() {
    String withoutKid = as.token().withoutKeyId().sign();
    assertThat(header(withoutKid)).containsOnly(entry("alg", "ES256"), entry("typ", "at+jwt"));

    try (AccessTokenVerifier oneEs256Key = as.verifier().build()) {
      assertThat(oneEs256Key.verify(withoutKid).subject()).isEqualTo(SUBJECT);
    }
    as.keys.publishKey(TestKey.ecP256()); // a second ES256 key: selection now depends on kid
    try (AccessTokenVerifier twoEs256Keys = as.verifier().build()) {
      assertRefused(twoEs256Keys, withoutKid, Reason.UNKNOWN_KEY, "has no kid", "2 different ES256 keys");
      assertThat(twoEs256Keys.verify(as.token().sign()).subject()).isEqualTo(SUBJECT); // with its kid it still verifies
    }

    Assumptions.abort("RFC 9068 does not require kid (section 2.1 asks of the header only a signature algorithm other"
        + " than none and typ; section 4: the profile \"does not provide a mechanism for identifying a specific key\") and"
        + " RFC 7515 section 4.1.4 makes kid OPTIONAL, so refusing every token without kid would refuse conforming tokens."
        + " TokenGuard meets the case's condition \"when key selection depends on kid\": with several issuer keys fitting"
        + " the alg a token without kid is refused as UNKNOWN_KEY naming kid; with exactly one it is verified with that key"
        + " (this test checks both)");
  }

  @Test
  @ConformanceCase("rfc9068-iat-future-must-be-rejected-beyond-leeway")
  void anIatBeyondTheClockSkewInTheFutureIsRefused() {
    try (AccessTokenVerifier verifier = as.verifier().clockSkew(Duration.ofSeconds(30)).build()) {
      assertRefused(verifier, as.token().issuedAt(NOW.plusSeconds(31)).sign(), Reason.NOT_YET_VALID, "iat");
    }
  }

  /** The other side of the leeway: an {@code iat} ahead by no more than the clock skew is tolerated. */
  @Test
  @ConformanceCase("rfc9068-iat-future-must-be-rejected-beyond-leeway")
  void anIatWithinTheClockSkewInTheFutureIsTolerated() {
    try (AccessTokenVerifier verifier = as.verifier().clockSkew(Duration.ofSeconds(30)).build()) {
      assertThat(verifier.verify(as.token().issuedAt(NOW.plusSeconds(30)).sign()).issuedAt()).contains(NOW.plusSeconds(30));
    }
  }

  /** The case's claims with {@code nbf} five minutes ahead, against the default clock skew (60 s). */
  @Test
  @ConformanceCase("rfc9068-nbf-must-be-honored-when-present")
  void anNbfInTheFutureBeyondTheClockSkewIsRefused() {
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      assertRefused(verifier, as.token().notBefore(NOW.plus(Duration.ofMinutes(5))).sign(), Reason.NOT_YET_VALID, "nbf");
    }
  }

  /**
   * At verification: {@code none} (any case) and the RS256-to-HS256 confusion (HMAC keyed with
   * the issuer's published RSA key) are refused even by a verifier that accepts every algorithm
   * TokenGuard knows; an asymmetric algorithm the verifier was not given is refused too.
   */
  @ParameterizedTest(name = "alg {0}")
  @ValueSource(strings = {"none", "NONE", "HS256", "RS256 not configured"})
  @ConformanceCase("rfc8725-allowed-jwt-algorithms-must-be-restricted")
  void aTokenWithAnAlgorithmOutsideTheAllowListIsRefused(String alg) {
    String token;
    Algorithm[] allowed = Algorithm.values();
    switch (alg) {
      case "none":
        token = as.token().algNone().sign();
        break;
      case "NONE":
        token = as.token().algNone().header("alg", "NONE").sign();
        break;
      case "HS256":
        token = as.token().hs256WithPublicKey().sign();
        break;
      default:
        token = as.keys.rfc9068AccessToken().issuer(ISSUER).sign(); // RS256 with the issuer's published RSA key
        allowed = new Algorithm[] {Algorithm.ES256};
    }
    assertThat(header(token).get("alg")).isEqualTo(alg.split(" ")[0]);
    try (AccessTokenVerifier verifier = as.verifier().algorithms(allowed).build()) {
      assertRefused(verifier, token, Reason.UNSUPPORTED_ALGORITHM, "alg", alg.split(" ")[0]);
    }
  }

  /**
   * At construction: {@code none} and the HMAC algorithms cannot be named ({@link Algorithm} holds
   * asymmetric algorithms only), and a key set whose only key is symmetric ({@code kty: oct}, what
   * HS256 would need) is refused by {@code build()}.
   */
  @Test
  @ConformanceCase("rfc8725-allowed-jwt-algorithms-must-be-restricted")
  void noneAndHmacCannotBeConfigured() {
    assertThat(Arrays.stream(Algorithm.values()).map(Algorithm::keyType)).containsOnly("RSA", "EC", "OKP");
    for (String name : List.of("none", "HS256", "HS384", "HS512")) {
      assertThatThrownBy(() -> Algorithm.valueOf(name)).isInstanceOf(IllegalArgumentException.class);
    }
    String symmetricOnly = "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"" + KID + "\",\"alg\":\"HS256\",\"k\":\"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA\"}]}";
    assertThatThrownBy(() -> AccessTokenVerifier.builder().issuer(ISSUER).audience(RESOURCE).jwks(symmetricOnly).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no usable signing key");
  }

  @Test
  @ConformanceCase("rfc8707-verifier-must-accept-resource-when-present-in-aud-array")
  void theResourceAsOneValueOfAnAudArrayIsAccepted() {
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      AccessToken verified = verifier.verify(as.token().audience("https://other.example.com", RESOURCE).sign());
      assertThat(verified.audience()).containsExactly("https://other.example.com", RESOURCE);
    }
  }

  /**
   * The header is the case's ({@code typ: at+jwt, kid: test-key-1}) without {@code alg}, signed
   * with a valid ES256 signature (minted here with Nimbus, because the fixture cannot leave a
   * header parameter out; the key is given to the verifier as a document). The same token with
   * {@code alg: ES256} verifies, so only the missing {@code alg} is refused.
   */
  @Test
  @ConformanceCase("rfc9068-token-header-must-contain-alg")
  void aHeaderWithoutAlgIsRefused() throws JOSEException {
    ECKey key = new ECKeyGenerator(Curve.P_256).keyID(KID).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("typ", "at+jwt");
    header.put("kid", KID);
    try (AccessTokenVerifier verifier = AccessTokenVerifier.builder().issuer(ISSUER).audience(RESOURCE)
        .jwks(new JWKSet(key.toPublicJWK()).toString()).algorithms(Algorithm.ES256).strictRfc9068().clock(as.clock).build()) {
      assertRefused(verifier, signEs256(key, header), Reason.MALFORMED, "no alg");

      header.put("alg", "ES256");
      assertThat(verifier.verify(signEs256(key, header)).subject()).isEqualTo(SUBJECT);
    }
  }

  /** The fixture's variant: {@code alg} present but JSON {@code null}. */
  @Test
  @ConformanceCase("rfc9068-token-header-must-contain-alg")
  void aHeaderWithANullAlgIsRefused() {
    String token = as.token().header("alg", null).sign();
    assertThat(header(token)).containsEntry("alg", null);
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      assertRefused(verifier, token, Reason.MALFORMED, "no alg");
    }
  }

  @Test
  @ConformanceCase("rfc9068-signature-failure-must-reject-token")
  void aTamperedSignatureIsRefused() {
    String token = as.token().tamperedSignature().sign();
    assertThat(header(token)).containsOnly(entry("alg", "ES256"), entry("typ", "at+jwt"), entry("kid", KID));
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      assertRefused(verifier, token, Reason.BAD_SIGNATURE, "does not verify with key \"" + KID + "\"");
    }
  }

  /** A valid ES256 signature by another key, under the published key's {@code kid}. */
  @Test
  @ConformanceCase("rfc9068-signature-failure-must-reject-token")
  void aSignatureByAnotherKeyUnderThePublishedKidIsRefused() {
    String token = as.token().signedWith(TestKey.ecP256().withKeyId(KID)).sign();
    try (AccessTokenVerifier verifier = as.verifier().build()) {
      assertRefused(verifier, token, Reason.BAD_SIGNATURE, "does not verify with key \"" + KID + "\"");
    }
  }

  /**
   * The case's outcome matrix with 30 s of clock skew, one second either side of the tolerance.
   * {@code exp} rows: issued an hour before expiring; {@code nbf} rows: issued now.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "exp_past_beyond_skew,   exp, -31, EXPIRED",
      "exp_past_within_skew,   exp, -29,",
      "nbf_future_beyond_skew, nbf,  31, NOT_YET_VALID",
      "nbf_future_within_skew, nbf,  29,",
  })
  @ConformanceCase("rfc9068-expiration-and-clock-skew-must-be-enforced")
  void expAndNbfAreEnforcedWithTheConfiguredClockSkew(String row, String claim, long offsetSeconds, Reason refusal) {
    Instant at = NOW.plusSeconds(offsetSeconds);
    String token = claim.equals("exp")
        ? as.token().issuedAt(at.minus(Duration.ofHours(1))).claim("exp", at.getEpochSecond()).sign()
        : as.token().notBefore(at).sign();
    try (AccessTokenVerifier verifier = as.verifier().clockSkew(Duration.ofSeconds(30)).build()) {
      if (refusal == null) {
        AccessToken verified = verifier.verify(token);
        assertThat(claim.equals("exp") ? verified.expiresAt() : verified.notBefore().orElseThrow()).isEqualTo(at);
      } else {
        assertRefused(verifier, token, refusal, claim.equals("exp") ? "expired at " + at : "nbf " + at);
      }
    }
  }

  /** A compact JWS over {@code header} and the catalog's valid claims, signed ES256 with {@code key}. */
  private static String signEs256(ECKey key, Map<String, Object> header) throws JOSEException {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", ISSUER);
    claims.put("aud", RESOURCE);
    claims.put("sub", SUBJECT);
    claims.put("client_id", CLIENT_ID);
    claims.put("exp", NOW.plus(Duration.ofHours(1)).getEpochSecond());
    claims.put("iat", NOW.getEpochSecond());
    claims.put("jti", JTI);
    String input = Base64URL.encode(JSONObjectUtils.toJSONString(header)) + "." + Base64URL.encode(JSONObjectUtils.toJSONString(claims));
    Base64URL signature = new ECDSASigner(key).sign(new JWSHeader(JWSAlgorithm.ES256), input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + signature;
  }
}
