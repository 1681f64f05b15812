package dev.tokenguard;

import static dev.tokenguard.TokenVerificationException.Reason.EXPIRED;
import static dev.tokenguard.TokenVerificationException.Reason.ID_TOKEN_PRESENTED;
import static dev.tokenguard.TokenVerificationException.Reason.INSUFFICIENT_SCOPE;
import static dev.tokenguard.TokenVerificationException.Reason.INVALID_CLAIM;
import static dev.tokenguard.TokenVerificationException.Reason.KEYS_UNAVAILABLE;
import static dev.tokenguard.TokenVerificationException.Reason.MALFORMED;
import static dev.tokenguard.TokenVerificationException.Reason.MISSING_CLAIM;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_A_JWS;
import static dev.tokenguard.TokenVerificationException.Reason.NOT_YET_VALID;
import static dev.tokenguard.TokenVerificationException.Reason.TOO_OLD;
import static dev.tokenguard.TokenVerificationException.Reason.UNKNOWN_KEY;
import static dev.tokenguard.TokenVerificationException.Reason.UNSUPPORTED_ALGORITHM;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_AUDIENCE;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_ISSUER;
import static dev.tokenguard.TokenVerificationException.Reason.WRONG_TYPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per verification rule, through the public API, with tokens minted by the fixture. */
class AccessTokenVerifierTest {
  static final String API = "https://example.com/health-api";

  /** Shared by the issuer and the verifier; tests move it by hand. */
  final TestClock clock = TestClock.at(Instant.parse("2026-11-23T10:00:00Z"));
  FakeIssuer issuer;
  AccessTokenVerifier verifier;

  @BeforeEach
  void start() {
    issuer = FakeIssuer.builder().clock(clock).audience(API).start();
    verifier = issuer.verifierBuilder().build();
  }

  @AfterEach
  void stop() {
    issuer.close();
  }

  static void assertRejected(Runnable call, Reason reason) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
  }

  void assertRejected(String token, Reason reason) {
    assertRejected(() -> verifier.verify(token), reason);
  }

  // ---- accepted shapes -------------------------------------------------------------------

  @Test
  void acceptsAuth0DefaultProfileToken() {
    String token = issuer.accessToken().subject("auth0|alice").clientId("spa-client")
        .scopes("read:patients", "openid").permissions("read:patients").claim("https://example.com/tenant", "acme").sign();

    AccessToken t = verifier.verify(token);

    assertThat(t.subject()).isEqualTo("auth0|alice");
    assertThat(t.clientId()).contains("spa-client");
    assertThat(t.issuer()).isEqualTo(issuer.issuer());
    assertThat(t.audience()).containsExactly(API);
    assertThat(t.scopes()).containsExactlyInAnyOrder("read:patients", "openid");
    assertThat(t.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
    assertThat(t.issuedAt()).contains(clock.instant());
    assertThat(t.isMachineToMachine()).isFalse();
    assertThat(t.claim("https://example.com/tenant", String.class)).contains("acme");
    assertThat(t.claim("exp", Instant.class)).contains(t.expiresAt());
  }

  @Test
  void givesNumericClaimsAsTheTypeAskedForWhenTheValueFitsIt() {
    AccessToken t = verifier.verify(issuer.accessToken().claim("tenant_no", 42).claim("big", 1L << 40)
        .claim("ratio", 0.5).notBefore(clock.instant().minusSeconds(5)).sign());

    assertThat(t.claim("tenant_no", Integer.class)).contains(42);
    assertThat(t.claim("tenant_no", Long.class)).contains(42L);
    assertThat(t.claim("tenant_no", Number.class)).contains(42L);
    assertThat(t.claim("big", Integer.class)).as("never truncated").isEmpty();
    assertThat(t.claim("big", Long.class)).contains(1L << 40);
    assertThat(t.claim("ratio", Double.class)).contains(0.5);
    assertThat(t.claim("ratio", Integer.class)).isEmpty();
    assertThat(t.notBefore()).contains(clock.instant().minusSeconds(5));
    assertThat(verifier.verify(issuer.accessToken().sign()).notBefore()).isEmpty();
  }

  @Test
  void acceptsRfc9068Token() {
    AccessToken t = verifier.verify(issuer.rfc9068AccessToken().clientId("svc-1").claim("jti", "abc").scopes("read:patients").sign());
    assertThat(t.clientId()).contains("svc-1");
    assertThat(t.jwtId()).contains("abc");
  }

  @Test
  void acceptsAuth0AudienceArrayIncludingUserinfo() {
    String token = issuer.accessToken().audience(API, issuer.issuer() + "userinfo").sign();
    assertThat(verifier.verify(token).audience()).containsExactly(API, issuer.issuer() + "userinfo");
  }

  @Test
  void flagsAuth0MachineToMachineTokens() {
    AccessToken m2m = verifier.verify(issuer.machineToMachineToken().sign());
    assertThat(m2m.isMachineToMachine()).isTrue();
    assertThat(m2m.subject()).endsWith("@clients");
    assertThat(verifier.verify(issuer.accessToken().subject("abc@clients").sign()).isMachineToMachine()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"at+jwt", "AT+JWT", "application/at+jwt", "JWT", "jwt"})
  void acceptsAccessTokenTypesCaseInsensitively(String typ) {
    assertThat(verifier.verify(issuer.accessToken().type(typ).sign())).isNotNull();
  }

  @Test
  void acceptsAbsentTypInTheDefaultProfile() {
    assertThat(verifier.verify(issuer.accessToken().type(null).sign())).isNotNull();
  }

  // ---- issuer and audience ---------------------------------------------------------------

  @Test
  void comparesTheIssuerExactly() {
    String withoutSlash = issuer.issuer().substring(0, issuer.issuer().length() - 1);
    assertRejected(issuer.accessToken().issuer(withoutSlash).sign(), WRONG_ISSUER);
    assertRejected(issuer.accessToken().issuer(issuer.issuer() + "x").sign(), WRONG_ISSUER);
    assertRejected(issuer.accessToken().issuer(issuer.issuer().toUpperCase()).sign(), WRONG_ISSUER);
    assertRejected(issuer.accessToken().withoutClaim("iss").sign(), MISSING_CLAIM);
  }

  @Test
  void readsABareDomainAsTheAuth0Issuer() {
    AccessTokenVerifier auth0 = AccessTokenVerifier.builder().issuer("tenant.us.auth0.com").audience(API)
        .jwks(issuer.jwks()).clock(clock).build();
    assertThat(auth0.verify(issuer.accessToken().issuer("https://tenant.us.auth0.com/").sign()).issuer())
        .isEqualTo("https://tenant.us.auth0.com/");
    assertRejected(() -> auth0.verify(issuer.accessToken().issuer("https://tenant.us.auth0.com").sign()), WRONG_ISSUER);
  }

  @Test
  void requiresTheApiInTheAudience() {
    assertRejected(issuer.accessToken().audience("https://other.example.com/api").sign(), WRONG_AUDIENCE);
    assertRejected(issuer.accessToken().audience(issuer.issuer() + "userinfo").sign(), WRONG_AUDIENCE);
    assertRejected(issuer.accessToken().claim("aud", List.of()).sign(), WRONG_AUDIENCE);
    assertRejected(issuer.accessToken().withoutClaim("aud").sign(), MISSING_CLAIM);
  }

  @Test
  void acceptsAnyOfSeveralConfiguredAudiences() {
    AccessTokenVerifier two = issuer.verifierBuilder().audience(API, "urn:legacy-api").build();
    assertThat(two.verify(issuer.accessToken().audience("urn:legacy-api").sign()).audience()).containsExactly("urn:legacy-api");
  }

  // ---- ID tokens and token types ---------------------------------------------------------

  @Test
  void rejectsIdTokenPresentedAsAccessToken() {
    assertRejected(issuer.idToken().sign(), ID_TOKEN_PRESENTED);
    assertRejected(issuer.idToken().audience(API).sign(), ID_TOKEN_PRESENTED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"nonce", "at_hash", "c_hash", "s_hash"})
  void rejectsTokensCarryingIdTokenOnlyClaims(String claim) {
    assertRejected(issuer.accessToken().claim(claim, "x").sign(), ID_TOKEN_PRESENTED);
  }

  @Test
  void reportsAnIdTokenWithoutIdClaimsAsAnIdTokenNotAsAWrongAudience() {
    String idToken = issuer.idToken().withoutClaim("nonce").withoutClaim("at_hash").sign();
    assertRejected(idToken, ID_TOKEN_PRESENTED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"id_token+jwt", "dpop+jwt", "logout+jwt", "secevent+jwt"})
  void rejectsOtherJwtTypes(String typ) {
    assertRejected(issuer.accessToken().type(typ).sign(), Reason.WRONG_TYPE);
  }

  @Test
  void strictProfileAcceptsOnlyAtJwtWithItsClaims() {
    AccessTokenVerifier strict = issuer.verifierBuilder().strictRfc9068().build();
    assertThat(strict.verify(issuer.rfc9068AccessToken().sign())).isNotNull();
    assertRejected(() -> strict.verify(issuer.rfc9068AccessToken().type("JWT").sign()), WRONG_TYPE);
    assertRejected(() -> strict.verify(issuer.rfc9068AccessToken().type(null).sign()), WRONG_TYPE);
    for (String claim : List.of("client_id", "jti", "iat", "sub")) {
      assertRejected(() -> strict.verify(issuer.rfc9068AccessToken().withoutClaim(claim).sign()), MISSING_CLAIM);
    }
  }

  // H-15: a sender-constrained token presented as a bearer token without its proof of possession.
  @Test
  void refusesSenderConstrainedTokensInsteadOfAcceptingThemAsBearerTokens() {
    assertRejected(issuer.accessToken().claim("cnf", Map.of("jkt", "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I")).sign(),
        Reason.BINDING_MISMATCH);
    assertRejected(issuer.accessToken().claim("cnf", Map.of("x5t#S256", "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2")).sign(),
        Reason.BINDING_MISMATCH);
  }

  // ---- time ------------------------------------------------------------------------------

  @Test
  void requiresExp() {
    assertRejected(issuer.accessToken().withoutClaim("exp").sign(), MISSING_CLAIM);
    assertRejected(issuer.accessToken().claim("exp", null).sign(), MALFORMED);
    assertRejected(issuer.accessToken().claim("exp", "1999999999").sign(), MALFORMED);
  }

  @Test
  void toleratesSixtySecondsOfClockSkewByDefault() {
    String token = issuer.accessToken().expiresIn(Duration.ofSeconds(10)).sign();
    clock.advance(Duration.ofSeconds(10 + 59));
    assertThat(verifier.verify(token)).isNotNull();
    clock.advance(Duration.ofSeconds(1));
    assertRejected(token, EXPIRED);
  }

  @Test
  void rejectsNotYetValidTokensBeyondTheSkew() {
    assertThat(verifier.verify(issuer.accessToken().notBefore(clock.instant().plusSeconds(30)).sign())).isNotNull();
    assertRejected(issuer.accessToken().notBefore(clock.instant().plusSeconds(120)).sign(), NOT_YET_VALID);
    assertRejected(issuer.accessToken().issuedAt(clock.instant().plus(Duration.ofDays(1))).sign(), NOT_YET_VALID);
  }

  @Test
  void clockSkewIsConfigurableAndBounded() {
    AccessTokenVerifier noSkew = issuer.verifierBuilder().clockSkew(Duration.ZERO).build();
    String token = issuer.accessToken().expiresIn(Duration.ofSeconds(10)).sign();
    clock.advance(Duration.ofSeconds(10));
    assertRejected(() -> noSkew.verify(token), EXPIRED);
    assertThatThrownBy(() -> AccessTokenVerifier.builder().clockSkew(Duration.ofMinutes(6)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 minutes");
  }

  @Test
  void enforcesAMaximumTokenAgeWhenConfigured() {
    AccessTokenVerifier young = issuer.verifierBuilder().maxTokenAge(Duration.ofMinutes(5)).build();
    String token = issuer.accessToken().sign();
    assertThat(young.verify(token)).isNotNull();
    clock.advance(Duration.ofMinutes(7));
    assertRejected(() -> young.verify(token), TOO_OLD); // also when the verified-token cache holds it
    assertRejected(() -> young.verify(issuer.accessToken().withoutClaim("iat").sign()), MISSING_CLAIM);
  }

  // ---- claims and scopes -----------------------------------------------------------------

  @Test
  void requiresConfiguredClaims() {
    AccessTokenVerifier v = issuer.verifierBuilder().requiredClaims("org_id").build();
    assertThat(v.verify(issuer.accessToken().claim("org_id", "acme").sign())).isNotNull();
    assertRejected(() -> v.verify(issuer.accessToken().sign()), MISSING_CLAIM);
    assertRejected(() -> v.verify(issuer.accessToken().claim("org_id", null).sign()), MISSING_CLAIM);
  }

  @Test
  void appliesCustomClaimRules() {
    AccessTokenVerifier v = issuer.verifierBuilder()
        .addClaimRule("org_id is acme", t -> t.claim("org_id", String.class).filter("acme"::equals).isPresent())
        .addClaimRule("never throws out", t -> { if (t.hasScope("boom")) { throw new IllegalStateException(); } return true; })
        .build();
    assertThat(v.verify(issuer.accessToken().claim("org_id", "acme").sign())).isNotNull();
    assertRejected(() -> v.verify(issuer.accessToken().claim("org_id", "evil").sign()), INVALID_CLAIM);
    assertRejected(() -> v.verify(issuer.accessToken().claim("org_id", "acme").scopes("boom").sign()), INVALID_CLAIM);
  }

  @Test
  void requiresEveryDemandedScope() {
    String token = issuer.accessToken().scopes("read:patients").sign();
    assertThat(verifier.verify(token, "read:patients")).isNotNull();
    assertThatThrownBy(() -> verifier.verify(token, "read:patients", "read:admin"))
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(INSUFFICIENT_SCOPE);
          assertThat(e.httpStatus()).isEqualTo(403);
          assertThat(e.errorCode()).isEqualTo("insufficient_scope");
          assertThat(e.requiredScopes()).containsExactly("read:patients", "read:admin");
        });
  }

  @Test
  void matchesScopesExactlyWithoutPrefixesOrCase() {
    String token = issuer.accessToken().scopes("read", "READ:ADMIN").sign();
    assertRejected(() -> verifier.verify(token, "read:admin"), INSUFFICIENT_SCOPE);
    assertThat(verifier.verify(issuer.accessToken().claim("scope", "  read:admin   write ").sign()).scopes())
        .containsExactlyInAnyOrder("read:admin", "write");
  }

  @Test
  void readsAuth0PermissionsAsScopes() {
    assertThat(verifier.verify(issuer.accessToken().permissions("read:admin").sign(), "read:admin").scopes())
        .containsExactly("read:admin");
  }

  @Test
  void readsScpWhenConfigured() {
    AccessTokenVerifier okta = issuer.verifierBuilder().scopeClaims("scp").build();
    assertThat(okta.verify(issuer.accessToken().claim("scp", List.of("a", "b")).sign()).scopes()).containsExactly("a", "b");
    assertThat(okta.verify(issuer.accessToken().claim("scp", "a b").sign()).scopes()).containsExactly("a", "b");
    assertThat(okta.verify(issuer.accessToken().permissions("x").sign()).scopes()).isEmpty();
  }

  @Test
  void rejectsScopeClaimsOfTheWrongShape() {
    assertRejected(issuer.accessToken().claim("scope", 42).sign(), MALFORMED);
    assertRejected(issuer.accessToken().claim("permissions", List.of("a", 1)).sign(), MALFORMED);
  }

  // ---- algorithms and keys ---------------------------------------------------------------

  @Test
  void acceptsOnlyRs256ByDefault() {
    TestKey ec = issuer.publishKey(TestKey.ecP256());
    AccessTokenVerifier v = AccessTokenVerifier.builder().issuer(issuer.issuer()).audience(API).jwks(issuer.jwks()).clock(clock).build();
    String es256 = issuer.accessToken().signedWith(ec).sign();
    assertRejected(() -> v.verify(es256), UNSUPPORTED_ALGORITHM);
    assertRejected(issuer.accessToken().header("alg", "PS256").sign(), UNSUPPORTED_ALGORITHM);
  }

  @Test
  void acceptsEs256WhenEnabled() {
    TestKey ec = issuer.publishKey(TestKey.ecP256());
    AccessTokenVerifier v = AccessTokenVerifier.builder().issuer(issuer.issuer()).audience(API).jwks(issuer.jwks())
        .clock(clock).algorithms(Algorithm.RS256, Algorithm.ES256).build();
    assertThat(v.verify(issuer.accessToken().signedWith(ec).sign())).isNotNull();
    assertThat(v.verify(issuer.accessToken().sign())).isNotNull();
  }

  @Test
  void acceptsATokenWithoutKidOnlyWhenExactlyOneKeyFits() {
    assertThat(verifier.verify(issuer.accessToken().withoutKeyId().sign())).isNotNull();
    issuer.rotateKey();
    AccessTokenVerifier twoKeys = issuer.verifierBuilder().build();
    assertRejected(() -> twoKeys.verify(issuer.accessToken().withoutKeyId().sign()), UNKNOWN_KEY);
  }

  @Test
  void rejectsTokensSignedWithAKeyTheIssuerNeverPublished() {
    assertRejected(issuer.accessToken().signedWithUnknownKey().sign(), UNKNOWN_KEY);
  }

  // ---- shapes that are not access tokens -------------------------------------------------

  @Test
  void explainsOpaqueTokensAndJwe() {
    assertThatThrownBy(() -> verifier.verify("mF_9.B5f-4.1JqM".replace(".", "")))
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(NOT_A_JWS);
          assertThat(e.getMessage()).contains("audience");
        });
    assertRejected("aaaa.bbbb.cccc.dddd.eeee", NOT_A_JWS);
  }

  @Test
  void checksTheSizeLimitBeforeParsing() {
    String big = issuer.accessToken().claim("pad", "x".repeat(20_000)).sign();
    assertRejected(big, MALFORMED);
    AccessTokenVerifier roomy = issuer.verifierBuilder().maxTokenBytes(64 * 1024).build();
    assertThat(roomy.verify(big)).isNotNull();
  }

  // ---- errors ----------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Reason.class)
  void everyReasonHasAnRfc6750AnswerAndAClientSafeDescription(Reason reason) {
    assertThat(reason.httpStatus()).isIn(401, 403, 503);
    String expected;
    switch (reason) {
      case INSUFFICIENT_SCOPE:
        expected = "insufficient_scope";
        break;
      case KEYS_UNAVAILABLE:
      case REPLAY_CHECK_UNAVAILABLE:
        expected = "temporarily_unavailable";
        break;
      case INVALID_DPOP_PROOF: // RFC 9449 section 7.1
        expected = "invalid_dpop_proof";
        break;
      case USE_DPOP_NONCE: // RFC 9449 section 9
        expected = "use_dpop_nonce";
        break;
      case INSUFFICIENT_USER_AUTHENTICATION: // RFC 9470 section 3
        expected = "insufficient_user_authentication";
        break;
      default:
        expected = "invalid_token";
    }
    assertThat(reason.errorCode()).isEqualTo(expected);
    assertThat(reason.httpStatus()).isEqualTo(expected.equals("insufficient_scope") ? 403
        : expected.equals("temporarily_unavailable") ? 503 : 401);
    // RFC 6750 section 3: error_description is %x20-21 / %x23-5B / %x5D-7E.
    assertThat(reason.safeDescription()).matches("[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]+");
  }

  @Test
  void keysUnavailableIsNotTheClientsFault() {
    FakeIssuer gone = FakeIssuer.builder().clock(clock).audience(API).start();
    AccessTokenVerifier v = gone.httpVerifierBuilder().build();
    String token = gone.accessToken().sign();
    gone.close();
    assertThatThrownBy(() -> v.verify(token))
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(KEYS_UNAVAILABLE);
          assertThat(e.httpStatus()).isEqualTo(503);
          assertThat(e.isRetryable()).isTrue();
        });
  }

  @Test
  void discoveryIssuerDifferingByATrailingSlashIsRefusedWithThatReason() {
    issuer.reportIssuerInDiscovery(issuer.issuer().substring(0, issuer.issuer().length() - 1));
    AccessTokenVerifier discovering = AccessTokenVerifier.builder().issuer(issuer.issuer()).audience(API).clock(clock).build();
    assertThatThrownBy(discovering::warmUp)
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(KEYS_UNAVAILABLE);
          assertThat(e.getMessage()).contains("trailing slash");
        });
  }

  @Test
  void discoversTheJwksThroughOpenIdConnectDiscovery() {
    AccessTokenVerifier discovering = AccessTokenVerifier.builder().issuer(issuer.issuer()).audience(API).clock(clock).build();
    assertThat(discovering.verify(issuer.accessToken().sign())).isNotNull();
    assertThat(issuer.discoveryRequestCount()).isEqualTo(1);
    assertThat(issuer.jwksRequestCount()).isEqualTo(1);
  }

  @Test
  void neverLetsAnotherExceptionEscape() {
    for (String junk : List.of(".", "..", "...", "a.b.c", "e30.e30.e30", "e30.bnVsbA.AAAA", "W10.e30.AAAA", "\u0000.\u0000.\u0000", "")) {
      assertThatThrownBy(() -> verifier.verify(junk)).isInstanceOf(TokenVerificationException.class);
    }
    assertThatThrownBy(() -> verifier.verify((String) null)).isInstanceOf(TokenVerificationException.class);
  }

  @Test
  void neverLogsTheToken() {
    String expired = issuer.accessToken().expired().sign();
    String forged = issuer.accessToken().tamperedSignature().sign();
    String logged = LogCapture.captureStandardError(() -> {
      assertRejected(expired, EXPIRED);
      assertRejected(forged, Reason.BAD_SIGNATURE);
    });
    assertThat(logged).contains("Rejected token");
    for (String token : List.of(expired, forged)) {
      for (String part : token.split("\\.")) {
        assertThat(logged).doesNotContain(part);
      }
    }
  }

  @Test
  void theStrictProfileNamesAnIdTokenAsAnIdTokenNotAsAWrongType() {
    AccessTokenVerifier strict = issuer.verifierBuilder().strictRfc9068().build();
    String idTokenWithoutNonce = issuer.accessToken()
        .audience("client-1").claim("azp", "client-1").withoutClaim("scope").type("JWT").sign();
    assertRejected(() -> strict.verify(idTokenWithoutNonce), ID_TOKEN_PRESENTED);
    assertRejected(() -> strict.verify(issuer.accessToken().type("JWT").sign()), WRONG_TYPE);
  }

  @Test
  void anOpaqueOrEncryptedTokenIsReportedAsNotAJwtWithTheAuth0Hint() {
    for (String opaque : new String[] {"8xLOxBtZp8", "abc~def+ghi/jkl==", "Zm9v Zm9v"}) {
      assertThatThrownBy(() -> verifier.verify(opaque)).isInstanceOfSatisfying(TokenVerificationException.class, e -> {
        assertThat(e.reason()).isEqualTo(NOT_A_JWS);
        assertThat(e.getMessage()).contains("audience parameter");
      });
    }
    assertThatThrownBy(() -> verifier.verify("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aWY.Y2lwaGVy.dGFn"))
        .isInstanceOfSatisfying(TokenVerificationException.class, e -> {
          assertThat(e.reason()).isEqualTo(NOT_A_JWS);
          assertThat(e.getMessage()).contains("JWE", "audience parameter");
        });
  }

  @Test
  void rejectionDetailsStayOneShortLineWhateverTheTokenCarries() {
    String[] permissions = new String[200];
    for (int i = 0; i < permissions.length; i++) {
      permissions[i] = "perm:" + i + "\nFAKE LOG LINE";
    }
    String manyScopes = issuer.accessToken().permissions(permissions).sign();
    assertThatThrownBy(() -> verifier.verify(manyScopes, "admin")).isInstanceOfSatisfying(TokenVerificationException.class, e -> {
      assertThat(e.reason()).isEqualTo(INSUFFICIENT_SCOPE);
      assertThat(e.getMessage()).doesNotContain("\n", "\r", "FAKE").hasSizeLessThan(300);
    });
    String injectedIssuer = issuer.accessToken().issuer("https://evil.example/\r\nINFO forged line").sign();
    String injectedKid = issuer.accessToken().keyId("kid\r\nINFO forged line").sign();
    for (String token : new String[] {injectedIssuer, injectedKid}) {
      assertThatThrownBy(() -> verifier.verify(token)).isInstanceOfSatisfying(TokenVerificationException.class,
          e -> assertThat(e.getMessage()).doesNotContain("\n", "\r").hasSizeLessThan(300));
    }
  }

  @Test
  void eachCallRequiresTheScopesItPassesEvenWhenTheCallerReusesAndChangesItsArray() {
    String token = issuer.accessToken().scopes("read:patients").sign();
    String[] scopes = {"read:patients"};
    assertThat(verifier.verify(token, scopes).hasScope("read:patients")).isTrue();
    assertThat(verifier.verify(token, scopes).hasScope("read:patients")).isTrue();
    scopes[0] = "read:admin";
    assertRejected(() -> verifier.verify(token, scopes), INSUFFICIENT_SCOPE);
    assertRejected(() -> verifier.verify(token, "read:patients", "read:admin"), INSUFFICIENT_SCOPE);
    assertThat(verifier.verify(token, "read:patients").hasScope("read:patients")).isTrue();
    assertThatThrownBy(() -> verifier.verify(token, "read patients")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> verifier.verify(token, (String) null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> verifier.verify(token, (String[]) null)).isInstanceOf(NullPointerException.class);
    assertRejected(() -> verifier.verify(null, "read:patients"), MALFORMED);
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyListAndObjectNestedInAVerifiedTokenIsUnmodifiableAndKeepsItsContent() {
    Map<String, Object> group = Map.of("name", "nurses", "ids", List.of(1L, 2L));
    String token = issuer.accessToken()
        .claim("https://example.com/app_metadata", Map.of("groups", List.of(group), "plan", "pro")).sign();
    AccessToken t = verifier.verify(token);
    Map<String, Object> meta = t.claim("https://example.com/app_metadata", Map.class).orElseThrow();
    List<Object> groups = (List<Object>) meta.get("groups");
    Map<String, Object> first = (Map<String, Object>) groups.get(0);
    List<Object> ids = (List<Object>) first.get("ids");
    assertThat(meta).containsEntry("plan", "pro");
    assertThat(first).isEqualTo(group);
    assertThatThrownBy(() -> meta.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(groups::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> first.put("name", "admins")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ids.set(0, 3L)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aScopeClaimOfTheWrongShapeIsMalformedBeforeTheSignatureIsLookedAt() {
    // The scopes are only read once the signature verified; their shape is still checked before it.
    assertRejected(issuer.accessToken().claim("permissions", List.of("a", 1)).tamperedSignature().sign(), MALFORMED);
    assertRejected(issuer.accessToken().claim("scope", 42).signedWithUnknownKey().sign(), MALFORMED);
  }

  @Test
  void verifiedTokenDoesNotShowTheTokenAndCannotBeModified() {
    String token = issuer.accessToken().claim("roles", List.of("a")).claim("meta", Map.of("k", "v")).sign();
    AccessToken t = verifier.verify(token);
    assertThat(t.toString()).doesNotContain(token.split("\\.")[2]).contains(t.subject());
    assertThatThrownBy(() -> t.claims().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    List<?> roles = t.claim("roles", List.class).orElseThrow();
    assertThatThrownBy(roles::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> t.scopes().add("admin")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(t.stringListClaim("roles")).containsExactly("a");
  }

  @Test
  void builderRefusesIncompleteOrUnsafeConfiguration() {
    assertThatThrownBy(() -> AccessTokenVerifier.builder().audience(API).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("issuer");
    assertThatThrownBy(() -> AccessTokenVerifier.builder().issuer(issuer.issuer()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("audience");
    assertThatThrownBy(() -> AccessTokenVerifier.builder().issuer("http://tenant.example.com/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https");
    assertThatThrownBy(() -> AccessTokenVerifier.builder().jwksUri(java.net.URI.create("http://keys.example.com/jwks")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AccessTokenVerifier.builder().issuer(issuer.issuer()).audience(API).jwks("{\"keys\":[]}").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no usable");
  }
}
