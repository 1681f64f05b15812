package dev.tokenguard.http;

import static dev.tokenguard.http.Answers.body;
import static dev.tokenguard.http.Answers.challenge;
import static dev.tokenguard.http.Answers.params;
import static dev.tokenguard.http.Answers.refused;
import static dev.tokenguard.http.Answers.refusedWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.testing.FakeIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link ProtectedResource#decide(ResourceRequest, Requirement)}: the seam for adapters whose
 * framework already chose the code serving a request (Jakarta REST resource methods and their
 * annotations). The requirement given replaces the path rules; everything else answers as {@link
 * ProtectedResource#decide(ResourceRequest)} does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExplicitRequirementTest {
  private final FakeIssuer issuer = FakeIssuer.start();
  private final AccessTokenVerifier verifier = issuer.verifierBuilder().build();
  private final ProtectedResource resource = ProtectedResource.builder(verifier)
      .realm("health-api")
      .permit("/api/public")
      .requireScopes("/api/admin", "read:admin")
      .permitCorsPreflight()
      .build();

  @AfterAll
  void stop() {
    verifier.close();
    issuer.close();
  }

  private Decision decide(InMemoryRequest request, Requirement requirement) {
    try {
      return resource.decide(request, requirement);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private String token(String... scopes) {
    return issuer.accessToken().subject("auth0|alice").scopes(scopes).sign();
  }

  @Test
  void aPublicPathRuleDoesNotOpenARequestDecidedWithARequirement() {
    Decision none = decide(InMemoryRequest.get("/api/public"), Requirement.allScopes("read:admin"));
    assertThat(challenge(refused(none, 401))).isEqualTo("Bearer realm=\"health-api\"");

    Decision lacking = decide(InMemoryRequest.get("/api/public").bearer(token("read:patients")), Requirement.allScopes("read:admin"));
    assertThat(params(refusedWith(lacking, 403, "insufficient_scope"))).containsEntry("scope", "read:admin");

    Decision ok = decide(InMemoryRequest.get("/api/public").bearer(token("read:admin")), Requirement.allScopes("read:admin"));
    assertThat(ok.isAllowed()).isTrue();
    assertThat(ok.accessToken().orElseThrow().subject()).isEqualTo("auth0|alice");
  }

  @Test
  void aScopeRuleOfThePathIsNotAddedToTheGivenRequirement() {
    Decision d = decide(InMemoryRequest.get("/api/admin/7").bearer(token("read:patients")), Requirement.none());
    assertThat(d.isAllowed()).as("%s", d).isTrue();
  }

  @Test
  void anyOfRequirementNamesEveryScopeItAccepts() {
    Decision d = decide(InMemoryRequest.get("/x").bearer(token("read:patients")), Requirement.anyScope("read:reports", "read:admin"));
    Answer answer = refusedWith(d, 403, "insufficient_scope");
    assertThat(params(answer)).containsEntry("scope", "read:reports read:admin")
        .containsEntry("error_description", "The access token lacks every scope this request accepts.");
    assertThat(body(answer)).contains("\"scope\":\"read:reports read:admin\"");
  }

  @Test
  void theRequestPathIsNotRead() {
    InMemoryRequest inner = InMemoryRequest.get("/ignored").bearer(token());
    ResourceRequest withoutPath = new ResourceRequest() {
      @Override
      public String method() {
        return inner.method();
      }

      @Override
      public String path() {
        throw new AssertionError("the path was read");
      }

      @Override
      public List<String> headers(String name) {
        return inner.headers(name);
      }

      @Override
      public Optional<String> rawQuery() {
        return inner.rawQuery();
      }

      @Override
      public Optional<String> contentType() {
        return inner.contentType();
      }

      @Override
      public InputStream body() {
        return inner.body();
      }
    };
    try {
      assertThat(resource.decide(withoutPath, Requirement.none()).isAllowed()).isTrue();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void malformedRequestsAndBadTokensAreAnsweredAsWithPathRules() {
    InMemoryRequest twoHeaders = InMemoryRequest.get("/x").bearer(token()).bearer(token());
    refusedWith(decide(twoHeaders, Requirement.none()), 400, "invalid_request");
    refusedWith(decide(InMemoryRequest.get("/x").bearer(issuer.accessToken().expired().sign()), Requirement.none()), 401, "invalid_token");
    refusedWith(decide(InMemoryRequest.get("/x?access_token=" + token()), Requirement.none()), 400, "invalid_request");
  }

  @Test
  void corsPreflightStillPassesWhenPermitted() {
    InMemoryRequest preflight = InMemoryRequest.get("/api/admin").method("OPTIONS")
        .header("Origin", "https://app.example").header("Access-Control-Request-Method", "GET");
    Decision d = decide(preflight, Requirement.allScopes("read:admin"));
    assertThat(d.isAllowed()).isTrue();
    assertThat(d.accessToken()).isEmpty();
  }

  @Test
  void aNullRequirementIsRefused() {
    assertThatThrownBy(() -> resource.decide(InMemoryRequest.get("/x"), null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("requirement");
  }
}
