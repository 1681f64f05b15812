package dev.tokenguard.jaxrs;

import dev.tokenguard.AccessToken;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * The security context of a request whose token the filter accepted: the principal is the token's
 * {@code sub} (and carries the token, for {@link BearerTokenFeature#accessToken(SecurityContext)}),
 * a role is a scope the token carries, and the scheme is the one the token came with, {@code
 * Bearer} or {@code DPoP}. Immutable.
 */
final class TokenSecurityContext implements SecurityContext {
  /** What {@link #getAuthenticationScheme()} answers for a bearer token (RFC 6750 section 2.1). */
  static final String AUTHENTICATION_SCHEME = "Bearer";

  private final TokenPrincipal principal;
  private final boolean secure;
  private final String scheme;

  TokenSecurityContext(AccessToken token, boolean secure, String scheme) {
    this.principal = new TokenPrincipal(token);
    this.secure = secure;
    this.scheme = scheme;
  }

  @Override
  public Principal getUserPrincipal() {
    return principal;
  }

  @Override
  public boolean isUserInRole(String role) {
    return role != null && principal.token.hasScope(role);
  }

  @Override
  public boolean isSecure() {
    return secure;
  }

  @Override
  public String getAuthenticationScheme() {
    return scheme;
  }

  /** A principal named after the token's subject, holding the verified token. Immutable. */
  static final class TokenPrincipal implements Principal {
    final AccessToken token;

    TokenPrincipal(AccessToken token) {
      this.token = token;
    }

    @Override
    public String getName() {
      return token.subject();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TokenPrincipal && ((TokenPrincipal) o).getName().equals(getName());
    }

    @Override
    public int hashCode() {
      return getName().hashCode();
    }

    /** The subject only; never the token. */
    @Override
    public String toString() {
      return "TokenPrincipal[" + getName() + "]";
    }
  }
}
