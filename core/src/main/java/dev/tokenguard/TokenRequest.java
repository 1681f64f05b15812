package dev.tokenguard;

import java.util.Objects;

/**
 * One request to a protected resource, as the verifier needs to see it: the access token it
 * presents, how it presents it, and what the resource requires of the token.
 *
 * <pre>{@code
 * AccessToken token = verifier.verify(
 *     TokenRequest.bearer(accessToken).requiring(Requirement.allScopes("read:patients")));
 * }</pre>
 *
 * <p>Today a request presents a bearer token (RFC 6750): whoever holds the token may use it, so a
 * sender-constrained token (one with a {@code cnf} claim, RFC 9449 section 6 and RFC 8705 section
 * 3) is refused when presented this way. Immutable and thread-safe; {@link #requiring(Requirement)}
 * returns a new request.
 */
public final class TokenRequest {
  private final String accessToken;
  private final Requirement requirement;

  private TokenRequest(String accessToken, Requirement requirement) {
    this.accessToken = accessToken;
    this.requirement = requirement;
  }

  /**
   * A request presenting {@code accessToken} as a bearer token (RFC 6750), with no requirement
   * beyond a valid token.
   *
   * @param accessToken the compact JWT, without the {@code Bearer } prefix; checked by {@link
   *     AccessTokenVerifier#verify(TokenRequest)}, not here
   * @return the request; immutable
   * @throws NullPointerException when {@code accessToken} is null
   */
  public static TokenRequest bearer(String accessToken) {
    return new TokenRequest(Objects.requireNonNull(accessToken, "accessToken"), Requirement.none());
  }

  /**
   * This request with {@code requirement} (replacing the one it had).
   *
   * @param requirement what the resource requires of the token
   * @return a new request with the same token and {@code requirement}
   * @throws NullPointerException when {@code requirement} is null
   */
  public TokenRequest requiring(Requirement requirement) {
    return new TokenRequest(accessToken, Objects.requireNonNull(requirement, "requirement"));
  }

  /**
   * The access token presented, exactly as received.
   *
   * @return the access token, exactly as received
   */
  public String accessToken() {
    return accessToken;
  }

  /**
   * What the resource requires of the token; {@link Requirement#none()} unless set.
   *
   * @return the requirement; {@link Requirement#none()} unless set
   */
  public Requirement requirement() {
    return requirement;
  }

  /** Names the scheme and the requirement, never the token. */
  @Override
  public String toString() {
    return "TokenRequest{Bearer, requirement=" + requirement + "}";
  }
}
