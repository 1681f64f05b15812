package dev.tokenguard.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.Requirement;
import dev.tokenguard.support.Http;
import dev.tokenguard.testing.FakeIssuer;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.net.http.HttpResponse;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;
import org.junit.jupiter.api.Test;

/** How the feature reads a resource method's annotations, and what it refuses at start-up. */
class AnnotationsTest {

  private static Access access(Class<?> resourceClass, String method) {
    return Access.of(resourceClass, method(resourceClass, method));
  }

  private static Method method(Class<?> type, String name) {
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name)) {
        return m;
      }
    }
    throw new AssertionError(name);
  }

  @RequiresScopes("class:scope")
  public static class ClassLevel {
    @GET
    public String inherits() {
      return "";
    }

    @GET
    @RequiresAnyScope({"a", "b"})
    public String own() {
      return "";
    }

    @GET
    @PermitAll
    public String open() {
      return "";
    }
  }

  public static class Plain {
    @GET
    public String get() {
      return "";
    }
  }

  public interface Contract {
    @GET
    @RequiresScopes("interface:method")
    String annotatedOnTheInterface();

    @GET
    String implementationDecides();
  }

  public static class Implementation implements Contract {
    @Override
    public String annotatedOnTheInterface() {
      return "";
    }

    @Override
    @PermitAll
    public String implementationDecides() {
      return "";
    }
  }

  /** What a container's proxy looks like: a subclass without annotations overriding the method. */
  public static class Proxy extends ClassLevel {
    @Override
    public String own() {
      return "";
    }

    @Override
    public String inherits() {
      return "";
    }
  }

  @Test
  void aMethodWithoutAnnotationsTakesItsClassRequirement() {
    assertThat(access(ClassLevel.class, "inherits").requirement).isEqualTo(Requirement.allScopes("class:scope"));
  }

  @Test
  void aMethodAnnotationReplacesTheClassAnnotation() {
    assertThat(access(ClassLevel.class, "own").requirement).isEqualTo(Requirement.anyScope("a", "b"));
    assertThat(access(ClassLevel.class, "open").isPublic).isTrue();
  }

  @Test
  void withoutAnyAnnotationAValidTokenIsNeeded() {
    Access a = access(Plain.class, "get");
    assertThat(a.isPublic).isFalse();
    assertThat(a.requirement.isNone()).isTrue();
    assertThat(Access.of(Plain.class, null).isPublic).as("a programmatic resource without a method").isFalse();
  }

  @Test
  void annotationsOnAnInterfaceMethodApplyAndTheImplementationsOwnWin() {
    assertThat(Access.of(Implementation.class, method(Contract.class, "annotatedOnTheInterface")).requirement)
        .isEqualTo(Requirement.allScopes("interface:method"));
    assertThat(Access.of(Implementation.class, method(Contract.class, "implementationDecides")).isPublic).isTrue();
  }

  @Test
  void aProxySubclassKeepsTheAnnotationsOfTheClassItProxies() {
    assertThat(access(Proxy.class, "own").requirement).isEqualTo(Requirement.anyScope("a", "b"));
    assertThat(access(Proxy.class, "inherits").requirement).isEqualTo(Requirement.allScopes("class:scope"));
  }

  public static class TwoOnAMethod {
    @GET
    @RequiresScopes("a")
    @PermitAll
    public String get() {
      return "";
    }
  }

  @RequiresScopes("a")
  @RequiresAnyScope("b")
  public static class TwoOnAClass {
    @GET
    public String get() {
      return "";
    }
  }

  public static class EmptyScopes {
    @GET
    @RequiresScopes({})
    public String get() {
      return "";
    }
  }

  public static class ScopeWithASpace {
    @GET
    @RequiresAnyScope("read patients")
    public String get() {
      return "";
    }
  }

  @Test
  void twoAccessAnnotationsOnOneElementAreRefused() {
    assertThatThrownBy(() -> access(TwoOnAMethod.class, "get")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(TwoOnAMethod.class.getName() + "#get").hasMessageContaining("@RequiresScopes and @PermitAll");
    assertThatThrownBy(() -> access(TwoOnAClass.class, "get")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(TwoOnAClass.class.getName()).hasMessageContaining("keep one");
  }

  @Test
  void malformedScopesAreRefusedNamingTheMethod() {
    assertThatThrownBy(() -> access(EmptyScopes.class, "get")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@RequiresScopes on " + EmptyScopes.class.getName() + "#get").hasMessageContaining("at least one scope");
    assertThatThrownBy(() -> access(ScopeWithASpace.class, "get")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("RFC 6750");
  }

  @Path("/locator")
  public static class AnnotatedLocator {
    @Path("sub")
    @RequiresScopes("read:sub")
    public Plain sub() {
      return new Plain();
    }
  }

  @Test
  void anAnnotationOnASubResourceLocatorIsRefused() {
    assertThatThrownBy(() -> Access.checkLocators(AnnotatedLocator.class)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(AnnotatedLocator.class.getName() + "#sub is a sub-resource locator");
  }

  @Path("/broken")
  public static class Broken {
    @GET
    @RequiresScopes("a")
    @RequiresAnyScope("b")
    public String get() {
      return "";
    }
  }

  @Test
  void conflictingAnnotationsStopJerseyFromStarting() {
    try (FakeIssuer issuer = FakeIssuer.start(); AccessTokenVerifier verifier = issuer.verifierBuilder().build()) {
      ResourceConfig config = new ResourceConfig(Broken.class).register(BearerTokenFeature.of(verifier))
          .property(ServerProperties.WADL_FEATURE_DISABLE, true);
      assertThatThrownBy(() -> JerseyServer.start(config).close())
          .hasStackTraceContaining("@RequiresScopes and @RequiresAnyScope; keep one of them");
    }
  }

  @Path("/roles")
  public static class Roles {
    @GET
    @RolesAllowed("read:admin")
    public String get() {
      return "admin";
    }
  }

  @Test
  void rolesAllowedIsLeftToTheRuntimeWhichSeesScopesAsRolesAfterTheTokenIsVerified() {
    try (FakeIssuer issuer = FakeIssuer.start();
        AccessTokenVerifier verifier = issuer.verifierBuilder().build();
        JerseyServer server = JerseyServer.start(new ResourceConfig(Roles.class)
            .register(BearerTokenFeature.of(verifier)).register(RolesAllowedDynamicFeature.class)
            .property(ServerProperties.WADL_FEATURE_DISABLE, true))) {
      assertThat(Http.get(server.uri("/roles")).statusCode()).as("no token").isEqualTo(401);
      HttpResponse<String> admin = Http.get(server.uri("/roles"), "Authorization", "Bearer " + issuer.accessToken().scopes("read:admin").sign());
      assertThat(admin.statusCode()).isEqualTo(200);
      HttpResponse<String> other = Http.get(server.uri("/roles"), "Authorization", "Bearer " + issuer.accessToken().scopes("read:patients").sign());
      assertThat(other.statusCode()).as("Jersey's own refusal").isEqualTo(403);
    }
  }
}
