package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The adapter writes every value of a header field: several challenges stay several (RFC 9110 11.6.1). */
class AnswerWritingTest {
  @Test
  void aHeaderWithSeveralValuesIsWrittenAsOneLinePerValueInOrder() {
    List<String> calls = new ArrayList<>();
    HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {HttpServletResponse.class}, (self, m, args) -> {
          calls.add(m.getName() + " " + args[0] + ": " + args[1]);
          return null;
        });
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("WWW-Authenticate", List.of("Bearer realm=\"x\"", "DPoP realm=\"x\", algs=\"ES256\""));
    headers.put("Cache-Control", List.of("no-store"));

    BearerTokenFilter.setHeaders(response, headers);

    assertThat(calls).containsExactly(
        "setHeader WWW-Authenticate: Bearer realm=\"x\"",
        "addHeader WWW-Authenticate: DPoP realm=\"x\", algs=\"ES256\"",
        "setHeader Cache-Control: no-store");
  }
}
