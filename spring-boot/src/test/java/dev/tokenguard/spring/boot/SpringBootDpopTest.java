package dev.tokenguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.contract.FrontDoorContract;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestKey;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * DPoP (RFC 9449) through a Spring Boot application on embedded Tomcat, configured by {@code
 * tokenguard.*} properties only: {@code public-url} (the base of every proof's {@code htu}, never
 * the request's {@code Host}), {@code dpop-algorithms}, and a scope rule requiring DPoP.
 */
@SpringBootTest(classes = ContractApi.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "tokenguard.audience=" + FrontDoorContract.AUDIENCE,
    "tokenguard.realm=" + FrontDoorContract.REALM,
    "tokenguard.public-url=" + SpringBootDpopTest.PUBLIC_URL,
    "tokenguard.dpop-algorithms=ES256, PS256",
    "tokenguard.scope-rules=/api/admin=read:admin dpop=required"})
@DirtiesContext
class SpringBootDpopTest {
  static final String PUBLIC_URL = "https://api.example.test";
  private static final FakeIssuer ISSUER = FrontDoorContract.startIssuer();
  private static final String DPOP_CHALLENGE = "DPoP realm=\"health-api\", algs=\"ES256 PS256\"";

  @DynamicPropertySource
  static void issuer(DynamicPropertyRegistry registry) {
    registry.add("tokenguard.issuer", ISSUER::issuer);
  }

  @AfterAll
  static void stopIssuer() {
    ISSUER.close();
  }

  @LocalServerPort int port;
  private final TestKey holder = TestKey.ecP256();

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  @Test
  void aBoundTokenWithAGoodProofIsAcceptedAndAsABearerTokenRefused() {
    String token = ISSUER.accessToken().dpopBound(holder).subject("auth0|nurse").scopes("read:patients").sign();
    String proof = ISSUER.dpopProof(holder, "GET", URI.create(PUBLIC_URL + "/api/me")).accessToken(token).sign();
    HttpResponse<String> ok = Http.get(uri("/api/me"), "Authorization", "DPoP " + token, "DPoP", proof);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).startsWith("subject=auth0|nurse principal=auth0|nurse");

    HttpResponse<String> asBearer = Http.get(uri("/api/me"), "Authorization", "Bearer " + token);
    assertThat(asBearer.statusCode()).isEqualTo(401);
    List<String> challenges = asBearer.headers().allValues("WWW-Authenticate");
    assertThat(challenges).hasSize(2);
    assertThat(challenges.get(0)).startsWith("Bearer realm=\"health-api\", error=\"invalid_token\"");
    assertThat(challenges.get(1)).as("the algorithms of tokenguard.dpop-algorithms; no error").startsWith(DPOP_CHALLENGE + ", resource_metadata=");
  }

  @Test
  void aProofForTheAddressTheRequestReachedIsRefused() {
    String token = ISSUER.accessToken().dpopBound(holder).sign();
    String proof = ISSUER.dpopProof(holder, "GET", uri("/api/me")).accessToken(token).sign();
    HttpResponse<String> r = Http.get(uri("/api/me"), "Authorization", "DPoP " + token, "DPoP", proof);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate").get(1)).startsWith(DPOP_CHALLENGE + ", error=\"invalid_dpop_proof\"");
  }

  @Test
  void aScopeRuleRequiringDpopRefusesBearerTokens() {
    HttpResponse<String> bearer = Http.get(uri("/api/admin"), "Authorization", "Bearer " + ISSUER.accessToken().scopes("read:admin").sign());
    assertThat(bearer.statusCode()).isEqualTo(401);
    assertThat(bearer.headers().allValues("WWW-Authenticate")).singleElement().asString()
        .startsWith(DPOP_CHALLENGE + ", error=\"invalid_token\"");
    String token = ISSUER.accessToken().dpopBound(holder).scopes("read:admin").sign();
    String proof = ISSUER.dpopProof(holder, "GET", URI.create(PUBLIC_URL + "/api/admin")).accessToken(token).sign();
    HttpResponse<String> ok = Http.get(uri("/api/admin"), "Authorization", "DPoP " + token, "DPoP", proof);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("admin");
  }
}
