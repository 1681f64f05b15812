package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.UNKNOWN_KEY;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_ALGORITHM;
import static dev.tokenguard.WycheproofVectors.list;
import static dev.tokenguard.WycheproofVectors.object;
import static dev.tokenguard.WycheproofVectors.tcId;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Project Wycheproof's JWS vectors ({@code json_web_signature_test.json}, 401 cases) through the
 * library's JWS layer: strict compact parsing with every algorithm enabled, the key policy on the
 * group's public JWK, then the signature check. The payloads are arbitrary bytes, not claims, so
 * the claim checks do not apply.
 *
 * <p>No {@code invalid} case may ever be accepted; every {@code valid} RS256 case must be. Valid
 * cases that the library's stricter policy refuses are listed in {@link #REFUSED_VALID} with the
 * reason and why; any other outcome fails the test.
 */
class WycheproofJwsTest {
  private static final Set<Algorithm> ALL = EnumSet.allOf(Algorithm.class);

  /**
   * {@code valid} per Wycheproof, refused on purpose here. HMAC ({@code HS256}) is never accepted
   * by this library (a resource server holds public keys only), so every valid HS256 case ends in
   * {@code UNSUPPORTED_ALGORITHM}; they are matched by algorithm in {@link #expectedRefusal}.
   */
  private static final Map<Integer, TokenVerificationException.Reason> REFUSED_VALID = Map.ofEntries(
      // "emptyPayload" (RS256/384/512, PS256/384/512): a JWS may sign zero bytes, but a JWT's
      // payload is a claims object, so the grammar check refuses an empty payload part before any
      // key is involved.
      Map.entry(259, MALFORMED),
      Map.entry(264, MALFORMED),
      Map.entry(268, MALFORMED),
      Map.entry(272, MALFORMED),
      Map.entry(320, MALFORMED),
      Map.entry(325, MALFORMED),
      // RFC 7520 figure 20: a PS384 token, but the group's key says alg PS256. One key, one
      // algorithm (RFC 8725 3.1): the key cannot verify PS384.
      Map.entry(346, UNKNOWN_KEY),
      // RFC 7520 figure 27: an ES512 token whose key says "alg":"ES521", an algorithm that does
      // not exist; the key policy refuses the key.
      Map.entry(347, UNKNOWN_KEY),
      // The same two figures again with key_ops ["verify"] (group rfc7520WithKeyOps).
      Map.entry(350, UNKNOWN_KEY),
      Map.entry(351, UNKNOWN_KEY),
      // "InvalidCharacterInsertedInHeader/Payload": a '?' inside a base64url part, marked valid
      // because lenient decoders skip it. The strict grammar (RFC 7515 2, rfc8725bis 3.14) refuses it.
      Map.entry(372, MALFORMED),
      Map.entry(373, MALFORMED));

  @Test
  void noInvalidCaseIsAcceptedAndEveryValidRs256CaseIs() throws Exception {
    Map<String, Object> vectors = WycheproofVectors.load("json_web_signature_test.json");
    int cases = 0;
    int acceptedValid = 0;
    List<String> failures = new ArrayList<>();
    for (Map<String, Object> group : list(vectors, "testGroups")) {
      Map<String, Object> jwk = group.containsKey("public") ? object(group, "public") : object(group, "private");
      JWK parsed = JWK.parse(jwk);
      // Groups given only a private key: asymmetric ones are verified with the public half;
      // symmetric (oct, HMAC) keys have no place in a JWKS and are never used.
      VerificationKey key = null;
      String refusedBecause = null;
      if (KeyType.OCT.equals(parsed.getKeyType())) {
        refusedBecause = "symmetric key";
      } else {
        try {
          key = VerificationKey.accept(parsed.toPublicJWK(), null);
        } catch (VerificationKey.KeyRefusedException e) {
          refusedBecause = e.getMessage();
        }
      }
      for (Map<String, Object> test : list(group, "tests")) {
        cases++;
        int id = tcId(test);
        String result = (String) test.get("result");
        String jws = (String) test.get("jws");
        TokenVerificationException.Reason outcome = run(jws, key);
        String what = "tcId " + id + " (" + group.get("comment") + "/" + test.get("comment") + ", " + result + "): ";
        switch (result) {
          case "invalid":
            // Includes tcId 367 and 370, byte-identical to valid tcId 357 in this snapshot (a data
            // issue, SECURITY-RULES 4.1): they are HS256, refused whatever their label.
            if (outcome == null) {
              failures.add(what + "an invalid JWS was accepted");
            }
            break;
          case "valid":
            TokenVerificationException.Reason expected = expectedRefusal(id, jws);
            if (expected != outcome) {
              failures.add(what + "expected " + (expected == null ? "acceptance" : expected) + ", got "
                  + (outcome == null ? "acceptance" : outcome) + (refusedBecause == null ? "" : " (key refused: " + refusedBecause + ")"));
            } else if (outcome == null) {
              acceptedValid++;
            }
            break;
          default:
            // "acceptable": either outcome is allowed; this snapshot has none in this file.
            break;
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(cases).isEqualTo(((Number) vectors.get("numberOfTests")).intValue());
    assertThat(acceptedValid).as("valid cases accepted").isGreaterThan(20);
  }

  /** Null when a valid case must be accepted; otherwise the reason it is refused on purpose. */
  private static TokenVerificationException.Reason expectedRefusal(int tcId, String jws) {
    if (REFUSED_VALID.containsKey(tcId)) {
      return REFUSED_VALID.get(tcId);
    }
    if (jws.startsWith("{")) {
      return MALFORMED;
    }
    String alg = algOf(jws);
    return alg != null && alg.startsWith("HS") ? UNSUPPORTED_ALGORITHM : null;
  }

  /** Null when the JWS is accepted by the JWS layer, otherwise the rejection reason. */
  private static TokenVerificationException.Reason run(String jws, VerificationKey key) {
    try {
      CompactJws parsed = CompactJws.parse(jws, ALL);
      if (key == null) {
        return UNKNOWN_KEY;
      }
      parsed.verifySignature(key);
      return null;
    } catch (TokenVerificationException e) {
      return e.reason();
    }
  }

  private static String algOf(String jws) {
    try {
      String header = new String(java.util.Base64.getUrlDecoder().decode(jws.substring(0, jws.indexOf('.'))), java.nio.charset.StandardCharsets.UTF_8);
      Object alg = com.nimbusds.jose.util.JSONObjectUtils.parse(header).get("alg");
      return alg instanceof String ? (String) alg : null;
    } catch (RuntimeException | java.text.ParseException e) {
      return null;
    }
  }
}
