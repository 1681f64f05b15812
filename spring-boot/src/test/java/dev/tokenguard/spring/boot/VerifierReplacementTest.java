package dev.tokenguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.contract.FrontDoorContract;
import dev.tokenguard.testing.FakeIssuer;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;

/**
 * An application that defines its own {@link AccessTokenVerifier} bean: TokenGuard's backs off (so
 * {@code tokenguard.issuer} and {@code tokenguard.audience} are not needed), the filter checks
 * tokens with the application's verifier, and the path rules come from the one-line {@code
 * tokenguard.scope-rules} grammar the servlet filter's {@code web.xml} uses; the door still answers
 * the front-door contract.
 */
@SpringBootTest(classes = {ContractApi.class, VerifierReplacementTest.OwnVerifier.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tokenguard.realm=" + FrontDoorContract.REALM,
        "tokenguard.public-paths=/api/public",
        "tokenguard.scope-rules=/api/patients=read:patients; /api/admin=read:admin; /api/reports=read:reports|read:admin"})
@DirtiesContext
class VerifierReplacementTest {
  private static final FakeIssuer ISSUER = FrontDoorContract.startIssuer();

  @Configuration(proxyBeanMethods = false)
  static class OwnVerifier {
    @Bean
    AccessTokenVerifier myVerifier() {
      return ISSUER.httpVerifierBuilder().build();
    }
  }

  @AfterAll
  static void stopIssuer() {
    ISSUER.close();
  }

  @LocalServerPort int port;
  @Autowired ApplicationContext context;

  @Test
  void theApplicationsVerifierReplacesTokenGuardsAndTheDoorStillAnswersTheContract() {
    assertThat(context.getBeanNamesForType(AccessTokenVerifier.class)).containsExactly("myVerifier");
    FrontDoorContract.assertDoorAnswersAsContracted(URI.create("http://127.0.0.1:" + port), ISSUER);
  }
}
