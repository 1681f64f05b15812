package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Init parameters that must stop the filter from starting, each named in the message; no container needed. */
class InitParameterMisconfigurationTest {
  private ServletException initFails(Map<String, String> params) {
    BearerTokenFilter filter = new BearerTokenFilter();
    try {
      filter.init(config(params));
    } catch (ServletException e) {
      return e;
    }
    throw new AssertionError("init accepted " + params);
  }

  @Test
  void missingIssuerStopsTheFilterFromStarting() {
    assertThat(initFails(Map.of("audience", "https://api.example")).getMessage()).contains("issuer is required");
  }

  @Test
  void missingAudienceStopsTheFilterFromStarting() {
    assertThat(initFails(Map.of("issuer", "https://tenant.example/")).getMessage()).contains("audience is required");
  }

  @Test
  void misspelledParameterStopsTheFilterFromStarting() {
    Map<String, String> params = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example",
        "scope-rule", "/api/admin/*=read:admin");
    assertThat(initFails(params).getMessage()).contains("unknown init parameter scope-rule");
  }

  @Test
  void malformedScopeRuleStopsTheFilterFromStarting() {
    Map<String, String> base = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example");
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("/api/admin/*", "each rule is pattern=scopes");
    expected.put("/api/admin/*=", "each rule is pattern=scopes");
    expected.put("api/admin=read:admin", "a path pattern starts with /");
    expected.put("/api/*/x=read", "* is allowed only as a final /*");
    expected.put("/a=b|c d", "do not mix | (any of) with spaces or commas");
    expected.put("/a=x; /a=y", "the path pattern /a already has a rule");
    expected.put("/a=x|", "an any-of rule has an empty scope");
    expected.put("/a=|x", "an any-of rule has an empty scope");
    expected.forEach((rule, message) -> {
      Map<String, String> params = new LinkedHashMap<>(base);
      params.put("scope-rules", rule);
      assertThat(initFails(params)).as(rule).hasMessageContaining("BearerTokenFilter").hasMessageContaining(message);
    });
  }

  @Test
  void publicPathThatAScopeRuleNamesStopsTheFilterFromStarting() {
    Map<String, String> params = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example",
        "public-paths", "/api/orders", "scope-rules", "/api/orders/*=read:orders");
    assertThat(initFails(params).getMessage()).contains("init parameter scope-rules").contains("already public");
  }

  @Test
  void jwksUriThatIsNotAUriStopsTheFilterFromStartingAndIsNamed() {
    Map<String, String> params = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example",
        "jwks-uri", "not a uri");
    assertThat(initFails(params).getMessage()).contains("init parameter jwks-uri is not a URI");
  }

  @Test
  void nonBooleanFlagStopsTheFilterFromStarting() {
    Map<String, String> params = Map.of("issuer", "https://tenant.example/", "audience", "https://api.example", "allow-options", "yes");
    assertThat(initFails(params).getMessage()).contains("allow-options must be true or false");
  }

  @Test
  void plainHttpIssuerThatIsNotLoopbackStopsTheFilterFromStarting() {
    assertThat(initFails(Map.of("issuer", "http://tenant.example/", "audience", "https://api.example"))).isNotNull();
  }

  @Test
  void uninitialisedFilterRefusesToServeInsteadOfLettingRequestsThrough() {
    BearerTokenFilter filter = new BearerTokenFilter();
    FilterChain chain = (req, res) -> {
      throw new AssertionError("the request reached the application");
    };
    assertThatThrownBy(() -> filter.doFilter(null, null, chain)).isInstanceOf(ServletException.class);
  }

  static FilterConfig config(Map<String, String> params) {
    return new FilterConfig() {
      @Override
      public String getFilterName() {
        return "tokenguard";
      }

      @Override
      public ServletContext getServletContext() {
        return null;
      }

      @Override
      public String getInitParameter(String name) {
        return params.get(name);
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(params.keySet());
      }
    };
  }
}
