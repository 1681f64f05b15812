package dev.tokenguard.spring.boot;

import dev.tokenguard.AccessToken;
import dev.tokenguard.servlet.BearerTokenFilter;
import java.security.Principal;
import java.util.Optional;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The front-door contract's API as a Spring MVC application (no component scan, so the tests'
 * other configurations stay out): each endpoint answers its own name, and {@code /api/me} what a
 * controller sees of the token.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ContractApi.Endpoints.class)
class ContractApi {

  @RestController
  static class Endpoints {
    @GetMapping("/api/public")
    String publicPath(Optional<AccessToken> token) {
      return "public, token " + token.map(AccessToken::subject).orElse("absent");
    }

    @GetMapping("/api/patients/**")
    String patients() {
      return "patients";
    }

    @GetMapping("/api/admin/**")
    String admin() {
      return "admin";
    }

    @GetMapping("/api/reports/**")
    String reports() {
      return "reports";
    }

    @GetMapping("/api/me")
    String me(AccessToken token, Principal principal,
        @RequestAttribute(BearerTokenFilter.ACCESS_TOKEN_ATTRIBUTE) AccessToken attribute) {
      return "subject=" + token.subject() + " principal=" + principal.getName() + " scopes=" + token.scopes()
          + " attributeIsTheToken=" + (attribute == token);
    }

    @PutMapping("/api/me")
    String putMe(AccessToken token, @RequestParam("note") String note) {
      return "subject=" + token.subject() + " note=" + note;
    }

    /** Public (tokenguard.public-paths /open/*), yet asks for a token: a configuration error. */
    @GetMapping("/open/needs-token")
    String misconfigured(AccessToken token) {
      return "unreachable: " + token.subject();
    }
  }
}
