package dev.tokenguard.servlet;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.contract.FrontDoorContract;
import dev.tokenguard.servlet.TestServer.Container;
import dev.tokenguard.testing.FakeIssuer;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The servlet filter answers the front-door contract on embedded Jetty 12 and on embedded Tomcat
 * 11 (the same class, once per container), built in code and configured by init parameters.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(Container.class)
class FrontDoorContractTest {
  private final Container container;

  FrontDoorContractTest(Container container) {
    this.container = container;
  }

  @Test
  void theFilterBuiltInCodeAnswersAsContracted() throws Exception {
    try (FakeIssuer issuer = FrontDoorContract.startIssuer();
        AccessTokenVerifier verifier = issuer.httpVerifierBuilder().build();
        TestServer server = TestServer.start(container, BearerTokenFilter.builder(verifier)
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
        TestServer server = TestServer.startWithInitParameters(container, Map.of(
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
