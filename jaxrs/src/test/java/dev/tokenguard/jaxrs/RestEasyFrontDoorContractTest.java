package dev.tokenguard.jaxrs;

import static dev.tokenguard.jaxrs.Challenges.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.contract.FrontDoorContract;
import dev.tokenguard.support.Http;
import dev.tokenguard.testing.FakeIssuer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The feature on RESTEasy 7 (servlet dispatcher on Tomcat 11) over real HTTP: the front-door
 * contract with the same annotated resources as on Jersey, and what a resource sees through its
 * SecurityContext, so nothing of the adapter depends on one runtime. Runs in the surefire execution
 * {@code resteasy} only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestEasyFrontDoorContractTest {
  private final FakeIssuer issuer = FrontDoorContract.startIssuer();
  private final AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();
  private final RestEasyServer server;

  RestEasyFrontDoorContractTest() throws Exception {
    assumeTrue(RestEasyServer.onThisClassPath(), "RESTEasy runs in the surefire execution resteasy, whose class path holds no Jersey");
    server = RestEasyServer.start(BearerTokenFeature.builder(verifier).realm(FrontDoorContract.REALM).build(),
        HealthApi.Api.class, HealthApi.Patients.class, HealthApi.Wards.class);
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    verifier.close();
    issuer.close();
  }

  @Test
  void restEasyWithAnnotatedResourcesAnswersAsContracted() {
    FrontDoorContract.assertDoorAnswersAsContracted(server.base(), issuer);
  }

  @Test
  void theResourceSeesTheSubjectAsPrincipalAndTheScopesAsRoles() {
    HttpResponse<String> r = Http.get(server.uri("/api/patients/7"), "Authorization",
        "Bearer " + issuer.accessToken().subject("auth0|nurse").scopes("read:patients").sign());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("id=7\ntoken=auth0|nurse\nprincipal=auth0|nurse\nscheme=Bearer\n"
        + "role:read:patients=true\nrole:read:admin=false\n");
  }

  @Test
  void aSubResourceFromALocatorIsProtectedByItsOwnAnnotations() {
    assertThat(Http.get(server.uri("/api/wards/north")).statusCode()).isEqualTo(401);
    HttpResponse<String> lacking = Http.get(server.uri("/api/wards/north/beds"), "Authorization", "Bearer " + issuer.accessToken().sign());
    assertThat(lacking.statusCode()).isEqualTo(403);
    assertThat(params(lacking.headers().firstValue("WWW-Authenticate").orElseThrow())).containsEntry("scope", "read:beds");
  }
}
