package dev.tokenguard.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.testing.FakeIssuer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the filter's request parsing end to end: the {@code Authorization} header (any number of
 * them), the query string, the method, the content type and a form body, through
 * {@link BearerTokenFilter#doFilter} and the real verifier. Every request must either reach the
 * application with a verified token or be refused with 400, 401 or 403, a single well-formed
 * {@code WWW-Authenticate: Bearer} challenge and a small JSON body that repeats nothing the client
 * sent; the filter itself must never throw.
 *
 * <p>An input is text, one directive a line: {@code P:} path, {@code M:} method, {@code A:} an
 * {@code Authorization} header (repeatable), {@code Q:} query string, {@code C:} content type,
 * {@code B:} the body (the rest of the input). In header, query and body, {@code $VALID},
 * {@code $IDTOKEN} and {@code $EXPIRED} become tokens minted by the fake issuer, so mutations start
 * from real tokens. Seeds and findings: {@code src/test/resources/dev/tokenguard/servlet/
 * BearerRequestFuzzTestInputs/request/}. A campaign: {@code JAZZER_FUZZ=1 mvn -B -ntp -pl
 * servlet-filter -am test -Dtest=BearerRequestFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Djazzer.max_duration=5m}.
 */
class BearerRequestFuzzTest {
  private static final FakeIssuer ISSUER = FakeIssuer.start();
  private static final AccessTokenVerifier VERIFIER = ISSUER.verifierBuilder().build();
  private static final BearerTokenFilter FILTER =
      BearerTokenFilter.builder(VERIFIER)
          .realm("fuzz")
          .permit("/api/public")
          .requireScopes("/api/patients/*", "read:patients")
          .requireAnyScope("/api/admin/*", "read:admin", "write:admin")
          .permitCorsPreflight()
          .acceptQueryParameter()
          .acceptFormBody()
          .build();
  private static final Map<String, String> TOKENS = Map.of(
      "$VALID", ISSUER.accessToken().scopes("read:patients").sign(),
      "$IDTOKEN", ISSUER.idToken().sign(),
      "$EXPIRED", ISSUER.accessToken().expired().sign());
  private static final Set<Integer> REFUSALS = Set.of(400, 401, 403);

  @AfterAll
  static void stopIssuer() {
    ISSUER.close();
  }

  @FuzzTest(maxDuration = "30s")
  @Timeout(10)
  @DictionaryEntries({
    "A:", "Q:", "B:", "C:", "M:", "P:", "Bearer ", "bearer ", "Basic ", "access_token=", "&", "%", "=",
    "$VALID", "$IDTOKEN", "$EXPIRED", "application/x-www-form-urlencoded", "POST", "OPTIONS"
  })
  void request(byte[] input) throws Exception {
    FakeRequest request = FakeRequest.parse(new String(input, UTF_8));
    RecordedResponse response = new RecordedResponse();
    List<HttpServletRequest> passed = new ArrayList<>();
    FilterChain chain = (req, res) -> passed.add((HttpServletRequest) req);

    FILTER.doFilter(request.proxy(), response.proxy(), chain);

    if (!passed.isEmpty()) {
      check(passed.size() == 1, "the chain ran " + passed.size() + " times");
      check(response.status == 0, "a request passed on after the filter set status " + response.status);
      Object token = passed.get(0).getAttribute(BearerTokenFilter.ACCESS_TOKEN_ATTRIBUTE);
      check(token == null || token instanceof AccessToken, "the token attribute is " + token);
      return;
    }
    check(REFUSALS.contains(response.status), "refused with status " + response.status);
    List<String> challenges = response.headers.getOrDefault("WWW-Authenticate", List.of());
    check(challenges.size() == 1, "challenges: " + challenges);
    String challenge = challenges.get(0);
    check(challenge.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "non-printable challenge " + challenge);
    Challenges.assertWellFormed(challenge);
    String body = response.body.toString(UTF_8);
    check(body.startsWith("{") && body.endsWith("}") && body.length() < 512, "body " + body);
    for (String sent : request.tokenLikeValues()) {
      check(!body.contains(sent) && !challenge.contains(sent), "the answer repeats what the client sent");
    }
  }

  /** What an unstubbed proxy method returns: zero, false or null. */
  private static Object defaultValue(Class<?> type) {
    if (type == boolean.class) {
      return Boolean.FALSE;
    }
    if (type == int.class) {
      return 0;
    }
    if (type == long.class) {
      return 0L;
    }
    return null;
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  /** The request a fuzz input describes, as a proxy answering what the filter asks. */
  private static final class FakeRequest {
    String path = "/api/patients/1";
    String method = "GET";
    final List<String> authorization = new ArrayList<>();
    String query;
    String contentType;
    byte[] body = new byte[0];
    final Map<String, Object> attributes = new HashMap<>();

    static FakeRequest parse(String text) {
      FakeRequest r = new FakeRequest();
      int pos = 0;
      while (pos < text.length()) {
        if (text.startsWith("B:", pos)) {
          r.body = expand(text.substring(pos + 2)).getBytes(UTF_8);
          break;
        }
        int end = text.indexOf('\n', pos);
        String line = text.substring(pos, end < 0 ? text.length() : end);
        pos = end < 0 ? text.length() : end + 1;
        if (line.length() < 2) {
          continue;
        }
        String value = line.substring(2);
        switch (line.substring(0, 2)) {
          case "P:":
            r.path = value;
            break;
          case "M:":
            r.method = value;
            break;
          case "A:":
            r.authorization.add(expand(value));
            break;
          case "Q:":
            r.query = expand(value);
            break;
          case "C:":
            r.contentType = value;
            break;
          default:
            break;
        }
      }
      return r;
    }

    private static String expand(String s) {
      String out = s;
      for (Map.Entry<String, String> token : TOKENS.entrySet()) {
        out = out.replace(token.getKey(), token.getValue());
      }
      return out;
    }

    /**
     * The token-like pieces the client sent (runs of 24 or more characters without white space,
     * {@code &} or {@code =}, containing a dot), which no answer may repeat. Shorter or dot-free
     * pieces could match the filter's own fixed texts by chance.
     */
    List<String> tokenLikeValues() {
      List<String> values = new ArrayList<>();
      List<String> sent = new ArrayList<>(authorization);
      if (query != null) {
        sent.add(query);
      }
      sent.add(new String(body, UTF_8));
      for (String s : sent) {
        for (String piece : s.split("[\\s&=]+")) {
          if (piece.length() >= 24 && piece.indexOf('.') >= 0) {
            values.add(piece);
          }
        }
      }
      return values;
    }

    HttpServletRequest proxy() {
      ServletInputStream stream = new ReplayedBody(body);
      return (HttpServletRequest) Proxy.newProxyInstance(
          getClass().getClassLoader(), new Class<?>[] {HttpServletRequest.class}, (self, m, args) -> {
            switch (m.getName()) {
              case "getHeaders":
                return Collections.enumeration("authorization".equalsIgnoreCase((String) args[0]) ? authorization : List.of());
              case "getHeader":
                return "authorization".equalsIgnoreCase((String) args[0]) && !authorization.isEmpty() ? authorization.get(0) : null;
              case "getMethod":
                return method;
              case "getServletPath":
                return path;
              case "getPathInfo":
              case "getContextPath":
                return null;
              case "getRequestURI":
                return path;
              case "getQueryString":
                return query;
              case "getContentType":
                return contentType;
              case "getContentLength":
                return body.length;
              case "getContentLengthLong":
                return (long) body.length;
              case "getCharacterEncoding":
                return "UTF-8";
              case "getInputStream":
                return stream;
              case "getAttribute":
                return attributes.get((String) args[0]);
              case "setAttribute":
                attributes.put((String) args[0], args[1]);
                return null;
              case "removeAttribute":
                attributes.remove((String) args[0]);
                return null;
              case "hashCode":
                return System.identityHashCode(self);
              case "equals":
                return self == args[0];
              case "toString":
                return "FakeRequest " + method + " " + path;
              default:
                return defaultValue(m.getReturnType());
            }
          });
    }
  }

  /** A response that records status, headers and body. */
  private static final class RecordedResponse {
    int status;
    final Map<String, List<String>> headers = new LinkedHashMap<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();

    HttpServletResponse proxy() {
      ServletOutputStream stream = new ServletOutputStream() {
        @Override
        public void write(int b) {
          body.write(b);
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {}
      };
      return (HttpServletResponse) Proxy.newProxyInstance(
          getClass().getClassLoader(), new Class<?>[] {HttpServletResponse.class}, (self, m, args) -> {
            switch (m.getName()) {
              case "setStatus":
                status = (Integer) args[0];
                return null;
              case "setHeader":
                headers.put((String) args[0], new ArrayList<>(List.of((String) args[1])));
                return null;
              case "addHeader":
                headers.computeIfAbsent((String) args[0], k -> new ArrayList<>()).add((String) args[1]);
                return null;
              case "resetBuffer":
                body.reset();
                return null;
              case "getOutputStream":
                return stream;
              case "hashCode":
                return System.identityHashCode(self);
              case "equals":
                return self == args[0];
              case "toString":
                return "RecordedResponse " + status;
              default:
                return defaultValue(m.getReturnType());
            }
          });
    }
  }
}
