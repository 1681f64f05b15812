package dev.tokenguard.spring.boot;

import static dev.tokenguard.spring.boot.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenVerificationException;
import dev.tokenguard.contract.FrontDoorContract;
import dev.tokenguard.servlet.BearerTokenFilter;
import dev.tokenguard.testing.FakeIssuer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.ClassUtils;

/**
 * A real Spring Boot application on embedded Tomcat, protected through {@code tokenguard.*}
 * properties only (the structured {@code tokenguard.rules}), answers the front-door contract, and
 * its controllers see the verified token. One context for the whole class.
 */
@SpringBootTest(classes = ContractApi.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "tokenguard.audience=" + FrontDoorContract.AUDIENCE,
    "tokenguard.realm=" + FrontDoorContract.REALM,
    "tokenguard.public-paths=/api/public, /open/*",
    "tokenguard.rules[0].path=/api/patients",
    "tokenguard.rules[0].all-scopes=read:patients",
    "tokenguard.rules[1].path=/api/admin",
    "tokenguard.rules[1].all-scopes=read:admin",
    "tokenguard.rules[2].path=/api/reports",
    "tokenguard.rules[2].any-scope=read:reports, read:admin",
    "tokenguard.accept-form-token=true"})
@DirtiesContext
class SpringBootFrontDoorTest {
  private static final FakeIssuer ISSUER = FrontDoorContract.startIssuer();

  @DynamicPropertySource
  static void issuer(DynamicPropertyRegistry registry) {
    // The issuer's discovery document gives the JWKS URI: nothing else to configure.
    registry.add("tokenguard.issuer", ISSUER::issuer);
  }

  @AfterAll
  static void stopIssuer() {
    ISSUER.close();
  }

  @LocalServerPort int port;
  @Autowired AccessTokenVerifier verifier;
  @Autowired FilterRegistrationBean<BearerTokenFilter> registration;

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  @Test
  void runsWithoutSpringSecurityOnTheClassPath() {
    assertThat(ClassUtils.isPresent("org.springframework.security.core.Authentication", null))
        .as("this test run excludes Spring Security; SpringSecurityCoexistenceTest runs with it").isFalse();
  }

  @Test
  void answersTheFrontDoorContract() {
    FrontDoorContract.assertDoorAnswersAsContracted(URI.create("http://127.0.0.1:" + port), ISSUER);
  }

  @Test
  void aControllerTakesTheVerifiedTokenAndThePrincipalIsItsSubject() {
    String nurse = ISSUER.accessToken().subject("auth0|nurse").scopes("read:patients").sign();
    HttpResponse<String> me = Http.get(uri("/api/me"), "Authorization", bearer(nurse));
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.body()).isEqualTo("subject=auth0|nurse principal=auth0|nurse scopes=[read:patients] attributeIsTheToken=true");
  }

  @Test
  void onAPublicPathAnOptionalTokenIsEmptyAndAnAccessTokenParameterIsAnError() {
    String nurse = ISSUER.accessToken().scopes("read:patients").sign();
    assertThat(Http.get(uri("/api/public"), "Authorization", bearer(nurse)).body())
        .as("a public path's credentials are not looked at").isEqualTo("public, token absent");
    HttpResponse<String> misconfigured = Http.get(uri("/open/needs-token"));
    assertThat(misconfigured.statusCode()).isEqualTo(500);
    assertThat(misconfigured.body()).doesNotContain("unreachable");
  }

  @Test
  void theVerifierIsABeanToInject() {
    AccessToken token = verifier.verify(ISSUER.accessToken().subject("direct").sign());
    assertThat(token.subject()).isEqualTo("direct");
    assertThatThrownBy(() -> verifier.verify(ISSUER.accessToken().sign(), "read:patients"))
        .isInstanceOf(TokenVerificationException.class);
  }

  @Test
  void theFilterRunsBeforeSpringsFormFilterSoAFormTokenReachesItAndTheBodyIsReplayed() {
    String nurse = ISSUER.accessToken().subject("form-user").sign();
    HttpResponse<String> put = Http.send("PUT", uri("/api/me"), "application/x-www-form-urlencoded",
        "note=hello&access_token=" + nurse);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(put.body()).isEqualTo("subject=form-user note=hello");
    assertThat(registration.getOrder()).isEqualTo(TokenGuardProperties.DEFAULT_FILTER_ORDER).isLessThan(-100);
  }

  /** Spellings of /api/admin that Tomcat or Spring MVC might route to it: none may reach it without read:admin. */
  @Test
  void noSpellingOfAProtectedPathReachesItsControllerWithoutTheScope() {
    String nurse = ISSUER.accessToken().scopes("read:patients").sign();
    for (String path : List.of("/api/admin", "/api/admin/", "/api/admin/7", "/api/public/../admin", "/api/./admin",
        "/api//admin", "//api/admin", "/api/admin;x=1", "/api;x=1/admin", "/api/%61dmin", "/api/admin%2F7",
        "/api/admin.json", "/open/../api/admin")) {
      HttpResponse<String> response = Http.get(uri(path), "Authorization", bearer(nurse));
      assertThat(response.body()).as("%s answered %s", path, response.statusCode()).isNotEqualTo("admin");
    }
  }
}
