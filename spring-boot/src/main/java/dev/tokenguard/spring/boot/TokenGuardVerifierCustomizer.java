package dev.tokenguard.spring.boot;

import dev.tokenguard.AccessTokenVerifier;

/**
 * Adjusts the {@link AccessTokenVerifier} the auto-configuration builds from the {@code
 * tokenguard.*} properties, for settings that have no property: accepted algorithms, clock skew,
 * claim rules, a key-source listener for metrics. Declare one or more as beans; they run in their
 * {@code @Order}, after the properties are applied, and a value a customizer sets replaces the
 * property's.
 *
 * <pre>{@code
 * @Bean
 * TokenGuardVerifierCustomizer es256() {
 *   return builder -> builder.algorithms(Algorithm.RS256, Algorithm.ES256);
 * }
 * }</pre>
 *
 * <p>Not applied to an {@link AccessTokenVerifier} bean the application defines itself.
 */
@FunctionalInterface
public interface TokenGuardVerifierCustomizer {
  /**
   * Adjusts {@code builder} before the verifier is built.
   *
   * @param builder holds the {@code tokenguard.*} settings (issuer, audience, JWKS URI, scope
   *     claims); its setters throw {@link IllegalArgumentException} for a value they refuse, which
   *     stops the application from starting
   */
  void customize(AccessTokenVerifier.Builder builder);
}
