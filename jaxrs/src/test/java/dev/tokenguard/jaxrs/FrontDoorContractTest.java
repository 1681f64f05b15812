package dev.tokenguard.jaxrs;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.contract.FrontDoorContract;
import dev.tokenguard.testing.FakeIssuer;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

/**
 * Jersey 4 over real HTTP answers the front-door contract, with the contract API configured by
 * annotations ({@link HealthApi}): the same table the servlet filter answers on Jetty and Tomcat.
 */
class FrontDoorContractTest {
  @Test
  void jerseyWithAnnotatedResourcesAnswersAsContracted() {
    try (FakeIssuer issuer = FrontDoorContract.startIssuer();
        AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();
        JerseyServer server = JerseyServer.start(new ResourceConfig(HealthApi.Api.class, HealthApi.Patients.class)
            .register(BearerTokenFeature.builder(verifier).realm(FrontDoorContract.REALM).build()))) {
      FrontDoorContract.assertDoorAnswersAsContracted(server.base(), issuer);
    }
  }
}
