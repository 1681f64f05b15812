package dev.tokenguard.interop;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.eclipse.jetty.ee11.servlet.FilterHolder;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.context.annotation.AnnotatedBeanDefinitionReader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configuration.OAuth2AuthorizationServerConfiguration;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.GenericWebApplicationContext;
import org.springframework.web.filter.DelegatingFilterProxy;

/**
 * Spring Authorization Server (Spring Security 7.1), configured as its reference documentation's
 * getting-started application is, in-process on embedded Jetty 12 (ee11: Spring Framework 7 needs
 * Servlet 6.1) on a random loopback port. Its issuer is {@code http://127.0.0.1:<port>}.
 *
 * <p>Registered: one user ({@link #USER}), and the clients {@link #WEB_CLIENT} (confidential,
 * authorization code with PKCE and refresh token, consent required), {@link #SERVICE_CLIENT}
 * (client credentials), {@link #DEVICE_CLIENT} (confidential, RFC 8628 device authorization and
 * refresh token, consent required: out of the box Spring Authorization Server authenticates a
 * public client only by PKCE, which the device flow does not use; its samples add a converter and
 * provider of their own for public device clients) and a confidential client whose {@code client_id} is the API identifier
 * {@link #API} itself (authorization code with PKCE). Scopes {@code openid profile read:patients
 * read:admin}.
 */
final class SpringAuthorizationServer implements AutoCloseable {
  /** The API's identifier: the audience access tokens carry, and one client's client_id. */
  static final String API = "https://health-api.interop.test";
  static final String WEB_CLIENT = "patient-portal";
  static final String SERVICE_CLIENT = "reporting-service";
  static final String DEVICE_CLIENT = "bedside-tv";
  /** Each confidential client's secret is this followed by its client_id (SAS refuses shared secrets). */
  static final String SECRET = "interop-secret-for-";
  static final String USER = "alice";
  static final String PASSWORD = "alice-password";
  /** Never served: the flows stop at the redirect to it and read the code from its query. */
  static final String REDIRECT_URI = "http://127.0.0.1/callback";
  static final String SCOPES = "openid profile read:patients read:admin";

  static String secret(String clientId) {
    return SECRET + clientId;
  }

  private final Server jetty;
  private final GenericWebApplicationContext spring;
  final String issuer;

  private SpringAuthorizationServer(Server jetty, GenericWebApplicationContext spring, String issuer) {
    this.jetty = jetty;
    this.spring = spring;
    this.issuer = issuer;
  }

  static SpringAuthorizationServer start() throws Exception {
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
    context.setContextPath("/");
    // Finds the Spring context in the servlet context on the first request (set below, once the
    // port, and so the issuer, is known).
    context.addFilter(new FilterHolder(new DelegatingFilterProxy("springSecurityFilterChain")), "/*",
        EnumSet.of(DispatcherType.REQUEST, DispatcherType.ERROR));
    context.addServlet(new ServletHolder(new ActivatePage()), "/activate");
    jetty.setHandler(context);
    jetty.start();
    String issuer = "http://127.0.0.1:" + connector.getLocalPort();
    GenericWebApplicationContext spring = new GenericWebApplicationContext(context.getServletContext());
    try {
      new AnnotatedBeanDefinitionReader(spring).register(Config.class);
      spring.registerBean(AuthorizationServerSettings.class, () -> AuthorizationServerSettings.builder().issuer(issuer).build());
      spring.refresh();
      context.getServletContext().setAttribute(WebApplicationContext.ROOT_WEB_APPLICATION_CONTEXT_ATTRIBUTE, spring);
    } catch (Exception | Error e) {
      spring.close();
      jetty.stop();
      throw e;
    }
    return new SpringAuthorizationServer(jetty, spring, issuer);
  }

  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Jetty did not stop", e);
    } finally {
      spring.close();
    }
  }

  /**
   * The user-code entry page a Spring Authorization Server deployment provides itself (the
   * project's samples serve it at {@code /activate} and name it as the verification URI): a form
   * that posts {@code user_code} to the device verification endpoint, with the CSRF token.
   */
  static final class ActivatePage extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      CsrfToken csrf = (CsrfToken) req.getAttribute(CsrfToken.class.getName());
      String csrfField = csrf == null ? ""
          : "<input type=\"hidden\" name=\"" + csrf.getParameterName() + "\" value=\"" + csrf.getToken() + "\">";
      String userCode = req.getParameter("user_code") == null ? "" : req.getParameter("user_code").replaceAll("[^A-Za-z0-9-]", "");
      resp.setContentType("text/html;charset=utf-8");
      resp.getOutputStream().write(("<!DOCTYPE html><html><body><h1>Device Activation</h1>"
          + "<form id=\"activate\" method=\"post\" action=\"/oauth2/device_verification\">"
          + "<label for=\"user_code\">Enter the code shown on your device</label>"
          + "<input type=\"text\" id=\"user_code\" name=\"user_code\" value=\"" + userCode + "\">"
          + csrfField
          + "<button type=\"submit\">Submit</button></form></body></html>").getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The application configuration, as in Spring Security's authorization server reference. */
  @Configuration(proxyBeanMethods = false)
  @EnableWebSecurity
  static class Config {

    @Bean
    @Order(1)
    SecurityFilterChain authorizationServerSecurityFilterChain(HttpSecurity http) throws Exception {
      http
          .oauth2AuthorizationServer(authorizationServer -> {
            http.securityMatcher(authorizationServer.getEndpointsMatcher());
            authorizationServer
                .oidc(Customizer.withDefaults())
                .deviceAuthorizationEndpoint(device -> device.verificationUri("/activate"));
          })
          .authorizeHttpRequests(authorize -> authorize.anyRequest().authenticated())
          .exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
              new LoginUrlAuthenticationEntryPoint("/login"), new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
      return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain defaultSecurityFilterChain(HttpSecurity http) throws Exception {
      http
          .authorizeHttpRequests(authorize -> authorize.anyRequest().authenticated())
          .formLogin(Customizer.withDefaults());
      return http.build();
    }

    @Bean
    UserDetailsService userDetailsService() {
      return new InMemoryUserDetailsManager(User.withUsername(USER).password("{noop}" + PASSWORD).roles("USER").build());
    }

    @Bean
    RegisteredClientRepository registeredClientRepository() {
      RegisteredClient web = RegisteredClient.withId(UUID.randomUUID().toString())
          .clientId(WEB_CLIENT)
          .clientSecret("{noop}" + secret(WEB_CLIENT))
          .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
          .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
          .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
          .redirectUri(REDIRECT_URI)
          .scope(OidcScopes.OPENID)
          .scope(OidcScopes.PROFILE)
          .scope("read:patients")
          .scope("read:admin")
          .clientSettings(ClientSettings.builder().requireAuthorizationConsent(true).requireProofKey(true).build())
          .build();
      RegisteredClient service = RegisteredClient.withId(UUID.randomUUID().toString())
          .clientId(SERVICE_CLIENT)
          .clientSecret("{noop}" + secret(SERVICE_CLIENT))
          .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
          .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
          .scope("read:patients")
          .scope("read:admin")
          .build();
      RegisteredClient device = RegisteredClient.withId(UUID.randomUUID().toString())
          .clientId(DEVICE_CLIENT)
          .clientSecret("{noop}" + secret(DEVICE_CLIENT))
          .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
          .authorizationGrantType(AuthorizationGrantType.DEVICE_CODE)
          .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
          .scope(OidcScopes.OPENID)
          .scope(OidcScopes.PROFILE)
          .scope("read:patients")
          .scope("read:admin")
          .clientSettings(ClientSettings.builder().requireAuthorizationConsent(true).build())
          .build();
      // A first-party client registered under the API's own identifier (issue 10 item 4): its ID
      // tokens carry aud = azp = the API identifier.
      RegisteredClient apiItself = RegisteredClient.withId(UUID.randomUUID().toString())
          .clientId(API)
          .clientSecret("{noop}" + secret(API))
          .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
          .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
          .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
          .redirectUri(REDIRECT_URI)
          .scope(OidcScopes.OPENID)
          .scope(OidcScopes.PROFILE)
          .scope("read:patients")
          .clientSettings(ClientSettings.builder().requireAuthorizationConsent(true).requireProofKey(true).build())
          .build();
      return new InMemoryRegisteredClientRepository(web, service, device, apiItself);
    }

    @Bean
    JWKSource<SecurityContext> jwkSource() throws Exception {
      RSAKey key = new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
      return new ImmutableJWKSet<>(new JWKSet(key));
    }

    @Bean
    JwtDecoder jwtDecoder(JWKSource<SecurityContext> jwkSource) {
      return OAuth2AuthorizationServerConfiguration.jwtDecoder(jwkSource);
    }

    /**
     * Spring Authorization Server puts only the client's id in an access token's {@code aud}; this
     * customizer is how a deployment names its API's audience: it adds the API identifier to the
     * access tokens (ID tokens keep {@code aud} = the client, as OpenID Connect requires).
     */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> apiAudience() {
      return context -> {
        if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
          context.getClaims().claims(claims -> {
            List<String> audience = new ArrayList<>();
            Object current = claims.get("aud");
            if (current instanceof List<?> list) {
              list.forEach(item -> audience.add(String.valueOf(item)));
            } else if (current != null) {
              audience.add(String.valueOf(current));
            }
            if (!audience.contains(API)) {
              audience.add(API);
            }
            claims.put("aud", audience);
          });
        }
      };
    }
  }
}
