/**
 * Spring Boot auto-configuration for TokenGuard. With {@code tokenguard.issuer} and {@code
 * tokenguard.audience} set, a Spring MVC application on the servlet stack is protected by the
 * TokenGuard servlet filter, configured by {@link dev.tokenguard.spring.boot.TokenGuardProperties}
 * (the same names and grammar as the filter's {@code web.xml} init parameters, read by {@link
 * dev.tokenguard.http.ConfigurationReader}); the {@link dev.tokenguard.AccessTokenVerifier} is a
 * bean to inject or replace; controllers take the verified {@link dev.tokenguard.AccessToken} as a
 * method argument, and {@code Principal} names its subject.
 *
 * <ul>
 *   <li>{@link dev.tokenguard.spring.boot.TokenGuardAutoConfiguration}: the auto-configuration (to
 *       exclude or import by name);
 *   <li>{@link dev.tokenguard.spring.boot.TokenGuardProperties}: the {@code tokenguard.*}
 *       properties;
 *   <li>{@link dev.tokenguard.spring.boot.TokenGuardVerifierCustomizer}: adjusts the verifier built
 *       from the properties (algorithms, clock skew, claim rules, listeners).
 * </ul>
 */
package dev.tokenguard.spring.boot;
