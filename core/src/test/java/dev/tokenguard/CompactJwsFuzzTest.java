package dev.tokenguard;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the JWS layer alone: {@link CompactJws#parse} with arbitrary strings (grammar, base64url,
 * UTF-8, header JSON and header policy), then the payload parse and a signature check with an RSA,
 * an EC and an Ed25519 key. Every outcome must be a parsed JWS or a {@link TokenVerificationException}.
 *
 * <p>Seeds and findings: {@code src/test/resources/dev/tokenguard/CompactJwsFuzzTestInputs/parse/}.
 * A campaign: {@code JAZZER_FUZZ=1 mvn -pl core test -Dtest=CompactJwsFuzzTest -Djazzer.max_duration=5m}.
 */
class CompactJwsFuzzTest {
  private static final Set<Algorithm> ALL = EnumSet.allOf(Algorithm.class);
  private static final VerificationKey RSA = key(true);
  private static final VerificationKey EC = key(false);
  private static final VerificationKey ED25519 = ed25519();

  @FuzzTest(maxDuration = "60s")
  @Timeout(10)
  @DictionaryEntries({
    ".", "eyJ", "eyJhbGciOiJSUzI1NiJ9", "eyJhbGciOiJFUzI1NiJ9", "eyJhbGciOiJFZERTQSJ9", "eyJhbGciOiJub25lIn0", "e30", "=", "+", "/"
  })
  void parse(byte[] input) {
    String token = new String(input, UTF_8);
    CompactJws jws;
    try {
      jws = CompactJws.parse(token, ALL);
    } catch (TokenVerificationException e) {
      VerifierFuzzTest.checkRejection(e, token);
      return;
    }
    if (!ALL.contains(jws.algorithm) || jws.dot1 <= 0 || jws.dot2 <= jws.dot1 + 1 || jws.dot2 >= token.length() - 1) {
      throw new AssertionError("parse returned an inconsistent JWS");
    }
    for (String refused : new String[] {"crit", "b64", "cty", "enc", "zip"}) {
      if (jws.header.containsKey(refused)) {
        throw new AssertionError("parse let header " + refused + " through");
      }
    }
    try {
      jws.claims();
    } catch (TokenVerificationException e) {
      VerifierFuzzTest.checkRejection(e, token);
    }
    for (VerificationKey key : new VerificationKey[] {RSA, EC, ED25519}) {
      try {
        jws.verifySignature(key);
        throw new AssertionError("a random signature verified");
      } catch (TokenVerificationException e) {
        VerifierFuzzTest.checkRejection(e, token);
      }
    }
  }

  private static VerificationKey key(boolean rsa) {
    try {
      return VerificationKey.accept(
          rsa ? new RSAKeyGenerator(2048).keyID("r").generate().toPublicJWK() : new ECKeyGenerator(Curve.P_256).keyID("e").generate().toPublicJWK(),
          null);
    } catch (JOSEException | VerificationKey.KeyRefusedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static VerificationKey ed25519() {
    try {
      byte[] spki = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
      byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
      return VerificationKey.accept(new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID("d").build(), null);
    } catch (GeneralSecurityException | VerificationKey.KeyRefusedException e) {
      throw new IllegalStateException(e);
    }
  }
}
