package dev.tokenguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A real Spring Boot application on embedded Tomcat with a malformed {@code tokenguard.jwks-uri}
 * does not start: the exception names the property, and Spring Boot's "APPLICATION FAILED TO START"
 * report says what to do.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailingStartupTest {
  @Test
  void aMalformedPropertyStopsTheApplicationWithAReportNamingIt(CapturedOutput output) {
    SpringApplication application = new SpringApplication(ContractApi.class);
    application.setWebApplicationType(WebApplicationType.SERVLET);

    Throwable failure = catchThrowable(() -> application.run(
        "--server.port=0", "--server.address=127.0.0.1",
        "--tokenguard.issuer=https://tenant.us.auth0.com/",
        "--tokenguard.audience=https://example.com/health-api",
        "--tokenguard.jwks-uri=http://tenant.us.auth0.com/.well-known/jwks.json"));

    assertThat(failure).isNotNull();
    assertThat(failure).hasRootCauseInstanceOf(IllegalArgumentException.class);
    assertThat(causes(failure)).contains("tokenguard.jwks-uri: ");
    assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
        .contains("TokenGuard cannot protect this application: tokenguard.jwks-uri: ")
        .contains("tokenguard.enabled=false");
  }

  private static String causes(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
