package dev.tokenguard.interop.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.DpopPolicy;
import dev.tokenguard.http.Answer;
import dev.tokenguard.http.Decision;
import dev.tokenguard.http.ProtectedResource;
import dev.tokenguard.http.ResourceRequest;
import dev.tokenguard.testing.FakeIssuer;
import dev.tokenguard.testing.TestClock;
import dev.tokenguard.testing.TestKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The catalog's surface {@code sdk-verifier.error-response}: the catalog's {@code
 * www_authenticate(error)} / {@code build_error_response} is read as the answer {@link
 * ProtectedResource} gives a request that fails that way (the one place every front door takes its
 * challenges from), for a resource accepting {@code Bearer} and {@code DPoP}. The error goes on the
 * challenge of the scheme the request used (RFC 9449 section 7.2), and every challenge names the
 * realm.
 */
class ErrorResponseConformanceTest {
  private static final String PUBLIC_URL = "https://api.example.com";
  private static final URI TARGET = URI.create(PUBLIC_URL + "/resource");

  private final TestClock clock = TestClock.startingNow();
  private final FakeIssuer issuer = FakeIssuer.builder().clock(clock).audience(PUBLIC_URL).start();
  private final TestKey holder = TestKey.ecP256();

  @AfterEach
  void stop() {
    issuer.close();
  }

  private ProtectedResource resource(AccessTokenVerifier verifier) {
    return ProtectedResource.builder(verifier).realm(PUBLIC_URL).requireScopes("/resource", "read:data")
        .publicUrl(URI.create(PUBLIC_URL)).build();
  }

  /** The answer of {@code resource} to GET /resource with these header name/value pairs. */
  private static Answer refused(ProtectedResource resource, String... headers) throws IOException {
    Decision decision = resource.decide(new Get(headers));
    assertThat(decision.isAllowed()).as("%s", decision).isFalse();
    return decision.answer().orElseThrow();
  }

  /** The one challenge of {@code answer} for {@code scheme}. */
  private static String challenge(Answer answer, String scheme) {
    List<String> found = answer.headers().getOrDefault("WWW-Authenticate", List.of()).stream()
        .filter(c -> c.startsWith(scheme + " ")).toList();
    assertThat(found).as("one %s challenge in %s", scheme, answer).hasSize(1);
    return found.get(0);
  }

  @Test
  @ConformanceCase("rfc6750-error-response-realm-should-be-included")
  void everyChallengeNamesTheRealmWhicheverSchemeFailed() throws IOException {
    ProtectedResource resource = resource(issuer.verifierBuilder().build());
    Answer expired = refused(resource, "Authorization", "Bearer " + issuer.accessToken().scopes("read:data").expired().sign());
    String bound = issuer.accessToken().dpopBound(holder).scopes("read:data").sign();
    Answer badProof = refused(resource, "Authorization", "DPoP " + bound,
        "DPoP", issuer.dpopProof(holder, "GET", TARGET).accessToken(bound).tamperedSignature().sign());
    for (Answer answer : List.of(expired, badProof)) {
      assertThat(answer.headers().get("WWW-Authenticate")).hasSize(2)
          .allSatisfy(c -> assertThat(c).matches("(Bearer|DPoP) realm=\"https://api\\.example\\.com\"(, .*)?"));
    }
    assertThat(challenge(expired, "Bearer")).contains("error=\"invalid_token\"");
    assertThat(challenge(badProof, "DPoP")).contains("error=\"invalid_dpop_proof\"");
  }

  /**
   * Each scenario of the case. {@code dpop_error} is read as a proof that fails the token's binding
   * (signed by another key than {@code cnf.jkt}): a token error, so {@code invalid_token} on the
   * DPoP challenge; a proof failing RFC 9449 section 4.3 itself is {@code invalid_dpop_proof}, as
   * {@code dpop_multi_header} shows. {@code dpop_not_supported} is a bearer-only resource (DPoP off)
   * given a DPoP-bound token: {@code invalid_token} on its only challenge, {@code Bearer}.
   */
  @ParameterizedTest(name = "{0}")
  @ConformanceCase("rfc6750-error-response-must-map-error-codes")
  @CsvSource({
      "token_expired, 401, invalid_token, Bearer",
      "invalid_signature, 401, invalid_token, Bearer",
      "insufficient_scope, 403, insufficient_scope, Bearer",
      "dpop_error, 401, invalid_token, DPoP",
      "dpop_multi_header, 401, invalid_dpop_proof, DPoP",
      "dpop_not_supported, 401, invalid_token, Bearer"})
  void mapsEachErrorToItsCodeOnTheChallengeOfItsScheme(String scenario, int status, String code, String scheme) throws IOException {
    ProtectedResource resource = resource(issuer.verifierBuilder().build());
    String bound = issuer.accessToken().dpopBound(holder).scopes("read:data").sign();
    Answer answer = switch (scenario) {
      case "token_expired" -> refused(resource, "Authorization", "Bearer " + issuer.accessToken().scopes("read:data").expired().sign());
      case "invalid_signature" -> refused(resource, "Authorization",
          "Bearer " + issuer.accessToken().scopes("read:data").tamperedSignature().sign());
      case "insufficient_scope" -> refused(resource, "Authorization", "Bearer " + issuer.accessToken().scopes("other").sign());
      case "dpop_error" -> refused(resource, "Authorization", "DPoP " + bound,
          "DPoP", issuer.dpopProof(TestKey.ecP256(), "GET", TARGET).accessToken(bound).sign());
      case "dpop_multi_header" -> refused(resource, "Authorization", "DPoP " + bound,
          "DPoP", issuer.dpopProof(holder, "GET", TARGET).accessToken(bound).sign(),
          "DPoP", issuer.dpopProof(holder, "GET", TARGET).accessToken(bound).sign());
      case "dpop_not_supported" -> {
        ProtectedResource bearerOnly = ProtectedResource.builder(issuer.verifierBuilder().dpop(DpopPolicy.disabled()).build())
            .realm(PUBLIC_URL).requireScopes("/resource", "read:data").build();
        Answer a = refused(bearerOnly, "Authorization", "Bearer " + bound);
        assertThat(a.headers().get("WWW-Authenticate")).as("a bearer-only resource challenges with Bearer alone").hasSize(1);
        yield a;
      }
      default -> throw new IllegalArgumentException(scenario);
    };
    assertThat(answer.status()).isEqualTo(status);
    assertThat(challenge(answer, scheme)).contains("error=\"" + code + "\", error_description=\"");
    for (String other : answer.headers().get("WWW-Authenticate")) {
      if (!other.startsWith(scheme + " ")) {
        assertThat(other).as("the scheme not used carries no error").doesNotContain("error=");
      }
    }
  }

  /** GET /resource, as sent to {@link #PUBLIC_URL}, with the given header lines. */
  private static final class Get implements ResourceRequest {
    private final Map<String, List<String>> headers = new LinkedHashMap<>();

    Get(String... nameValuePairs) {
      for (int i = 0; i < nameValuePairs.length; i += 2) {
        headers.computeIfAbsent(nameValuePairs[i].toLowerCase(java.util.Locale.ROOT), n -> new ArrayList<>()).add(nameValuePairs[i + 1]);
      }
    }

    @Override
    public String method() {
      return "GET";
    }

    @Override
    public String path() {
      return "/resource";
    }

    @Override
    public List<String> headers(String name) {
      return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
    }

    @Override
    public Optional<String> rawQuery() {
      return Optional.empty();
    }

    @Override
    public Optional<String> contentType() {
      return Optional.empty();
    }

    @Override
    public InputStream body() {
      return new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public Optional<String> rawPath() {
      return Optional.of("/resource");
    }
  }
}
