package dev.tokenguard.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.testing.FakeIssuer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes request parsing end to end: the {@code Authorization} header (any number of them), the
 * query string, the method, the content type and a form body, through {@link
 * ProtectedResource#decide} and the real verifier. Every request must either be allowed (with a
 * verified token, or none on a public path), be answered with the published RFC 9728 metadata (a
 * {@code GET} or {@code HEAD} of one of its well-known paths, nothing else), or be refused with
 * 400, 401 or 403, a well-formed {@code WWW-Authenticate: Bearer} challenge and a {@code DPoP}
 * one (the resource has a public URL, so it accepts DPoP) each naming the metadata, and a small
 * JSON body that repeats nothing the client sent; {@code decide} itself must never throw. The
 * DPoP header and proof are fuzzed by {@link DpopRequestFuzzTest}.
 *
 * <p>An input is text, one directive a line: {@code P:} path, {@code M:} method, {@code A:} an
 * {@code Authorization} header (repeatable), {@code Q:} query string, {@code C:} content type,
 * {@code B:} the body (the rest of the input). In header, query and body, {@code $VALID},
 * {@code $IDTOKEN} and {@code $EXPIRED} become tokens minted by the fake issuer, so mutations start
 * from real tokens. Seeds and findings: {@code src/test/resources/dev/tokenguard/http/
 * BearerRequestFuzzTestInputs/request/}. A campaign: {@code JAZZER_FUZZ=1 mvn -B -ntp -pl http
 * -am test -Dtest=BearerRequestFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Djazzer.max_duration=5m}.
 */
class BearerRequestFuzzTest {
  private static final FakeIssuer ISSUER = FakeIssuer.start();
  private static final AccessTokenVerifier VERIFIER = ISSUER.verifierBuilder().build();
  private static final ProtectedResource RESOURCE =
      ProtectedResource.builder(VERIFIER)
          .realm("fuzz")
          .permit("/api/public")
          .requireScopes("/api/patients/*", "read:patients")
          .requireAnyScope("/api/admin", "read:admin", "write:admin")
          .permitCorsPreflight()
          .acceptQueryParameter()
          .acceptFormBody()
          .publishMetadata(ProtectedResourceMetadata.builder("https://api.example.test/api").authorizationServers(ISSUER.issuer()).build())
          .build();
  private static final String METADATA_URL = "https://api.example.test/.well-known/oauth-protected-resource/api";
  private static final Map<String, String> TOKENS = Map.of(
      "$VALID", ISSUER.accessToken().scopes("read:patients").sign(),
      "$IDTOKEN", ISSUER.idToken().sign(),
      "$EXPIRED", ISSUER.accessToken().expired().sign());
  private static final Set<Integer> REFUSALS = Set.of(400, 401, 403);

  @AfterAll
  static void stopIssuer() {
    VERIFIER.close();
    ISSUER.close();
  }

  @FuzzTest(maxDuration = "30s")
  @Timeout(10)
  @DictionaryEntries({
    "A:", "Q:", "B:", "C:", "M:", "P:", "Bearer ", "bearer ", "Basic ", "DPoP ", "access_token=", "&", "%", "=",
    "$VALID", "$IDTOKEN", "$EXPIRED", "application/x-www-form-urlencoded", "POST", "OPTIONS", "HEAD",
    "/.well-known/oauth-protected-resource", "/api"
  })
  void request(byte[] input) throws Exception {
    FakeRequest request = FakeRequest.parse(new String(input, UTF_8));

    Decision decision = RESOURCE.decide(request);

    check(decision.isAllowed() == decision.answer().isEmpty(), "allowed and answered: " + decision);
    if (decision.isAllowed()) {
      check(request.bodyReads <= 1, "the body was read " + request.bodyReads + " times");
      return;
    }
    check(decision.accessToken().isEmpty(), "a refused request carries a token");
    Answer answer = decision.answer().orElseThrow();
    if (answer.status() == 200) {
      check(RESOURCE.metadataPaths.contains(request.path) && (request.method.equals("GET") || request.method.equals("HEAD")),
          "the metadata answered " + request.method + " " + request.path);
      check(new String(answer.body(), UTF_8).equals(RESOURCE.metadata().orElseThrow().toJson()), "the metadata body");
      check(!answer.headers().containsKey("WWW-Authenticate"), "the metadata carries a challenge");
      return;
    }
    check(REFUSALS.contains(answer.status()), "refused with status " + answer.status());
    // The resource publishes metadata, so it has a public URL and accepts DPoP: a Bearer and a DPoP challenge.
    List<String> challenges = answer.headers().getOrDefault("WWW-Authenticate", List.of());
    check(challenges.size() == 2 && challenges.get(0).startsWith("Bearer ") && challenges.get(1).startsWith("DPoP "),
        "challenges: " + challenges);
    String body = new String(answer.body(), UTF_8);
    check(body.startsWith("{") && body.endsWith("}") && body.length() < 512, "body " + body);
    for (String challenge : challenges) {
      check(challenge.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "non-printable challenge " + challenge);
      Challenges.assertWellFormed(challenge);
      check(challenge.endsWith(", resource_metadata=\"" + METADATA_URL + "\""), "challenge without resource_metadata: " + challenge);
      // The metadata URL is configuration, checked exactly above: a client sending its text is not echoed.
      String unconfigured = challenge.substring(0, challenge.length() - (", resource_metadata=\"" + METADATA_URL + "\"").length());
      for (String sent : request.tokenLikeValues()) {
        check(!body.contains(sent) && !unconfigured.contains(sent), "the answer repeats what the client sent");
      }
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  /** The request a fuzz input describes. */
  private static final class FakeRequest implements ResourceRequest {
    String path = "/api/patients/1";
    String method = "GET";
    final List<String> authorization = new ArrayList<>();
    String query;
    String contentType;
    byte[] body = new byte[0];
    int bodyReads;

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
     * pieces could match the layer's own fixed texts by chance.
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

    @Override
    public String method() {
      return method;
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public List<String> headers(String name) {
      if ("authorization".equalsIgnoreCase(name)) {
        return authorization;
      }
      if ("content-type".equalsIgnoreCase(name) && contentType != null) {
        return List.of(contentType);
      }
      return List.of();
    }

    @Override
    public Optional<String> rawQuery() {
      return Optional.ofNullable(query);
    }

    @Override
    public Optional<String> contentType() {
      return Optional.ofNullable(contentType);
    }

    @Override
    public InputStream body() {
      bodyReads++;
      return new ByteArrayInputStream(body);
    }

    @Override
    public String toString() {
      return "FakeRequest " + method + " " + path;
    }
  }
}
