package dev.tokenguard.spring.boot;

import static dev.tokenguard.spring.boot.Http.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.contract.FrontDoorContract;
import dev.tokenguard.testing.FakeIssuer;
import java.net.URI;
import java.net.URLClassLoader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The coexistence the README documents, with Spring Boot's Spring Security auto-configuration on
 * the class path (its own test run, tag {@code spring-security}): TokenGuard's filter runs before
 * Spring Security's chain and answers every refusal itself, so the door still answers the
 * front-door contract; the application's chain (the README's, compiled from README.md) lets those
 * paths through, without CSRF or sessions, and with {@code jee()} Spring Security knows the
 * token's subject as the principal and the listed scopes as roles.
 */
@Tag("spring-security")
@SpringBootTest(classes = {ContractApi.class, SpringSecurityCoexistenceTest.Security.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tokenguard.audience=" + FrontDoorContract.AUDIENCE,
        "tokenguard.realm=" + FrontDoorContract.REALM,
        "tokenguard.public-paths=/api/public",
        "tokenguard.scope-rules=/api/patients=read:patients; /api/admin=read:admin; /api/reports=read:reports|read:admin",
        "tokenguard.accept-form-token=true"})
@DirtiesContext
class SpringSecurityCoexistenceTest {
  private static final FakeIssuer ISSUER = FrontDoorContract.startIssuer();

  /** The README's chain, compiled from README.md as written, and an endpoint reporting what Spring Security knows. */
  @Configuration(proxyBeanMethods = false)
  static class Security {
    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
      String snippet = ReadmeSnippets.block("java", "SecurityFilterChain api(");
      String source = "import org.springframework.context.annotation.Bean;\n"
          + "import org.springframework.security.config.annotation.web.builders.HttpSecurity;\n"
          + "import org.springframework.security.config.http.SessionCreationPolicy;\n"
          + "import org.springframework.security.web.SecurityFilterChain;\n\n"
          + "public class ReadmeSecurity {\n"
          + snippet.replace("SecurityFilterChain api(", "public static SecurityFilterChain api(") + "}\n";
      Path work = Files.createDirectories(Path.of("target", "readme-security"));
      try (URLClassLoader loader = ReadmeSnippets.compile(work, "ReadmeSecurity", source)) {
        return (SecurityFilterChain) loader.loadClass("ReadmeSecurity").getMethod("api", HttpSecurity.class).invoke(null, http);
      }
    }

    @Bean
    SecurityContextEndpoint securityContextEndpoint() {
      return new SecurityContextEndpoint();
    }
  }

  @RestController
  static class SecurityContextEndpoint {
    @GetMapping("/api/security-context")
    String securityContext() {
      Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
      return authentication.getName() + " " + authentication.getAuthorities().stream()
          .map(GrantedAuthority::getAuthority).sorted().collect(Collectors.toList());
    }
  }

  @DynamicPropertySource
  static void issuer(DynamicPropertyRegistry registry) {
    registry.add("tokenguard.issuer", ISSUER::issuer);
  }

  @AfterAll
  static void stopIssuer() {
    ISSUER.close();
  }

  @LocalServerPort int port;

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  @Test
  void tokenGuardStillAnswersTheFrontDoorContract() {
    FrontDoorContract.assertDoorAnswersAsContracted(URI.create("http://127.0.0.1:" + port), ISSUER);
  }

  @Test
  void springSecurityKnowsTheSubjectAndTheScopesAndThePrincipalIsTheSubject() {
    String nurse = ISSUER.accessToken().subject("auth0|nurse").scopes("read:patients").sign();
    HttpResponse<String> context = Http.get(uri("/api/security-context"), "Authorization", bearer(nurse));
    assertThat(context.statusCode()).isEqualTo(200);
    assertThat(context.body()).isEqualTo("auth0|nurse [ROLE_read:patients]");
    assertThat(Http.get(uri("/api/me"), "Authorization", bearer(nurse)).body()).startsWith("subject=auth0|nurse principal=auth0|nurse ");
  }

  @Test
  void aFormPutWithItsTokenPassesBothFilters() {
    String nurse = ISSUER.accessToken().subject("form-user").sign();
    HttpResponse<String> put = Http.send("PUT", uri("/api/me"), "application/x-www-form-urlencoded",
        "note=hello&access_token=" + nurse);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(put.body()).isEqualTo("subject=form-user note=hello");
  }
}
