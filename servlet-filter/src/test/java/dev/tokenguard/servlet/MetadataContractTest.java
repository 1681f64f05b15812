package dev.tokenguard.servlet;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.contract.FrontDoorContract;
import dev.tokenguard.contract.MetadataContract;
import dev.tokenguard.http.ProtectedResourceMetadata;
import dev.tokenguard.testing.FakeIssuer;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The servlet filter on embedded Jetty 12 answers the metadata and step-up contract, built in code and from init parameters. */
class MetadataContractTest {
  @Test
  void theFilterBuiltInCodeAnswersAsContracted() throws Exception {
    try (FakeIssuer issuer = FrontDoorContract.startIssuer();
        AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();
        TestServer server = TestServer.start(BearerTokenFilter.builder(verifier)
            .realm(FrontDoorContract.REALM)
            .permit("/api/public")
            .requireScopes("/api/patients", "read:patients")
            .requireScopes("/api/admin", "read:admin")
            .requireAnyScope("/api/reports", "read:reports", "read:admin")
            .require("/api/records", Requirement.allScopes("read:patients").withAcrValues(MetadataContract.MFA)
                .withMaxAge(Duration.ofSeconds(300)))
            .publishMetadata(ProtectedResourceMetadata.builder(MetadataContract.RESOURCE)
                .authorizationServers(issuer.issuer())
                .resourceName(MetadataContract.RESOURCE_NAME)
                .build())
            .build())) {
      MetadataContract.assertDoorAnswersAsContracted(base(server), issuer);
    }
  }

  @Test
  void theFilterConfiguredByInitParametersAnswersAsContracted() throws Exception {
    try (FakeIssuer issuer = FrontDoorContract.startIssuer();
        TestServer server = TestServer.startWithInitParameters(MetadataContract.settings(issuer))) {
      MetadataContract.assertDoorAnswersAsContracted(base(server), issuer);
    }
  }

  private static URI base(TestServer server) {
    return URI.create("http://127.0.0.1:" + server.port());
  }
}
