package dev.tokenguard;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link AccessTokenVerifier#verify(String)}, the entry point every
 * byte of an {@code Authorization} header reaches.
 *
 * <p>The contract under test: whatever the input, {@code verify} returns a token or throws
 * {@link TokenVerificationException} with a 401 reason, within the per-input time limit; it never
 * accepts a token whose signature it did not make; and a token it accepts really has the
 * configured issuer and audience and has not expired. Any other outcome is a finding.
 *
 * <p>Input format (so seeds are readable JSON, not committed JWTs): the first line names a mode.
 * <ul>
 *   <li>{@code signed} / {@code signed-es256}: line 2 is the header, the rest is the payload;
 *       both are base64url-encoded as they are (any bytes) and signed with the trusted RS256 /
 *       ES256 key, so the fuzzer reaches the code behind the signature check;
 *   <li>{@code forged}: line 2 header, line 3 payload, the rest is the signature bytes;
 *   <li>anything else: the whole input, decoded as UTF-8, is the token.
 * </ul>
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the seeds and past findings under
 * {@code src/test/resources/dev/tokenguard/VerifierFuzzTestInputs/verify/} as regression tests.
 * A campaign: {@code JAZZER_FUZZ=1 mvn -pl core test -Dtest=VerifierFuzzTest -Djazzer.max_duration=10m}
 * (see SECURITY.md).
 */
class VerifierFuzzTest {
  private static final String ISSUER = AttackTokens.ISSUER;
  private static final String AUDIENCE = AttackTokens.AUDIENCE;
  /** 2026-01-01T00:00:00Z = 1767225600: the seeds' exp/iat values are relative to it. */
  private static final Instant NOW = AttackTokens.NOW;

  private static final RSAKey RSA_KEY = AttackTokens.rsa(2048, "fuzz-rsa");
  private static final ECKey EC_KEY = ecKey();
  private static final String JWKS = new JWKSet(List.of(RSA_KEY.toPublicJWK(), EC_KEY.toPublicJWK())).toString();

  /** Verifies tokens signed here; a separate instance so its verified-token cache holds only those. */
  private static final AccessTokenVerifier SIGNED = verifier();
  /** Verifies forged and raw tokens: it must never accept one. */
  private static final AccessTokenVerifier UNTRUSTED = verifier();

  @FuzzTest(maxDuration = "60s")
  @Timeout(10)
  @DictionaryEntries({
    "signed", "signed-es256", "forged", "\"alg\"", "\"RS256\"", "\"ES256\"", "\"none\"", "\"kid\"",
    "\"fuzz-rsa\"", "\"fuzz-ec\"", "\"typ\"", "\"at+jwt\"", "\"JWT\"", "\"crit\"", "\"b64\"", "\"cty\"",
    "\"enc\"", "\"jku\"", "\"jwk\"", "\"x5c\"", "\"iss\"", "\"" + ISSUER + "\"", "\"aud\"", "\"" + AUDIENCE + "\"",
    "\"sub\"", "\"exp\"", "\"nbf\"", "\"iat\"", "1767229200", "1767225600", "\"scope\"", "\"permissions\"",
    "\"client_id\"", "\"azp\"", "\"jti\"", "\"gty\"", "\"nonce\"", "\"at_hash\"", "1e308", "9223372036854775808",
    "-0.5", "null", "[", "{"
  })
  void verify(byte[] input) {
    Token token = Token.from(input);
    if (token == null) {
      return;
    }
    AccessTokenVerifier verifier = token.signedHere ? SIGNED : UNTRUSTED;
    AccessToken accepted;
    try {
      accepted = verifier.verify(token.compact);
    } catch (TokenVerificationException e) {
      checkRejection(e, token.compact);
      return;
    }
    if (!token.signedHere) {
      throw new AssertionError("accepted a token whose signature the trusted keys never made");
    }
    checkAccepted(accepted);
    // The verified-token cache must give the same answer.
    AccessToken again = verifier.verify(token.compact);
    if (!again.subject().equals(accepted.subject()) || !again.expiresAt().equals(accepted.expiresAt())) {
      throw new AssertionError("a cache hit returned a different token");
    }
  }

  /** The harness itself: the valid seeds really verify, so the fuzzer starts behind the signature check. */
  @Test
  void validSeedsAreAcceptedAndForgedOnesRejected() throws IOException {
    for (String seed : List.of("valid-auth0-profile", "valid-rfc9068-profile", "valid-es256", "valid-no-kid", "machine-to-machine")) {
      Token token = Token.from(seed(seed));
      if (token == null || !token.signedHere) {
        throw new AssertionError(seed + " is not a signed seed");
      }
      checkAccepted(SIGNED.verify(token.compact));
    }
    for (String seed : List.of("alg-none-empty-signature", "rs256-zero-signature", "es256-r-s-zero", "jwe-five-parts")) {
      Token token = Token.from(seed(seed));
      try {
        UNTRUSTED.verify(token.compact);
        throw new AssertionError(seed + " was accepted");
      } catch (TokenVerificationException expected) {
        checkRejection(expected, token.compact);
      }
    }
  }

  private static byte[] seed(String name) throws IOException {
    try (InputStream in = VerifierFuzzTest.class.getResourceAsStream("VerifierFuzzTestInputs/verify/" + name)) {
      if (in == null) {
        throw new AssertionError("missing seed " + name);
      }
      return in.readAllBytes();
    }
  }

  static void checkRejection(TokenVerificationException e, String token) {
    if (e.reason() == null || e.httpStatus() != 401) {
      throw new AssertionError("unexpected rejection " + e.reason() + " / " + e.httpStatus());
    }
    if (!e.safeDescription().equals(e.reason().safeDescription())) {
      throw new AssertionError("safeDescription is not the fixed text of " + e.reason());
    }
    if (token.length() >= 24 && String.valueOf(e.getMessage()).contains(token)) {
      throw new AssertionError("the rejection message contains the token");
    }
  }

  private static void checkAccepted(AccessToken t) {
    if (!ISSUER.equals(t.issuer()) || !ISSUER.equals(t.claims().get("iss"))) {
      throw new AssertionError("accepted a token from another issuer");
    }
    if (!t.audience().contains(AUDIENCE)) {
      throw new AssertionError("accepted a token for another audience: " + t.audience());
    }
    if (!t.expiresAt().isAfter(NOW.minus(Duration.ofSeconds(60)))) {
      throw new AssertionError("accepted an expired token");
    }
    for (String idTokenClaim : List.of("nonce", "at_hash", "c_hash", "s_hash")) {
      if (t.claims().containsKey(idTokenClaim)) {
        throw new AssertionError("accepted an ID token (" + idTokenClaim + ")");
      }
    }
    if (t.subject() == null || !t.subject().equals(t.claims().get("sub"))) {
      throw new AssertionError("accepted a token without a subject");
    }
  }

  /** One fuzz input turned into a compact token. */
  static final class Token {
    final String compact;
    final boolean signedHere;

    private Token(String compact, boolean signedHere) {
      this.compact = compact;
      this.signedHere = signedHere;
    }

    static Token from(byte[] input) {
      int nl1 = indexOf(input, 0);
      String mode = nl1 < 0 ? "" : new String(input, 0, nl1, UTF_8);
      switch (mode) {
        case "signed":
        case "signed-es256": {
          int nl2 = indexOf(input, nl1 + 1);
          if (nl2 < 0) {
            return null;
          }
          String signingInput = AttackTokens.b64(Arrays.copyOfRange(input, nl1 + 1, nl2)) + "." + AttackTokens.b64(Arrays.copyOfRange(input, nl2 + 1, input.length));
          return new Token(signingInput + "." + sign(mode.equals("signed") ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256, signingInput), true);
        }
        case "forged": {
          int nl2 = indexOf(input, nl1 + 1);
          int nl3 = nl2 < 0 ? -1 : indexOf(input, nl2 + 1);
          if (nl3 < 0) {
            return null;
          }
          return new Token(
              AttackTokens.b64(Arrays.copyOfRange(input, nl1 + 1, nl2)) + "." + AttackTokens.b64(Arrays.copyOfRange(input, nl2 + 1, nl3))
                  + "." + AttackTokens.b64(Arrays.copyOfRange(input, nl3 + 1, input.length)),
              false);
        }
        default:
          return new Token(new String(input, UTF_8), false);
      }
    }

    private static int indexOf(byte[] input, int from) {
      for (int i = from; i < input.length; i++) {
        if (input[i] == '\n') {
          return i;
        }
      }
      return -1;
    }
  }

  private static String sign(JWSAlgorithm alg, String signingInput) {
    try {
      JWSHeader header = new JWSHeader(alg);
      byte[] input = signingInput.getBytes(UTF_8);
      return (alg == JWSAlgorithm.RS256 ? new RSASSASigner(RSA_KEY) : new ECDSASigner(EC_KEY)).sign(header, input).toString();
    } catch (JOSEException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  private static AccessTokenVerifier verifier() {
    return AccessTokenVerifier.builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .algorithms(Algorithm.RS256, Algorithm.ES256)
        .jwks(JWKS)
        .clock(AttackTokens.CLOCK)
        .build();
  }

  private static ECKey ecKey() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID("fuzz-ec").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
