package dev.tokenguard;

import java.util.List;
import java.util.Objects;

/**
 * What a protected resource requires of a valid access token, beyond the token being valid: the
 * scopes it must carry (every one of them, or any one). Evaluated on every request, also when the
 * token itself comes from the verified-token cache, so one token can serve requests with different
 * requirements.
 *
 * <pre>{@code
 * verifier.verify(TokenRequest.bearer(token).requiring(Requirement.allScopes("read:patients")));
 * verifier.verify(TokenRequest.bearer(token).requiring(Requirement.anyScope("read:reports", "read:admin")));
 * }</pre>
 *
 * <p>A token that is valid but does not meet the requirement is refused with {@link
 * TokenVerificationException.Reason#INSUFFICIENT_SCOPE} (HTTP 403, RFC 6750 section 3.1), and the
 * exception's {@link TokenVerificationException#unmetRequirement()} is this requirement, so the
 * answer can name the scopes ({@code scope="..."}). Immutable and thread-safe.
 */
public final class Requirement {
  private static final Requirement NONE = new Requirement(List.of(), false);

  private final List<String> scopes;
  private final boolean anyScope;

  private Requirement(List<String> scopes, boolean anyScope) {
    this.scopes = scopes;
    this.anyScope = anyScope;
  }

  /**
   * No requirement beyond a valid token.
   *
   * @return the requirement that only asks for a valid token
   */
  public static Requirement none() {
    return NONE;
  }

  /**
   * The token must carry every one of {@code scopes}.
   *
   * @param scopes one or more RFC 6750 scope tokens: printable ASCII without spaces, {@code "} or
   *     {@code \} (section 3), so they can be named in a {@code WWW-Authenticate} challenge as they
   *     are
   * @return the requirement; immutable
   * @throws NullPointerException when {@code scopes} or one of them is null
   * @throws IllegalArgumentException when there is no scope or one is empty or has another character
   */
  public static Requirement allScopes(String... scopes) {
    return new Requirement(checkScopes(scopes), false);
  }

  /**
   * The token must carry at least one of {@code scopes}.
   *
   * @param scopes one or more RFC 6750 scope tokens, as for {@link #allScopes(String...)}
   * @return the requirement; immutable
   * @throws NullPointerException when {@code scopes} or one of them is null
   * @throws IllegalArgumentException when there is no scope or one is empty or has another character
   */
  public static Requirement anyScope(String... scopes) {
    return new Requirement(checkScopes(scopes), true);
  }

  /**
   * The scopes this requirement names, in the order given; empty for {@link #none()}.
   *
   * @return the scopes in the order given; unmodifiable, empty for {@link #none()}
   */
  public List<String> scopes() {
    return scopes;
  }

  /**
   * True when one of {@link #scopes()} is enough, false when every one is needed.
   *
   * @return true for any of the scopes, false for all of them
   */
  public boolean anyScopeSuffices() {
    return anyScope;
  }

  /**
   * True when nothing beyond a valid token is required.
   *
   * @return true when this is {@link #none()}
   */
  public boolean isNone() {
    return scopes.isEmpty();
  }

  /**
   * Whether {@code token} meets this requirement.
   *
   * @param token a verified token
   * @return true when the token meets this requirement
   * @throws NullPointerException when {@code token} is null
   */
  public boolean isMetBy(AccessToken token) {
    Objects.requireNonNull(token, "token");
    if (scopes.isEmpty()) {
      return true;
    }
    for (String scope : scopes) {
      boolean has = token.hasScope(scope);
      if (has == anyScope) {
        return has;
      }
    }
    return !anyScope;
  }

  /** Refuses {@code token} with INSUFFICIENT_SCOPE unless it meets this requirement. */
  void check(AccessToken token) {
    if (!isMetBy(token)) {
      String detail = (anyScope ? "none of the scopes " : "a missing scope among ") + Detail.quote(String.join(" ", scopes))
          + "; the token grants " + token.scopes().size() + " scopes";
      throw new TokenVerificationException(TokenVerificationException.Reason.INSUFFICIENT_SCOPE,
          anyScope ? ANY_SCOPE_DESCRIPTION : TokenVerificationException.Reason.INSUFFICIENT_SCOPE.safeDescription(),
          detail, this);
    }
  }

  static final String ANY_SCOPE_DESCRIPTION = "The access token lacks every scope this request accepts.";

  /** RFC 6750 section 3 scope-token characters: %x21 / %x23-5B / %x5D-7E. */
  static boolean isScopeChar(char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
  }

  private static List<String> checkScopes(String... scopes) {
    Objects.requireNonNull(scopes, "scopes");
    if (scopes.length == 0) {
      throw new IllegalArgumentException("a scope requirement needs at least one scope");
    }
    for (String scope : scopes) {
      Objects.requireNonNull(scope, "scope");
      if (scope.isEmpty()) {
        throw new IllegalArgumentException("a scope must not be empty");
      }
      for (int i = 0; i < scope.length(); i++) {
        if (!isScopeChar(scope.charAt(i))) {
          throw new IllegalArgumentException(
              "a scope is printable ASCII without spaces, quotes or backslashes (RFC 6750 section 3): " + Detail.quote(scope));
        }
      }
    }
    return List.of(scopes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Requirement && ((Requirement) o).anyScope == anyScope && ((Requirement) o).scopes.equals(scopes);
  }

  @Override
  public int hashCode() {
    return scopes.hashCode() * 31 + (anyScope ? 1 : 0);
  }

  /** For logs: {@code all of [a, b]}, {@code any of [a, b]} or {@code none}. */
  @Override
  public String toString() {
    return scopes.isEmpty() ? "none" : (anyScope ? "any of " : "all of ") + scopes;
  }
}
