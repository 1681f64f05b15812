package dev.tokenguard;

import static dev.tokenguard.AttackTokens.AUDIENCE;
import static dev.tokenguard.AttackTokens.HEADER;
import static dev.tokenguard.AttackTokens.ISSUER;
import static dev.tokenguard.AttackTokens.NOW_S;
import static dev.tokenguard.AttackTokens.payload;
import static dev.tokenguard.AttackTokens.quote;
import static dev.tokenguard.AttackTokens.reasonFor;
import static dev.tokenguard.TokenVerificationException.Reason.EXPIRED;
import static dev.tokenguard.TokenVerificationException.Reason.ID_TOKEN_PRESENTED;
import static dev.tokenguard.TokenVerificationException.Reason.INSUFFICIENT_SCOPE;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.MISSING_CLAIM;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_YET_VALID;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_AUDIENCE;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_ISSUER;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_TYPE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.testing.FakeIssuer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Claim and type-confusion attacks (SECURITY-RULES A-38 to A-59): validly signed tokens whose
 * claims or type try to pass for something they are not. Numeric-date edge cases and encodings
 * are in {@link ResourceBoundsTest}.
 */
class AttackClaimsTest {
  private static final AttackTokens T = AttackTokens.create();
  private static final AccessTokenVerifier VERIFIER = T.verifierBuilder().build();
  private static final AccessTokenVerifier STRICT = T.verifierBuilder().strictRfc9068().build();
  private static final FakeIssuer ISSUER_FIXTURE = FakeIssuer.builder().clock(AttackTokens.CLOCK).start();
  private static final AccessTokenVerifier FIXTURE_VERIFIER = ISSUER_FIXTURE.verifierBuilder().build();

  @AfterAll
  static void stop() {
    ISSUER_FIXTURE.close();
  }

  private static String signed(String... claims) {
    return T.sign(HEADER, payload(claims));
  }

  // A-38
  @Test
  void rejectsAnIdTokenFromTheSameIssuerAndKey() {
    assertThat(reasonFor(FIXTURE_VERIFIER, ISSUER_FIXTURE.idToken().sign())).isEqualTo(ID_TOKEN_PRESENTED);
    // Even with our audience and a scope, a hash only ID tokens carry gives it away.
    for (String claim : new String[] {"at_hash", "c_hash", "s_hash"}) {
      assertThat(reasonFor(VERIFIER, signed(claim, "\"x\""))).as(claim).isEqualTo(ID_TOKEN_PRESENTED);
    }
    // A nonce alone is only evidence: without any mark of an access token it gives an ID token away.
    assertThat(reasonFor(VERIFIER, signed("nonce", "\"x\"", "scope", null))).isEqualTo(ID_TOKEN_PRESENTED);
  }

  @Test
  void rejectsAnIdTokenWithoutNonceWhoseAudienceIsItsClient() {
    String idToken = signed("aud", "\"client-1\"", "azp", "\"client-1\"", "scope", null);
    assertThat(reasonFor(VERIFIER, idToken)).isEqualTo(ID_TOKEN_PRESENTED);
  }

  // A-39, A-40
  @ParameterizedTest
  @ValueSource(strings = {"\"https://other-api.example.test\"", "[\"https://tenant.example.test/userinfo\"]",
      "\"https://tenant.example.test/userinfo\"", "\"client-1\""})
  void rejectsATokenForAnotherAudience(String aud) {
    assertThat(reasonFor(VERIFIER, signed("aud", aud))).isEqualTo(WRONG_AUDIENCE);
  }

  @Test
  void acceptsOurAudienceNextToUserinfo() {
    String aud = "[" + quote(AUDIENCE) + ",\"https://tenant.example.test/userinfo\"]";
    assertThat(VERIFIER.verify(signed("aud", aud)).audience()).contains(AUDIENCE);
  }

  // A-41
  @ParameterizedTest
  @ValueSource(strings = {"JWT", "jwt", "at+jwt", "AT+JWT", "application/at+jwt", "Application/AT+JWT", "application/jwt"})
  void theAuth0ProfileAcceptsJwtAndAccessTokenTypes(String typ) {
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"typ\":\"" + typ + "\"}";
    assertThat(VERIFIER.verify(T.sign(header, payload())).subject()).isEqualTo("user-1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dpop+jwt", "id_token+jwt", "logout+jwt", "secevent+jwt", "at+jwt; charset=utf-8", "at+jwt ", "jose", "JOSE+JSON", ""})
  void rejectsEveryOtherTyp(String typ) {
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"typ\":\"" + typ + "\"}";
    assertThat(reasonFor(VERIFIER, T.sign(header, payload()))).isEqualTo(WRONG_TYPE);
  }

  @Test
  void rejectsATypThatIsNotAString() {
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"typ\":1}";
    assertThat(reasonFor(VERIFIER, T.sign(header, payload()))).isEqualTo(MALFORMED);
  }

  @Test
  void theStrictProfileRejectsJwtAndAbsentTyp() {
    String rfc9068 = payload("client_id", "\"client-1\"", "jti", "\"id-1\"");
    String jwt = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"typ\":\"JWT\"}";
    String absent = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\"}";
    String atJwt = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"typ\":\"at+jwt\"}";
    assertThat(reasonFor(STRICT, T.sign(jwt, rfc9068))).isEqualTo(WRONG_TYPE);
    assertThat(reasonFor(STRICT, T.sign(absent, rfc9068))).isEqualTo(WRONG_TYPE);
    assertThat(STRICT.verify(T.sign(atJwt, rfc9068)).clientId()).contains("client-1");
    assertThat(reasonFor(STRICT, T.sign(atJwt, payload("jti", "\"id-1\"")))).isEqualTo(MISSING_CLAIM);
  }

  // A-42
  @ParameterizedTest
  @ValueSource(strings = {"https://tenant.example.test", "HTTPS://tenant.example.test/", "https://TENANT.example.test/",
      "https://tenant.example.test/ ", " https://tenant.example.test/", "https://tenant.example.test//", "https://tenant.example.test/?x",
      "https://tenant.example.test/extra", "https://tenant.example.test.evil.test/", "https://evil.test/https://tenant.example.test/",
      "https://tenant.example.test/#", "https://tenant.example.test:443/", "http://tenant.example.test/", ""})
  void rejectsANearMissIssuer(String iss) {
    assertThat(reasonFor(VERIFIER, signed("iss", quote(iss)))).isEqualTo(WRONG_ISSUER);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[\"https://tenant.example.test/\"]", "{\"iss\":\"https://tenant.example.test/\"}", "1", "true"})
  void rejectsAnIssuerThatIsNotAString(String iss) {
    assertThat(reasonFor(VERIFIER, signed("iss", iss))).isEqualTo(WRONG_ISSUER);
  }

  @Test
  void rejectsAMissingOrNullIssuer() {
    assertThat(reasonFor(VERIFIER, signed("iss", null))).isEqualTo(MISSING_CLAIM);
    assertThat(reasonFor(VERIFIER, signed("iss", "null"))).isEqualTo(MISSING_CLAIM);
  }

  // A-43
  @Test
  void rejectsAMissingExp() {
    assertThat(reasonFor(VERIFIER, signed("exp", null))).isEqualTo(MISSING_CLAIM);
  }

  // A-44
  @Test
  void rejectsANullExpEvenWhenExpIsARequiredClaim() {
    assertThat(reasonFor(VERIFIER, signed("exp", "null"))).isEqualTo(MALFORMED);
    AccessTokenVerifier requiring = T.verifierBuilder().requiredClaims("exp").build();
    assertThat(reasonFor(requiring, signed("exp", "null"))).isEqualTo(MALFORMED);
  }

  // A-45
  @ParameterizedTest
  @ValueSource(strings = {"exp", "nbf", "iat"})
  void rejectsANumericDateGivenAsAString(String claim) {
    assertThat(reasonFor(VERIFIER, signed(claim, quote(Long.toString(NOW_S + 60))))).isEqualTo(MALFORMED);
    assertThat(reasonFor(VERIFIER, signed(claim, "\"x\""))).isEqualTo(MALFORMED);
    assertThat(reasonFor(VERIFIER, signed(claim, "true"))).isEqualTo(MALFORMED);
    assertThat(reasonFor(VERIFIER, signed(claim, "[" + (NOW_S + 60) + "]"))).isEqualTo(MALFORMED);
  }

  // A-47
  @Test
  void rejectsAnExpBeyondYear9999() {
    long year10000 = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();
    assertThat(reasonFor(VERIFIER, signed("exp", Long.toString(year10000)))).isEqualTo(MALFORMED);
  }

  @Test
  void maxTokenAgeBoundsAFarFutureExp() {
    AccessTokenVerifier verifier = T.verifierBuilder().maxTokenAge(Duration.ofHours(1)).build();
    String old = signed("iat", Long.toString(NOW_S - 7200), "exp", Long.toString(NOW_S + 10L * 365 * 86400));
    assertThat(reasonFor(verifier, old)).isEqualTo(TokenVerificationException.Reason.TOO_OLD);
  }

  // A-48
  @Test
  void appliesTheClockSkewBothWaysAndNoMore() {
    assertThat(VERIFIER.verify(signed("exp", Long.toString(NOW_S - 30))).subject()).isEqualTo("user-1");
    assertThat(reasonFor(VERIFIER, signed("exp", Long.toString(NOW_S - 120)))).isEqualTo(EXPIRED);
    assertThat(reasonFor(VERIFIER, signed("exp", Long.toString(NOW_S - 60)))).isEqualTo(EXPIRED);
    assertThat(VERIFIER.verify(signed("nbf", Long.toString(NOW_S + 30))).subject()).isEqualTo("user-1");
    assertThat(reasonFor(VERIFIER, signed("nbf", Long.toString(NOW_S + 120)))).isEqualTo(NOT_YET_VALID);
  }

  // A-49
  @Test
  void rejectsAnIatInTheFuture() {
    assertThat(reasonFor(VERIFIER, signed("iat", Long.toString(NOW_S + 86_400)))).isEqualTo(NOT_YET_VALID);
    assertThat(reasonFor(VERIFIER, signed("iat", Long.toString(NOW_S + 120)))).isEqualTo(NOT_YET_VALID);
  }

  // A-50
  @ParameterizedTest
  @ValueSource(strings = {"123", "[[\"https://api.example.test\"]]", "[123,\"https://api.example.test\"]", "{\"aud\":\"https://api.example.test\"}",
      "true", "[true]", "[{}]"})
  void rejectsAnAudienceOfTheWrongType(String aud) {
    assertThat(reasonFor(VERIFIER, signed("aud", aud))).isEqualTo(MALFORMED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"HTTPS://API.EXAMPLE.TEST\"", "\"https://api.example.test/\"", "\"https://api.example.tes\"", "\"\"", "[\"\"]"})
  void rejectsAnEmptyOrNearMissAudience(String aud) {
    assertThat(reasonFor(VERIFIER, signed("aud", aud))).isEqualTo(WRONG_AUDIENCE);
  }

  @Test
  void rejectsAMissingOrNullAudience() {
    assertThat(reasonFor(VERIFIER, signed("aud", null))).isEqualTo(MISSING_CLAIM);
    assertThat(reasonFor(VERIFIER, signed("aud", "null"))).isEqualTo(MISSING_CLAIM);
  }

  // A-51
  @Test
  void rejectsAnAudienceArrayWithANullElement() {
    assertThat(reasonFor(VERIFIER, signed("aud", "[null," + quote(AUDIENCE) + "]"))).isEqualTo(MALFORMED);
    assertThat(reasonFor(FIXTURE_VERIFIER, ISSUER_FIXTURE.accessToken().claim("aud", Arrays.asList(null, ISSUER_FIXTURE.audience())).sign()))
        .isEqualTo(MALFORMED);
  }

  // A-52
  @Test
  void rejectsDuplicateClaims() {
    String duplicateSub = payload().replace("}", ",\"sub\":\"admin\"}");
    assertThat(reasonFor(VERIFIER, T.sign(HEADER, duplicateSub))).isEqualTo(MALFORMED);
    String duplicateExp = payload().replace("}", ",\"exp\":" + (NOW_S + 10L * 365 * 86400) + "}");
    assertThat(reasonFor(VERIFIER, T.sign(HEADER, duplicateExp))).isEqualTo(MALFORMED);
    String duplicateAud = payload().replace("}", ",\"aud\":\"https://other.example.test\"}");
    assertThat(reasonFor(VERIFIER, T.sign(HEADER, duplicateAud))).isEqualTo(MALFORMED);
  }

  // A-53
  @ParameterizedTest
  @ValueSource(strings = {
    "{\"b\":1,\"b\":2}",
    "{\"role\":\"user\",\"role\":\"admin\"}",
    "{\"role\":null,\"role\":\"admin\"}",
    "{\"o\":{\"p\":{\"role\":\"user\",\"role\":\"admin\"}}}",
    "[{\"role\":\"user\"},{\"role\":\"user\",\"role\":\"admin\"}]",
  })
  void rejectsDuplicateMembersInsideAClaimAtAnyDepth(String value) {
    // Last-wins inside a claim would let two readers of the same token see different roles.
    assertThat(reasonFor(VERIFIER, signed("a", value))).isEqualTo(MALFORMED);
    assertThat(reasonFor(VERIFIER, signed("https://example.test/roles", value))).isEqualTo(MALFORMED);
    // Written the other way round, it is a valid claim.
    AccessToken token = VERIFIER.verify(signed("a", "{\"o\":{\"role\":\"user\",\"Role\":\"admin\"}}"));
    assertThat(token.claim("a", Map.class)).get().isEqualTo(Map.of("o", Map.of("role", "user", "Role", "admin")));
  }

  @Test
  void rejectsADuplicateMemberInsideAHeaderParameter() {
    String header = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"x\":{\"kid\":\"a\",\"kid\":\"b\"}}";
    assertThat(reasonFor(VERIFIER, T.sign(header, payload()))).isEqualTo(MALFORMED);
  }

  @Test
  void customClaimsHaveTheDocumentedTypes() {
    AccessToken token = VERIFIER.verify(signed("s", "\"x\"", "i", "42", "big", "9223372036854775808", "d", "1.5", "z", "-0", "t", "true",
        "n", "null", "l", "[1,\"a\",[2.0]]", "o", "{\"k\":{\"v\":false}}"));
    assertThat(token.claim("s", String.class)).contains("x");
    assertThat(token.claim("i", Long.class)).contains(42L);
    assertThat(token.claim("big", Double.class)).contains(9.223372036854775807E18);
    assertThat(token.claim("d", Double.class)).contains(1.5);
    assertThat(token.claim("z", Long.class)).contains(0L);
    assertThat(token.claim("t", Boolean.class)).contains(true);
    assertThat(token.claim("n", Object.class)).isEmpty();
    assertThat(token.claims()).containsKey("n");
    assertThat(token.claim("l", List.class)).get().isEqualTo(List.of(1L, "a", List.of(2.0)));
    assertThat(token.claim("o", Map.class)).get().isEqualTo(Map.of("k", Map.of("v", false)));
    assertThat(token.claim("iat", Instant.class)).contains(AttackTokens.NOW);
  }

  // A-54
  @Test
  void rejectsDuplicateHeaderParameters() {
    String algTwice = "{\"alg\":\"RS256\",\"kid\":\"" + AttackTokens.KID + "\",\"alg\":\"none\"}";
    assertThat(reasonFor(VERIFIER, T.sign(algTwice, payload()))).isEqualTo(MALFORMED);
    String kidTwice = "{\"alg\":\"RS256\",\"kid\":\"other\",\"kid\":\"" + AttackTokens.KID + "\"}";
    assertThat(reasonFor(VERIFIER, T.sign(kidTwice, payload()))).isEqualTo(MALFORMED);
  }

  // A-55
  @ParameterizedTest
  @ValueSource(strings = {"42", "{\"id\":\"admin\"}", "[\"admin\"]", "true"})
  void rejectsASubjectThatIsNotAString(String sub) {
    assertThat(reasonFor(VERIFIER, signed("sub", sub))).isEqualTo(MALFORMED);
  }

  @Test
  void rejectsAMissingSubject() {
    assertThat(reasonFor(VERIFIER, signed("sub", null))).isEqualTo(MISSING_CLAIM);
  }

  // A-56
  @Test
  void matchesScopesExactlyWithoutPrefixCaseOrWhitespaceTricks() {
    assertThat(reasonFor(VERIFIER, signed("scope", "\"read\""), "read:admin")).isEqualTo(INSUFFICIENT_SCOPE);
    assertThat(reasonFor(VERIFIER, signed("scope", "\"read:admin\""), "read")).isEqualTo(INSUFFICIENT_SCOPE);
    assertThat(reasonFor(VERIFIER, signed("scope", "\"READ\""), "read")).isEqualTo(INSUFFICIENT_SCOPE);
    assertThat(reasonFor(VERIFIER, signed("scope", "\"read\\twrite\""), "read")).isEqualTo(INSUFFICIENT_SCOPE);
    assertThat(reasonFor(VERIFIER, signed("scope", "\"*\""), "read")).isEqualTo(INSUFFICIENT_SCOPE);
    assertThatThrownBy(() -> VERIFIER.verify(signed("scope", "\"read write\""), "read write"))
        .as("a required scope with a space is a programming error").isInstanceOf(IllegalArgumentException.class);
    assertThat(VERIFIER.verify(signed("scope", "\"read:all  write \""), "read:all", "write").scopes()).containsExactly("read:all", "write");
    TokenVerificationException e = AttackTokens.rejection(VERIFIER, signed("scope", "\"read\""), "admin");
    assertThat(e.httpStatus()).isEqualTo(403);
    assertThat(e.requiredScopes()).containsExactly("admin");
  }

  @ParameterizedTest
  @ValueSource(strings = {"7", "{\"read\":true}", "[\"read\",1]", "[null]", "true"})
  void rejectsAScopeClaimOfTheWrongType(String scope) {
    assertThat(reasonFor(VERIFIER, signed("scope", scope))).isEqualTo(MALFORMED);
  }

  // A-57
  @Test
  void marksAClientCredentialsTokenAsMachineToMachine() {
    AccessToken m2m = FIXTURE_VERIFIER.verify(ISSUER_FIXTURE.machineToMachineToken().sign());
    assertThat(m2m.isMachineToMachine()).isTrue();
    assertThat(FIXTURE_VERIFIER.verify(ISSUER_FIXTURE.accessToken().sign()).isMachineToMachine()).isFalse();
  }

  // A-58
  @Test
  void rejectsAByteOrderMarkOrUtf16Json() {
    byte[] bom = ("\uFEFF" + payload()).getBytes(UTF_8);
    assertThat(reasonFor(VERIFIER, T.sign(HEADER.getBytes(UTF_8), bom))).isEqualTo(MALFORMED);
    byte[] headerBom = ("\uFEFF" + HEADER).getBytes(UTF_8);
    assertThat(reasonFor(VERIFIER, T.sign(headerBom, payload().getBytes(UTF_8)))).isEqualTo(MALFORMED);
    assertThat(reasonFor(VERIFIER, T.sign(HEADER.getBytes(UTF_8), payload().getBytes(StandardCharsets.UTF_16LE)))).isEqualTo(MALFORMED);
    assertThat(reasonFor(VERIFIER, T.sign(HEADER.getBytes(UTF_8), payload().getBytes(StandardCharsets.UTF_16)))).isEqualTo(MALFORMED);
  }

  // A-59
  @ParameterizedTest
  @ValueSource(strings = {
    "{iss:\"https://tenant.example.test/\"}",
    "{'iss':'https://tenant.example.test/'}",
    "{/* c */\"iss\":\"https://tenant.example.test/\"}",
    "{\"iss\":\"https://tenant.example.test/\",}",
    "{\"iss\":\"https://tenant.example.test/\"}x",
    "{\"iss\":\"https://tenant.example.test/\"}{\"sub\":\"a\"}",
    "{\"iss\":\"https://tenant.example.test/\",\"exp\":NaN}",
    "{\"iss\":\"https://tenant.example.test/\",\"exp\":Infinity}",
    "{\"iss\":\"https://tenant.example.test/\",\"exp\":0x7fffffff}",
    "{\"iss\":\"https://tenant.example.test/\",\"exp\":01767229200}",
    "{\"iss\":\"https://tenant.example.test/\",\"sub\":\"a\nb\"}",
    "{\"iss\":\"https://tenant.example.test/\" \"sub\":\"a\"}",
    "[]", "\"text\"", "null", "", " "
  })
  void rejectsLenientOrNonObjectJson(String json) {
    assertThat(reasonFor(VERIFIER, T.sign(HEADER, json))).isEqualTo(MALFORMED);
  }

  @Test
  void rejectsClaimsAndHeaderWrittenAsAnArrayOfPairs() {
    // A lenient JSON reader can build a map from [[key, value], ...]; a JWT needs a JSON object (RFC 7519 7.2).
    String pairs = "[[\"iss\"," + quote(ISSUER) + "],[\"sub\",\"user-1\"],[\"aud\"," + quote(AUDIENCE) + "],[\"exp\"," + (NOW_S + 3600) + "]]";
    assertThat(reasonFor(VERIFIER, T.sign(HEADER, pairs))).isEqualTo(MALFORMED);
    String headerPairs = "[[\"alg\",\"RS256\"],[\"kid\",\"" + AttackTokens.KID + "\"]]";
    assertThat(reasonFor(VERIFIER, T.sign(headerPairs, payload()))).isEqualTo(MALFORMED);
  }

  @Test
  void controlTheSameClaimsAsStrictJsonAreAccepted() {
    assertThat(VERIFIER.verify(signed()).issuer()).isEqualTo(ISSUER);
  }
}
