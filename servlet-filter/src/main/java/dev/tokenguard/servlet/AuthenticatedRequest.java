package dev.tokenguard.servlet;

import dev.tokenguard.AccessToken;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;

/**
 * The request as the application sees it after the filter accepted its token: the principal and
 * the remote user are the token's {@code sub}, a role is a scope the token carries, and the
 * authentication type is the scheme the token came with, {@code Bearer} or {@code DPoP}. Not
 * thread-safe, like any request.
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {
  /** The authentication type reported by {@link #getAuthType()} for a bearer token. */
  static final String AUTH_TYPE = "Bearer";

  private final AccessToken token;
  private final Principal principal;
  private final String authType;

  AuthenticatedRequest(HttpServletRequest request, AccessToken token, String authType) {
    super(request);
    this.token = token;
    this.principal = new SubjectPrincipal(token.subject());
    this.authType = authType;
  }

  @Override
  public Principal getUserPrincipal() {
    return principal;
  }

  @Override
  public String getRemoteUser() {
    return token.subject();
  }

  @Override
  public boolean isUserInRole(String role) {
    return role != null && token.hasScope(role);
  }

  @Override
  public String getAuthType() {
    return authType;
  }

  /** A principal named after the token's subject. Immutable. */
  static final class SubjectPrincipal implements Principal {
    private final String name;

    SubjectPrincipal(String name) {
      this.name = name;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SubjectPrincipal && ((SubjectPrincipal) o).name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return "SubjectPrincipal[" + name + "]";
    }
  }
}
