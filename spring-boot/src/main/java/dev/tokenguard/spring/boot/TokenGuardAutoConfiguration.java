package dev.tokenguard.spring.boot;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.servlet.BearerTokenFilter;
import jakarta.servlet.DispatcherType;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Spring Boot auto-configuration for TokenGuard, registered in {@code
 * META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}. Active unless
 * {@code tokenguard.enabled=false}; it then needs {@code tokenguard.issuer} and {@code
 * tokenguard.audience} (see {@link TokenGuardProperties}), or an {@link AccessTokenVerifier} bean of
 * the application's own, and otherwise stops the application from starting rather than leave it
 * unprotected.
 *
 * <ul>
 *   <li>An {@link AccessTokenVerifier} bean named {@code tokenGuardVerifier}, built from the
 *       properties and every {@link TokenGuardVerifierCustomizer} bean, unless the application
 *       defines an {@code AccessTokenVerifier} itself (which then replaces it everywhere). It is
 *       closed when the context closes, which stops its key-fetch thread.
 *   <li>On the servlet stack, TokenGuard's {@link BearerTokenFilter} for every path ({@code /*},
 *       request dispatches), registered as {@code tokenGuardFilter} at {@link
 *       TokenGuardProperties#getFilterOrder()} (default {@link
 *       TokenGuardProperties#DEFAULT_FILTER_ORDER}, before Spring Security's filter chain). It
 *       answers every refused request itself per RFC 6750, with the path rules of the properties.
 *   <li>A reactive (WebFlux) application does not start: the filter could not protect it.
 *   <li>With Spring MVC, a controller method may take the verified token as an {@code
 *       AccessToken} parameter, or {@code Optional<AccessToken>} where the path is public; {@code
 *       Principal} (and {@code HttpServletRequest.getUserPrincipal()}) names its subject, and the
 *       request attribute {@link BearerTokenFilter#ACCESS_TOKEN_ATTRIBUTE} holds it too.
 * </ul>
 *
 * <p>Exclude it like any auto-configuration, e.g. {@code
 * @SpringBootApplication(exclude = TokenGuardAutoConfiguration.class)}.
 */
// Its annotations are read by Spring, which the application brings; users need not read them.
@SuppressWarnings("exports")
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "tokenguard.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TokenGuardProperties.class)
public final class TokenGuardAutoConfiguration {
  /** The name of the filter's registration, and of the filter in the servlet context. */
  static final String FILTER_NAME = "tokenGuardFilter";

  TokenGuardAutoConfiguration() {}

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  AccessTokenVerifier tokenGuardVerifier(TokenGuardProperties properties,
      ObjectProvider<TokenGuardVerifierCustomizer> customizers) {
    AccessTokenVerifier.Builder builder = properties.verifierBuilder();
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    try {
      return builder.build();
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw new TokenGuardConfigurationException("the verifier built from tokenguard.issuer, tokenguard.audience, "
          + "tokenguard.jwks-uri, tokenguard.scope-claims, tokenguard.dpop* and the TokenGuardVerifierCustomizer beans: " + e.getMessage(), e);
    }
  }

  /** The filter, on the servlet stack. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  static class ServletFilterConfiguration {
    @Bean
    FilterRegistrationBean<BearerTokenFilter> tokenGuardFilter(TokenGuardProperties properties, AccessTokenVerifier verifier) {
      FilterRegistrationBean<BearerTokenFilter> registration =
          new FilterRegistrationBean<>(BearerTokenFilter.forResource(properties.protectedResource(verifier)));
      registration.setName(FILTER_NAME);
      registration.setOrder(properties.getFilterOrder());
      registration.setDispatcherTypes(DispatcherType.REQUEST);
      registration.addUrlPatterns("/*");
      return registration;
    }
  }

  /**
   * A reactive (WebFlux) application: the servlet filter cannot protect it, so it does not start
   * rather than run unprotected while {@code tokenguard.*} says it is protected.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  static class ReactiveRefusal {
    static final String MESSAGE = "tokenguard-spring-boot protects Spring MVC applications on the servlet stack, "
        + "and this is a reactive (WebFlux) application: no request would be checked. Verify tokens with "
        + "tokenguard-core's AccessTokenVerifier in a WebFilter of your own instead, and remove tokenguard-spring-boot "
        + "(or set tokenguard.enabled=false)";

    ReactiveRefusal() {
      throw new TokenGuardConfigurationException(MESSAGE);
    }
  }

  /** The {@code AccessToken} controller argument, with Spring MVC. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(WebMvcConfigurer.class)
  static class WebMvcArgumentConfiguration {
    @Bean
    WebMvcConfigurer tokenGuardWebMvcConfigurer() {
      return new WebMvcConfigurer() {
        @Override
        public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
          resolvers.add(new AccessTokenArgumentResolver());
        }
      };
    }
  }
}
