package dev.tokenguard;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a protected resource requires of a valid access token, beyond the token being valid: the
 * scopes it must carry (every one of them, or any one), and how the user must have authenticated
 * (RFC 9470): with one of some authentication context classes ({@code acr}), and no longer ago than
 * a maximum age ({@code auth_time}); and whether it must be presented with DPoP ({@link
 * #withDpop()}). Evaluated on every request, also when the token itself comes
 * from the verified-token cache, so one token can serve requests with different requirements, and
 * an authentication that was recent enough a minute ago may not be now.
 *
 * <pre>{@code
 * verifier.verify(TokenRequest.bearer(token).requiring(Requirement.allScopes("read:patients")));
 * verifier.verify(TokenRequest.bearer(token).requiring(Requirement.anyScope("read:reports", "read:admin")));
 * verifier.verify(TokenRequest.bearer(token).requiring(Requirement.allScopes("read:patients")
 *     .withAcrValues("http://schemas.openid.net/pape/policies/2007/06/multi-factor")
 *     .withMaxAge(Duration.ofSeconds(300))));
 * }</pre>
 *
 * <p>A valid token that does not meet the requirement is refused:
 *
 * <ol>
 *   <li>first the user's authentication: when its {@code acr} is none of {@link #acrValues()} (or
 *       absent), or its {@code auth_time} is absent, later than now plus the verifier's clock skew,
 *       or earlier than now minus {@link #maxAge()}, with {@link
 *       TokenVerificationException.Reason#INSUFFICIENT_USER_AUTHENTICATION} (HTTP 401, RFC 9470
 *       section 3). The exception's {@link TokenVerificationException#unmetRequirement()} holds
 *       what the challenge names: every acr value and the maximum age of this requirement (both
 *       {@code acr_values} and {@code max_age}, so one new authorization meets them all), and the
 *       scopes too when the token also lacks them (RFC 9470 section 3 lets that challenge carry
 *       {@code scope}), so the client gets one token for everything in one round trip;
 *   <li>then the scopes, with {@link TokenVerificationException.Reason#INSUFFICIENT_SCOPE} (HTTP
 *       403, RFC 6750 section 3.1), whose {@link TokenVerificationException#unmetRequirement()} is
 *       the scope part of this requirement, so the answer can name the scopes ({@code
 *       scope="..."}).
 * </ol>
 *
 * <p>The user's authentication goes first because a 403 would only send the client for more
 * scope on the same old authentication, and the 401 that followed would cost a second
 * authorization; the step-up answer asks for both at once. The maximum age is measured on the
 * verifier's clock and is exact: a 300 s maximum age accepts an {@code auth_time} exactly 300 s old
 * and refuses one a second older, because the challenge tells the client {@code max_age=300} and
 * the API must not then accept what it said it would refuse. The verifier's clock skew still lets
 * an {@code auth_time} lie a little in the future (an issuer whose clock runs ahead). Immutable
 * and thread-safe; the {@code with...} methods return a new requirement.
 */
public final class Requirement {
  private static final Requirement NONE = new Requirement(List.of(), false, List.of(), null, false);
  /** The largest maximum age accepted: what fits a {@code max_age} of type int. */
  private static final Duration MAX_MAX_AGE = Duration.ofSeconds(Integer.MAX_VALUE);

  private final List<String> scopes;
  private final boolean anyScope;
  private final List<String> acrValues;
  /** The maximum authentication age, or null for none. */
  private final Duration maxAge;
  private final boolean dpop;

  private Requirement(List<String> scopes, boolean anyScope, List<String> acrValues, Duration maxAge, boolean dpop) {
    this.scopes = scopes;
    this.anyScope = anyScope;
    this.acrValues = acrValues;
    this.maxAge = maxAge;
    this.dpop = dpop;
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
    return new Requirement(checkTokens(scopes, "scope"), false, List.of(), null, false);
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
    return new Requirement(checkTokens(scopes, "scope"), true, List.of(), null, false);
  }

  /**
   * This requirement, and the user's authentication must have satisfied one of {@code acrValues}
   * (the token's {@code acr} equal to one of them, exactly; RFC 9470 section 3), replacing acr
   * values required before. A token without {@code acr} never meets it.
   *
   * @param acrValues one or more authentication context class references, in order of
   *     preference (the challenge lists them in this order); printable ASCII without spaces,
   *     {@code "} or {@code \}, so that {@code acr_values="..."} names them as they are
   * @return a new requirement with these acr values; this one is unchanged
   * @throws NullPointerException when {@code acrValues} or one of them is null
   * @throws IllegalArgumentException when there is none, or one is empty or has another character
   */
  public Requirement withAcrValues(String... acrValues) {
    return new Requirement(scopes, anyScope, checkTokens(acrValues, "acr value"), maxAge, dpop);
  }

  /**
   * This requirement, and the user must have authenticated actively no longer than {@code maxAge}
   * before the request, by the token's {@code auth_time} (RFC 9470 section 3), measured on the
   * verifier's clock, exactly, replacing a maximum age required before. A token without
   * {@code auth_time} never meets it.
   *
   * @param maxAge whole seconds, from zero to {@link Integer#MAX_VALUE} seconds ({@code max_age}
   *     is a non-negative integer of seconds)
   * @return a new requirement with this maximum age; this one is unchanged
   * @throws NullPointerException when {@code maxAge} is null
   * @throws IllegalArgumentException when negative, too large or not whole seconds
   */
  public Requirement withMaxAge(Duration maxAge) {
    Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative() || maxAge.getNano() != 0 || maxAge.compareTo(MAX_MAX_AGE) > 0) {
      throw new IllegalArgumentException("maxAge must be whole seconds from 0 to " + Integer.MAX_VALUE + " s, was " + maxAge);
    }
    return new Requirement(scopes, anyScope, acrValues, maxAge, dpop);
  }

  /**
   * This requirement, and the token must be DPoP-bound and presented with the {@code DPoP} scheme
   * and a valid proof (RFC 9449 section 7.1): for a path that accepts no bearer tokens. A request
   * presenting its token as a bearer token is refused with {@link
   * TokenVerificationException.Reason#DPOP_REQUIRED}; one presenting a token that is not DPoP-bound
   * with {@link TokenVerificationException.Reason#BINDING_MISMATCH}. A verifier built with {@link
   * DpopPolicy#disabled()} refuses every request with this requirement.
   *
   * <pre>{@code
   * Requirement.allScopes("read:patients").withDpop();
   * Requirement.none().withDpop();
   * }</pre>
   *
   * @return a new requirement that also requires DPoP; this one is unchanged
   */
  public Requirement withDpop() {
    return new Requirement(scopes, anyScope, acrValues, maxAge, true);
  }

  /**
   * True when the token must be presented with DPoP ({@link #withDpop()}).
   *
   * @return true when the token must be presented with DPoP
   */
  public boolean dpopRequired() {
    return dpop;
  }

  /**
   * The scopes this requirement names, in the order given; empty when no scope is required.
   *
   * @return the scopes in the order given; unmodifiable, empty when no scope is required
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
   * The authentication context class references one of which the user's authentication must have
   * satisfied, in order of preference; empty when any (or none) will do.
   *
   * @return the acr values in order of preference; unmodifiable, empty when any will do
   */
  public List<String> acrValues() {
    return acrValues;
  }

  /**
   * The longest time since the user's last active authentication, in whole seconds; empty when any age will do.
   *
   * @return the maximum authentication age; empty when any age will do
   */
  public Optional<Duration> maxAge() {
    return Optional.ofNullable(maxAge);
  }

  /**
   * True when nothing beyond a valid token is required: no scope, no authentication requirement, no DPoP.
   *
   * @return true when nothing beyond a valid token is required
   */
  public boolean isNone() {
    return scopes.isEmpty() && acrValues.isEmpty() && maxAge == null && !dpop;
  }

  /**
   * Whether {@code token} meets this requirement now: its scopes, its {@code acr}, and its {@code
   * auth_time} measured on the clock, and with the clock skew, of the verifier that verified it,
   * exactly as that verifier decides. How the token is presented ({@link #dpopRequired()}) is a
   * property of the request, checked by the verifier.
   *
   * @param token a verified token
   * @return true when the token meets this requirement
   * @throws NullPointerException when {@code token} is null
   */
  public boolean isMetBy(AccessToken token) {
    Objects.requireNonNull(token, "token");
    return scopesMetBy(token) && authenticationShortfall(token) == null;
  }

  /** Whether {@code token} carries the scopes this requirement names (all, or any one). */
  boolean scopesMetBy(AccessToken token) {
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

  /**
   * Why the user's authentication behind {@code token} does not meet this requirement now (a
   * detail for logs), or null when it does.
   */
  private String authenticationShortfall(AccessToken token) {
    if (!acrValues.isEmpty()) {
      Optional<String> acr = token.acr();
      if (acr.isEmpty()) {
        return "the token has no acr; required one of " + Detail.quote(String.join(" ", acrValues));
      }
      if (!acrValues.contains(acr.get())) {
        return "acr " + Detail.quote(acr.get()) + " is none of " + Detail.quote(String.join(" ", acrValues));
      }
    }
    if (maxAge != null) {
      long authTime = token.authTimeSeconds();
      if (authTime == AccessToken.NO_AUTH_TIME) {
        return "the token has no auth_time; required an authentication at most " + maxAge.getSeconds() + " s old";
      }
      long now = token.nowMillis();
      long skew = token.skewMillis();
      if (authTime * 1000 > now + skew) {
        return "auth_time " + Instant.ofEpochSecond(authTime) + " is in the future";
      }
      if (now - authTime * 1000 > maxAge.toMillis()) {
        return "auth_time " + Instant.ofEpochSecond(authTime) + " is " + (now / 1000 - authTime) + " s old, more than the maximum"
            + " age of " + maxAge.getSeconds() + " s";
      }
    }
    return null;
  }

  /**
   * Refuses {@code token} unless it meets this requirement: first the user's authentication
   * (INSUFFICIENT_USER_AUTHENTICATION), then the scopes (INSUFFICIENT_SCOPE).
   */
  void check(AccessToken token) {
    boolean scopesMet = scopesMetBy(token);
    String shortfall = authenticationShortfall(token);
    if (shortfall != null) {
      boolean acrMet = acrValues.isEmpty() || token.acr().map(acrValues::contains).orElse(false);
      String description = acrMet ? MORE_RECENT_DESCRIPTION : OTHER_LEVEL_DESCRIPTION;
      // The challenge names every step-up requirement, and the scopes when they are lacking too.
      Requirement named = new Requirement(scopesMet ? List.of() : scopes, anyScope, acrValues, maxAge, dpop);
      throw new TokenVerificationException(TokenVerificationException.Reason.INSUFFICIENT_USER_AUTHENTICATION, description,
          shortfall + (scopesMet ? "" : "; the scopes are lacking too"), named);
    }
    if (!scopesMet) {
      String detail = (anyScope ? "none of the scopes " : "a missing scope among ") + Detail.quote(String.join(" ", scopes))
          + "; the token grants " + token.scopes().size() + " scopes";
      Requirement named = acrValues.isEmpty() && maxAge == null ? this : new Requirement(scopes, anyScope, List.of(), null, dpop);
      throw new TokenVerificationException(TokenVerificationException.Reason.INSUFFICIENT_SCOPE,
          anyScope ? ANY_SCOPE_DESCRIPTION : TokenVerificationException.Reason.INSUFFICIENT_SCOPE.safeDescription(),
          detail, named);
    }
  }

  static final String ANY_SCOPE_DESCRIPTION = "The access token lacks every scope this request accepts.";
  static final String OTHER_LEVEL_DESCRIPTION = "A different authentication level is required.";
  static final String MORE_RECENT_DESCRIPTION = "More recent authentication is required.";

  /** RFC 6750 section 3 scope-token characters: %x21 / %x23-5B / %x5D-7E. */
  static boolean isScopeChar(char c) {
    return c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
  }

  /** Scopes or acr values: one or more, each non-empty printable ASCII a challenge can quote as it is. */
  private static List<String> checkTokens(String[] values, String what) {
    if (values == null) {
      throw new NullPointerException(what + "s"); // not Objects.requireNonNull: its message would be built on every call
    }
    if (values.length == 0) {
      throw new IllegalArgumentException("a " + what + " requirement needs at least one " + what);
    }
    for (String value : values) {
      Objects.requireNonNull(value, what);
      if (value.isEmpty()) {
        throw new IllegalArgumentException("a " + what + " must not be empty");
      }
      for (int i = 0; i < value.length(); i++) {
        if (!isScopeChar(value.charAt(i))) {
          throw new IllegalArgumentException(
              "a " + what + " is printable ASCII without spaces, quotes or backslashes (RFC 6750 section 3): " + Detail.quote(value));
        }
      }
    }
    return List.of(values);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Requirement)) {
      return false;
    }
    Requirement other = (Requirement) o;
    return other.anyScope == anyScope && other.scopes.equals(scopes) && other.acrValues.equals(acrValues)
        && Objects.equals(other.maxAge, maxAge) && other.dpop == dpop;
  }

  @Override
  public int hashCode() {
    return Objects.hash(scopes, anyScope, acrValues, maxAge, dpop);
  }

  /**
   * For logs: {@code all of [a, b]}, {@code any of [a, b]}, then {@code acr one of [x]} and {@code
   * max age 300 s} when required, {@code DPoP} when DPoP is required, or {@code none}.
   */
  @Override
  public String toString() {
    if (isNone()) {
      return "none";
    }
    List<String> parts = new ArrayList<>();
    if (!scopes.isEmpty()) {
      parts.add((anyScope ? "any of " : "all of ") + scopes);
    }
    if (!acrValues.isEmpty()) {
      parts.add("acr one of " + acrValues);
    }
    if (maxAge != null) {
      parts.add("max age " + maxAge.getSeconds() + " s");
    }
    if (dpop) {
      parts.add("DPoP");
    }
    return String.join(", ", parts);
  }
}
