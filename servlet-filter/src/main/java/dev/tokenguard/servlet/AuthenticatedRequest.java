package dev.tokenguard.servlet;

import dev.tokenguard.AccessToken;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;

/**
 * The request as the application sees it after the filter accepted its token: the principal and
 * the remote user are the token's {@code sub}, and a role is a scope the token carries. Not
 * thread-safe, like any request.
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {
  /** The authentication type reported by {@link #getAuthType()}. */
  static final String AUTH_TYPE = "Bearer";

  private final AccessToken token;
  private final Principal principal;

  AuthenticatedRequest(HttpServletRequest request, AccessToken token) {
    super(request);
    this.token = token;
    this.principal = new SubjectPrincipal(token.subject());
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
    return AUTH_TYPE;
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
