package dev.tokenguard;

import static dev.tokenguard.AttackTokens.HEADER;
import static dev.tokenguard.AttackTokens.NOW_S;
import static dev.tokenguard.AttackTokens.b64;
import static dev.tokenguard.AttackTokens.payload;
import static dev.tokenguard.AttackTokens.quote;
import static dev.tokenguard.TokenVerificationException.Reason.BAD_SIGNATURE;
import static dev.tokenguard.TokenVerificationException.Reason.EXPIRED;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_A_JWS;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_ALGORITHM;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_HEADER;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Resource bounds (SECURITY-RULES and the encodings of 1.3): hostile sizes, depths,
 * numbers and encodings are rejected in bounded time, with a clear reason and a short log
 * message. "Bounded time" is a generous 2 s per token (the real figures are milliseconds), run
 * preemptively so a hang fails the test instead of the build.
 */
class ResourceBoundsTest {
  private static final Duration BOUND = Duration.ofSeconds(2);
  private static final AttackTokens T = AttackTokens.create();
  private static final AccessTokenVerifier VERIFIER = T.verifierBuilder().build();
  /** The largest token size the builder allows: bounds must hold there too. */
  private static final AccessTokenVerifier ONE_MIB = T.verifierBuilder().maxTokenBytes(1024 * 1024).build();

  private static TokenVerificationException.Reason boundedReason(AccessTokenVerifier verifier, String token) {
    TokenVerificationException e = assertTimeoutPreemptively(BOUND, () -> AttackTokens.rejection(verifier, token));
    assertThat(e.getMessage()).as("log detail stays short").hasSizeLessThan(400);
    return e.reason();
  }

  private static String signed(String... claims) {
    return T.sign(HEADER, payload(claims));
  }

  // size
  @Test
  void rejectsATokenOverTheDefault16KiBBeforeParsingIt() {
    String claims = payload("pad", quote("x".repeat(16 * 1024)));
    assertThat(boundedReason(VERIFIER, T.sign(HEADER, claims))).isEqualTo(MALFORMED);
    // Not even decoded: a 5 MB string of garbage gets the same answer.
    assertThat(boundedReason(VERIFIER, "%".repeat(5 * 1024 * 1024))).isEqualTo(MALFORMED);
  }

  @Test
  void acceptsAValidTokenJustUnderTheLimit() {
    String claims = payload("pad", quote("x".repeat(11 * 1024)));
    String token = T.sign(HEADER, claims);
    assertThat(token.length()).isLessThan(16 * 1024);
    assertThat(assertTimeoutPreemptively(BOUND, () -> VERIFIER.verify(token)).subject()).isEqualTo("user-1");
  }

  @Test
  void honoursASmallerConfiguredLimit() {
    AccessTokenVerifier small = T.verifierBuilder().maxTokenBytes(1024).build();
    assertThat(boundedReason(small, signed("pad", quote("x".repeat(1024))))).isEqualTo(MALFORMED);
  }

  @Test
  void aOneMiBPayloadWithABogusSignatureIsRejectedInBoundedTime() {
    StringBuilder members = new StringBuilder("{");
    for (int i = 0; members.length() < 700_000; i++) {
      members.append("\"m").append(i).append("\":").append(i).append(',');
    }
    members.append("\"iss\":").append(quote(AttackTokens.ISSUER)).append(",\"sub\":\"a\",\"aud\":")
        .append(quote(AttackTokens.AUDIENCE)).append(",\"exp\":").append(NOW_S + 60).append('}');
    String token = b64(HEADER) + "." + b64(members.toString()) + "." + b64(new byte[256]);
    assertThat(token.length()).isLessThan(1024 * 1024);
    assertThat(boundedReason(ONE_MIB, token)).isEqualTo(BAD_SIGNATURE);
  }

  @Test
  void veryLongClaimStringsAndArraysAreHandledInBoundedTime() {
    List<String> permissions = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      permissions.add(quote("p" + i));
    }
    String token = signed("permissions", "[" + String.join(",", permissions) + "]", "name", quote("n".repeat(400_000)));
    AccessToken accepted = assertTimeoutPreemptively(BOUND, () -> ONE_MIB.verify(token));
    assertThat(accepted.scopes()).hasSize(20_002);
    String forged = token.substring(0, token.lastIndexOf('.') + 1) + b64(new byte[256]);
    assertThat(boundedReason(ONE_MIB, forged)).isEqualTo(BAD_SIGNATURE);
  }

  // deep nesting in claims
  @Test
  void rejectsClaimsNestedDeeperThanTheJsonLimit() {
    assertThat(boundedReason(VERIFIER, signed("deep", "[".repeat(300) + "]".repeat(300)))).isEqualTo(MALFORMED);
    assertThat(boundedReason(VERIFIER, signed("deep", "{\"a\":".repeat(300) + "1" + "}".repeat(300)))).isEqualTo(MALFORMED);
    // Deeper still, as far as the size limit allows.
    assertThat(boundedReason(ONE_MIB, signed("deep", "[".repeat(200_000) + "]".repeat(200_000)))).isEqualTo(MALFORMED);
  }

  @Test
  void acceptsCustomClaimsNestedUpToTheLimitAndFreezesThem() {
    // The claims set is level 1, so a claim can nest 63 more levels.
    String token = signed("nested", "[".repeat(Json.MAX_DEPTH - 1) + "1" + "]".repeat(Json.MAX_DEPTH - 1));
    AccessToken accepted = assertTimeoutPreemptively(BOUND, () -> VERIFIER.verify(token));
    Object level = accepted.claims().get("nested");
    for (int i = 1; i < Json.MAX_DEPTH - 1; i++) {
      assertThatThrownBy(((List<?>) level)::clear).isInstanceOf(UnsupportedOperationException.class);
      level = ((List<?>) level).get(0);
    }
    assertThat(level).isEqualTo(List.of(1L));
    assertThat(boundedReason(VERIFIER, signed("nested", "[".repeat(Json.MAX_DEPTH) + "1" + "]".repeat(Json.MAX_DEPTH)))).isEqualTo(MALFORMED);
    assertThat(boundedReason(VERIFIER, signed("nested", "{\"a\":".repeat(Json.MAX_DEPTH) + "1" + "}".repeat(Json.MAX_DEPTH)))).isEqualTo(MALFORMED);
  }

  // header nesting and size
  @Test
  void rejectsADeeplyNestedHeader() {
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertThat(boundedReason(VERIFIER, T.sign(header, payload()))).isEqualTo(MALFORMED);
  }

  @Test
  void rejectsAHeaderOver20000Characters() {
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"x\":\"" + "x".repeat(20_001) + "\"}";
    // Under the 1 MiB token limit, so the header limit itself refuses it.
    TokenVerificationException e = AttackTokens.rejection(ONE_MIB, T.sign(header, payload()));
    assertThat(e.reason()).isEqualTo(MALFORMED);
    assertThat(e.getMessage()).contains("the header has");
  }

  // Numeric dates: strings, floats, negatives, exponents, beyond long
  @ParameterizedTest
  @ValueSource(strings = {"-1", "-1767229200", "-0.5", "1e300", "1E+300", "1e999", "-1e999", "9223372036854775807", "9223372036854775808",
      "18446744073709551616", "123456789012345678901234567890", "253402300800", "1.7976931348623157E309"})
  void rejectsAnExpOutsideTheRangeOfDates(String exp) {
    assertThat(boundedReason(VERIFIER, signed("exp", exp))).isEqualTo(MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nbf", "iat"})
  void rejectsNbfAndIatOutsideTheRangeOfDates(String claim) {
    for (String value : new String[] {"-1", "1e300", "9223372036854775808", "\"0\""}) {
      assertThat(boundedReason(VERIFIER, signed(claim, value))).as(claim + "=" + value).isEqualTo(MALFORMED);
    }
  }

  @Test
  void rejectsANumberLiteralWithAMillionDigitsInBoundedTime() {
    assertThat(boundedReason(ONE_MIB, signed("exp", "1" + "0".repeat(700_000)))).isEqualTo(MALFORMED);
    // A long but finite literal (about 1e9) is refused by the JSON parser as well, just as fast:
    // number literals have at most 64 digits.
    assertThat(boundedReason(ONE_MIB, signed("exp", "1." + "0".repeat(700_000) + "1e9"))).isEqualTo(MALFORMED);
    assertThat(boundedReason(ONE_MIB, signed("exp", "1." + "0".repeat(62) + "1e9"))).isEqualTo(MALFORMED);
    assertThat(boundedReason(ONE_MIB, signed("exp", "1." + "0".repeat(60) + "1e9"))).isEqualTo(EXPIRED);
  }

  @Test
  void acceptsFractionalAndExponentNumericDatesByTruncating() {
    long exp = NOW_S + 600;
    assertThat(VERIFIER.verify(signed("exp", exp + ".5")).expiresAt().getEpochSecond()).isEqualTo(exp);
    assertThat(VERIFIER.verify(signed("exp", exp / 10 + "0E0")).expiresAt().getEpochSecond()).isEqualTo(exp);
    assertThat(VERIFIER.verify(signed("exp", "1.7672256E9", "iat", "1.7672256E9")).expiresAt().getEpochSecond()).isEqualTo(1_767_225_600L);
  }

  // Encodings: invalid UTF-8
  @Test
  void rejectsInvalidUtf8InClaimsAndHeader() {
    byte[][] invalid = {
      {(byte) 0xff}, {(byte) 0xfe}, {(byte) 0xc0, (byte) 0x80}, {(byte) 0xe0, (byte) 0x80, (byte) 0xaf},
      {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xc3}, {(byte) 0x80}
    };
    for (byte[] bytes : invalid) {
      byte[] claims = concat("{\"iss\":\"".getBytes(UTF_8), bytes, ("\",\"sub\":\"a\",\"aud\":" + quote(AttackTokens.AUDIENCE) + ",\"exp\":" + (NOW_S + 60) + "}").getBytes(UTF_8));
      assertThat(assertTimeoutPreemptively(BOUND, () -> AttackTokens.rejection(VERIFIER, T.sign(HEADER.getBytes(UTF_8), claims))).reason())
          .isEqualTo(MALFORMED);
      byte[] header = concat("{\"alg\":\"RS256\",\"kid\":\"".getBytes(UTF_8), AttackTokens.KID.getBytes(UTF_8), bytes, "\"}".getBytes(UTF_8));
      assertThat(AttackTokens.rejection(VERIFIER, T.sign(header, payload().getBytes(UTF_8))).reason()).isEqualTo(MALFORMED);
    }
  }

  @Test
  void rejectsAnEscapedUnpairedSurrogateInClaimsAndHeader() {
    // Its raw UTF-8 form (ED A0 80) is refused above; the escaped form is refused alike.
    for (String escaped : new String[] {"\\ud800", "\\udc00", "\\ud83d!"}) {
      assertThat(boundedReason(VERIFIER, signed("name", "\"" + escaped + "\""))).isEqualTo(MALFORMED);
      assertThat(boundedReason(VERIFIER, signed("sub", "\"user" + escaped + "\""))).isEqualTo(MALFORMED);
      String header = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"x\":\"" + escaped + "\"}";
      assertThat(boundedReason(VERIFIER, T.sign(header, payload()))).isEqualTo(MALFORMED);
    }
  }

  @Test
  void acceptsUnicodeClaimsIncludingEscapedAndAstralCharacters() {
    AccessToken token = VERIFIER.verify(signed("sub", "\"\u30e6\u30fc\u30b6\u30fc\ud83d\ude00\"", "name", "\"\\u0041\\ud83d\\ude00\""));
    assertThat(token.subject()).isEqualTo("\u30e6\u30fc\u30b6\u30fc\ud83d\ude00");
  }

  @Test
  void rejectsTheNulCharacterAndControlCharactersOutsideTheAlphabet() {
    String token = signed();
    for (String c : new String[] {"\u0000", "\t", "\u00a0", "\u2028", "\ufeff", "\ud83d\ude00", "%41", "\\"}) {
      String tampered = token.substring(0, 20) + c + token.substring(20);
      assertThat(boundedReason(VERIFIER, tampered)).as("U+%04X", (int) c.charAt(0)).isEqualTo(MALFORMED);
    }
  }

  // Encodings: base64url padding and alphabet tricks
  @Test
  void rejectsBase64urlPaddingAlphabetAndCanonicalFormTricks() {
    String token = signed();
    String[] p = token.split("\\.");
    List<String> variants = new ArrayList<>();
    variants.add(p[0] + "." + p[1] + "==" + "." + p[2]);
    variants.add(p[0] + "." + p[1] + "." + p[2] + "=");
    variants.add(p[0].replace('-', '+').replace('_', '/') + "+/." + p[1] + "." + p[2]);
    variants.add(p[0] + "." + p[1] + "A" + "." + p[2]); // length 4n+1 is never base64
    variants.add(p[0] + "." + p[1] + "." + p[2].substring(0, p[2].length() - 1) + next(p[2].charAt(p[2].length() - 1)));
    if (p[1].length() % 4 != 0) {
      // Only a partial last group has unused bits that a second encoding could set.
      variants.add(p[0] + "." + p[1].substring(0, p[1].length() - 1) + next(p[1].charAt(p[1].length() - 1)) + "." + p[2]);
    }
    variants.add(p[0] + "." + p[1] + "." + p[2] + ".");
    variants.add(p[0] + "." + p[1] + "." + p[2] + "." + p[2]);
    variants.add("." + p[1] + "." + p[2]);
    variants.add(p[0] + "." + "." + p[2]);
    for (String variant : variants) {
      assertThat(boundedReason(VERIFIER, variant)).as(variant.substring(0, 8)).isEqualTo(MALFORMED);
    }
    assertThat(VERIFIER.verify(token).subject()).isEqualTo("user-1");
  }

  // JWE-only parameters and costly key derivations never get near a decoder
  @Test
  void rejectsPbes2AndCompressedJweShapesFast() {
    String pbes2 = b64("{\"alg\":\"PBES2-HS512+A256KW\",\"enc\":\"A256GCM\",\"p2c\":2147483647,\"p2s\":\"AAAAAAAAAAA\"}");
    assertThat(boundedReason(VERIFIER, pbes2 + ".AAAA.AAAA.AAAA.AAAA")).isEqualTo(NOT_A_JWS);
    assertThat(boundedReason(VERIFIER, pbes2 + "." + b64(payload()) + ".AAAA")).isEqualTo(NOT_A_JWS);
    String zip = b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"zip\":\"DEF\"}");
    assertThat(boundedReason(VERIFIER, zip + ".AAAA.AAAA." + "A".repeat(12_000) + ".AAAA")).isEqualTo(NOT_A_JWS);
    String jwsZip = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"zip\":\"DEF\"}";
    assertThat(boundedReason(VERIFIER, T.sign(jwsZip, payload()))).isEqualTo(UNSUPPORTED_HEADER);
    String p2cOnly = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"p2c\":2147483647}";
    assertThat(boundedReason(VERIFIER, T.sign(p2cOnly, payload()))).isEqualTo(UNSUPPORTED_HEADER);
    String pbes2Alg = "{\"alg\":\"PBES2-HS512+A256KW\",\"p2c\":2147483647}";
    assertThat(boundedReason(VERIFIER, T.sign(pbes2Alg, payload()))).isEqualTo(UNSUPPORTED_ALGORITHM);
  }

  //
  @Test
  void jsonSmartIsNotOnTheClasspath() {
    // json-smart had its own deep-nesting CVE (CVE-2023-1370); tokens are parsed with jackson-core.
    assertThatThrownBy(() -> Class.forName("net.minidev.json.parser.JSONParser")).isInstanceOf(ClassNotFoundException.class);
  }

  // error and log amplification
  @Test
  void rejectionMessagesStayShortWhateverTheInput() {
    String longKid = "{\"alg\":\"RS256\",\"kid\":\"" + "k".repeat(250) + "\"}";
    String longAlg = "{\"alg\":\"" + "A".repeat(8000) + "\"}";
    String longIss = payload("iss", quote("i".repeat(8000)));
    String longAud = payload("aud", "[" + String.join(",", java.util.Collections.nCopies(1000, quote("a".repeat(8)))) + "]");
    List<String> tokens = List.of(
        T.sign(longKid, payload()), T.sign(longAlg, payload()), T.sign(HEADER, longIss), T.sign(HEADER, longAud),
        "\u0001".repeat(10_000), ".".repeat(10_000));
    for (String token : tokens) {
      boundedReason(VERIFIER, token);
    }
  }

  private static char next(char c) {
    return c == 'A' ? 'B' : c == 'Q' ? 'R' : c == 'g' ? 'h' : c == 'w' ? 'x' : (char) (c + 1);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
