package dev.tokenguard.servlet;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.contract.FrontDoorContract;
import dev.tokenguard.testing.FakeIssuer;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The servlet filter on embedded Jetty 12 answers the front-door contract, built in code and from init parameters. */
class FrontDoorContractTest {
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
            .build())) {
      FrontDoorContract.assertDoorAnswersAsContracted(base(server), issuer);
    }
  }

  @Test
  void theFilterConfiguredByInitParametersAnswersAsContracted() throws Exception {
    try (FakeIssuer issuer = FrontDoorContract.startIssuer();
        TestServer server = TestServer.startWithInitParameters(Map.of(
            "issuer", issuer.issuer(),
            "audience", FrontDoorContract.AUDIENCE,
            "jwks-uri", issuer.jwksUri().toString(),
            "realm", FrontDoorContract.REALM,
            "public-paths", "/api/public",
            "scope-rules", "/api/patients=read:patients; /api/admin=read:admin; /api/reports=read:reports|read:admin"))) {
      FrontDoorContract.assertDoorAnswersAsContracted(base(server), issuer);
    }
  }

  private static URI base(TestServer server) {
    return URI.create("http://127.0.0.1:" + server.port());
  }
}
