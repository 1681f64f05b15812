package dev.tokenguard.jaxrs;

import dev.tokenguard.AccessToken;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;

/**
 * The front-door contract API, configured with annotations, plus an echo of what a resource sees.
 * /api/public is public; /api/patients (and below) needs read:patients (on the class); /api/admin
 * read:admin; /api/reports read:reports or read:admin; /api/me any valid token.
 */
final class HealthApi {
  private HealthApi() {}

  /** What the resource sees of the request's security context and token. */
  static String echo(SecurityContext security) {
    AccessToken token = BearerTokenFeature.accessToken(security).orElse(null);
    return "token=" + (token == null ? null : token.subject()) + "\n"
        + "principal=" + (security.getUserPrincipal() == null ? null : security.getUserPrincipal().getName()) + "\n"
        + "scheme=" + security.getAuthenticationScheme() + "\n"
        + "role:read:patients=" + security.isUserInRole("read:patients") + "\n"
        + "role:read:admin=" + security.isUserInRole("read:admin") + "\n";
  }

  @Path("/api")
  @Produces(MediaType.TEXT_PLAIN)
  public static class Api {
    @GET
    @Path("public")
    @PermitAll
    public String publicInfo(@Context SecurityContext security) {
      return echo(security);
    }

    @GET
    @Path("admin")
    @RequiresScopes("read:admin")
    public String admin(@Context SecurityContext security) {
      return echo(security);
    }

    @GET
    @Path("reports")
    @RequiresAnyScope({"read:reports", "read:admin"})
    public String reports(@Context SecurityContext security) {
      return echo(security);
    }

    @GET
    @Path("me")
    public String me(@Context SecurityContext security) {
      return echo(security);
    }

    @POST
    @Path("notes")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public String note(@FormParam("note") String note, @Context SecurityContext security) {
      return "note=" + note + "\n" + echo(security);
    }
  }

  @Path("/api/patients")
  @Produces(MediaType.TEXT_PLAIN)
  @RequiresScopes("read:patients")
  public static class Patients {
    @GET
    public String list(@Context SecurityContext security) {
      return echo(security);
    }

    @GET
    @Path("{id}")
    public String one(@PathParam("id") String id, @Context SecurityContext security) {
      return "id=" + id + "\n" + echo(security);
    }

    @GET
    @Path("count")
    @PermitAll
    public String count() {
      return "42";
    }
  }

  /** A sub-resource locator: the sub-resource's methods are protected by their own annotations. */
  @Path("/api/wards")
  @Produces(MediaType.TEXT_PLAIN)
  public static class Wards {
    @Path("{ward}")
    public Ward ward(@PathParam("ward") String ward) {
      return new Ward(ward);
    }
  }

  @Produces(MediaType.TEXT_PLAIN)
  public static class Ward {
    private final String name;

    Ward(String name) {
      this.name = name;
    }

    @GET
    public String get(@Context SecurityContext security) {
      return "ward=" + name + "\n" + echo(security);
    }

    @GET
    @Path("beds")
    @RequiresScopes("read:beds")
    public String beds(@Context SecurityContext security) {
      return "beds of " + name + "\n" + echo(security);
    }
  }

  /** Reads the token another filter would see. */
  @Path("/api/property")
  @Produces(MediaType.TEXT_PLAIN)
  public static class Property {
    @GET
    public String get(@Context ContainerRequestContext request) {
      return "property=" + BearerTokenFeature.accessToken(request).map(AccessToken::subject).orElse(null);
    }
  }
}
