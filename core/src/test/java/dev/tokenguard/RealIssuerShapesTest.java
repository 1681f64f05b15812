package dev.tokenguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.TokenVerificationException.Reason;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TokenBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The token shapes real issuers send, as a table: what TokenGuard must accept (and read from them:
 * client, scopes, machine-to-machine) and what it must refuse as an ID token or another kind of
 * JWT. Spring Authorization Server 7.1 and Keycloak 26.7 shapes are copied from tokens their real
 * flows issued (see the interop module); Auth0, Okta, Entra ID and oidc-provider shapes follow
 * their documentation. Only {@code iss}, {@code iat}, {@code exp} and the signature are the
 * fixture's own. This table is the test of the rule in {@link IdTokenEvidence}.
 */
class RealIssuerShapesTest {
  private static final String API = FakeIssuer.DEFAULT_AUDIENCE;
  private static final FakeIssuer ISSUER = FakeIssuer.start();
  private static final AccessTokenVerifier VERIFIER = ISSUER.verifierBuilder().build();

  @AfterAll
  static void stop() {
    ISSUER.close();
  }

  /** One row: a token shape and what must happen to it. */
  record Shape(String name, String headerTyp, Map<String, Object> claims, Reason refusal, String clientId,
      boolean machineToMachine, Set<String> scopes) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Map<String, Object> claims(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  private static Shape accepted(String name, String typ, Map<String, Object> claims, String clientId, boolean m2m, String... scopes) {
    return new Shape(name, typ, claims, null, clientId, m2m, Set.of(scopes));
  }

  private static Shape refused(String name, String typ, Map<String, Object> claims, Reason reason) {
    return new Shape(name, typ, claims, reason, null, false, Set.of());
  }

  static Stream<Shape> shapes() {
    return Stream.of(
        // Auth0
        accepted("Auth0 access token", "JWT", claims("sub", "auth0|5f7c", "aud", List.of(API, "https://tenant.us.auth0.com/userinfo"),
            "azp", "spa-client", "scope", "openid profile read:patients", "permissions", List.of("read:patients")),
            "spa-client", false, "openid", "profile", "read:patients"),
        accepted("Auth0 machine-to-machine token", "JWT", claims("sub", "m2m-client@clients", "aud", API, "azp", "m2m-client",
            "gty", "client-credentials", "scope", "read:admin"), "m2m-client", true, "read:admin"),
        refused("Auth0 ID token", "JWT", claims("sub", "auth0|5f7c", "aud", "spa-client", "nonce", "n-0S6", "sid", "s1",
            "name", "Alice"), Reason.ID_TOKEN_PRESENTED),
        // Okta
        accepted("Okta access token", null, claims("ver", 1, "jti", "AT.x1", "sub", "alice@example.com", "aud", API, "cid", "0oa-web",
            "uid", "00u1", "scp", List.of("read:patients", "openid"), "auth_time", 1_700_000_000L), "0oa-web", false,
            "read:patients", "openid"),
        accepted("Okta client-credentials token", null, claims("ver", 1, "jti", "AT.x2", "sub", "0oa-svc", "aud", API,
            "cid", "0oa-svc", "scp", List.of("read:admin")), "0oa-svc", true, "read:admin"),
        refused("Okta ID token", null, claims("sub", "00u1", "aud", "0oa-web", "amr", List.of("pwd"), "idp", "00o1",
            "nonce", "n1", "auth_time", 1_700_000_000L, "at_hash", "x"), Reason.ID_TOKEN_PRESENTED),
        // Entra ID
        accepted("Entra ID v2 delegated access token", "JWT", claims("aud", API, "azp", "11111111-client", "azpacr", "0",
            "scp", "read:patients write:notes", "oid", "oid-1", "sub", "sub-1", "tid", "tid-1", "ver", "2.0"),
            "11111111-client", false, "read:patients", "write:notes"),
        accepted("Entra ID v2 app-only access token", "JWT", claims("aud", API, "azp", "22222222-daemon", "roles", List.of("Reports.Read"),
            "idtyp", "app", "oid", "sp-1", "sub", "sp-1", "tid", "tid-1", "ver", "2.0"), "22222222-daemon", true),
        accepted("Entra ID v1 access token", "JWT", claims("aud", API, "appid", "33333333-app", "scp", "read:patients",
            "oid", "oid-1", "sub", "sub-1", "ver", "1.0"), "33333333-app", false, "read:patients"),
        refused("Entra ID v2 ID token", "JWT", claims("aud", "11111111-client", "nonce", "n1", "oid", "oid-1", "sub", "sub-1",
            "tid", "tid-1", "ver", "2.0", "aio", "a"), Reason.ID_TOKEN_PRESENTED),
        // Keycloak 26.7 (real flows)
        accepted("Keycloak access token", "JWT", claims("auth_time", 1_796_013_009L, "jti", "onrtac:faab", "aud", List.of(API, "account"),
            "sub", "244c0e49", "typ", "Bearer", "azp", "patient-portal", "sid", "sv1n", "acr", "1",
            "realm_access", Map.of("roles", List.of("offline_access")), "scope", "openid read:patients email profile",
            "preferred_username", "alice"), "patient-portal", false, "openid", "read:patients", "email", "profile"),
        accepted("Keycloak access token with the login nonce", "JWT", claims("aud", List.of(API, "account"), "sub", "8f89",
            "typ", "Bearer", "azp", "patient-spa", "nonce", "Zuw1", "sid", "iate", "session_state", "iate",
            "scope", "openid email read:patients profile"), "patient-spa", false, "openid", "email", "read:patients", "profile"),
        accepted("Keycloak access token with the nonce and typ at+jwt", "at+jwt", claims("aud", List.of(API, "account"), "sub", "8f89",
            "typ", "Bearer", "azp", "patient-spa", "nonce", "Zuw1", "scope", "openid read:patients"), "patient-spa", false,
            "openid", "read:patients"),
        accepted("Keycloak service-account token", "JWT", claims("aud", List.of(API, "account"), "sub", "a5681f2f", "typ", "Bearer",
            "azp", "reporting-service", "client_id", "reporting-service", "preferred_username", "service-account-reporting-service",
            "scope", "read:admin email profile"), "reporting-service", true, "read:admin", "email", "profile"),
        refused("Keycloak ID token", "JWT", claims("aud", "patient-portal", "sub", "244c0e49", "typ", "ID", "azp", "patient-portal",
            "nonce", "EdON", "sid", "sv1n", "at_hash", "AO-Y", "acr", "1"), Reason.ID_TOKEN_PRESENTED),
        refused("Keycloak ID token of a client whose id is the API", "JWT", claims("aud", API, "sub", "244c0e49", "typ", "ID",
            "azp", API, "sid", "jyhI", "at_hash", "G1-z", "acr", "1"), Reason.ID_TOKEN_PRESENTED),
        refused("Keycloak refresh token", "JWT", claims("aud", API, "sub", "244c0e49", "typ", "Refresh", "azp", "patient-portal",
            "scope", "openid"), Reason.WRONG_TYPE),
        // Spring Authorization Server 7.1 (real flows)
        accepted("Spring Authorization Server access token", null, claims("sub", "alice", "aud", List.of("patient-portal", API),
            "nbf", 1_796_012_230L, "scope", List.of("read:patients", "openid", "profile"), "jti", "61709c55"), null, false,
            "read:patients", "openid", "profile"),
        accepted("Spring Authorization Server client-credentials token", null, claims("sub", "reporting-service",
            "aud", List.of("reporting-service", API), "scope", List.of("read:admin"), "jti", "6e86"), null, true, "read:admin"),
        refused("Spring Authorization Server ID token", null, claims("sub", "alice", "aud", "patient-portal", "azp", "patient-portal",
            "auth_time", 1_796_012_230L, "nonce", "E-B0", "jti", "0e8b", "sid", "tA4Q"), Reason.ID_TOKEN_PRESENTED),
        refused("Spring Authorization Server ID token of a client whose id is the API", null, claims("sub", "alice", "aud", API,
            "azp", API, "auth_time", 1_796_012_231L, "jti", "c635", "sid", "EiUh"), Reason.ID_TOKEN_PRESENTED),
        // oidc-provider (RFC 9068 profile)
        accepted("oidc-provider access token", "at+jwt", claims("sub", "alice", "client_id", "web-app", "aud", API,
            "scope", "read:patients", "jti", "j1"), "web-app", false, "read:patients"),
        accepted("oidc-provider client-credentials token", "at+jwt", claims("sub", "svc-app", "client_id", "svc-app", "aud", API,
            "scope", "read:admin", "jti", "j2"), "svc-app", true, "read:admin"),
        refused("oidc-provider ID token", null, claims("sub", "alice", "aud", "web-app", "nonce", "n1", "at_hash", "h1",
            "auth_time", 1_700_000_000L), Reason.ID_TOKEN_PRESENTED),
        // Other kinds of JWT
        refused("a DPoP proof sent as an access token", "dpop+jwt", claims("sub", "alice", "aud", API, "scope", "read"), Reason.WRONG_TYPE),
        refused("a logout token", "logout+jwt", claims("sub", "alice", "aud", API, "sid", "s1"), Reason.WRONG_TYPE));
  }

  private static String mint(Shape shape) {
    TokenBuilder token = ISSUER.accessToken().type(shape.headerTyp()).withoutClaim("azp").withoutClaim("sub");
    shape.claims().forEach(token::claim);
    return token.sign();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void eachRealShapeIsAcceptedOrRefusedAsItsIssuerMeantIt(Shape shape) {
    String token = mint(shape);
    if (shape.refusal() != null) {
      assertThatThrownBy(() -> VERIFIER.verify(token)).as(shape.name())
          .isInstanceOfSatisfying(TokenVerificationException.class, e -> assertThat(e.reason()).isEqualTo(shape.refusal()));
      return;
    }
    AccessToken verified = VERIFIER.verify(token);
    assertThat(verified.clientId()).as("clientId").isEqualTo(java.util.Optional.ofNullable(shape.clientId()));
    assertThat(verified.isMachineToMachine()).as("machine to machine").isEqualTo(shape.machineToMachine());
    assertThat(verified.scopes()).as("scopes").isEqualTo(shape.scopes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void theStrictProfileAcceptsOnlyTheAtJwtShapesWithTheirClaims(Shape shape) {
    AccessTokenVerifier strict = ISSUER.verifierBuilder().strictRfc9068().build();
    boolean rfc9068 = "at+jwt".equals(shape.headerTyp()) && shape.claims().containsKey("client_id") && shape.claims().containsKey("jti");
    String token = mint(shape);
    if (rfc9068 && shape.refusal() == null) {
      assertThat(strict.verify(token)).isNotNull();
    } else {
      assertThatThrownBy(() -> strict.verify(token)).isInstanceOf(TokenVerificationException.class);
    }
  }
}
