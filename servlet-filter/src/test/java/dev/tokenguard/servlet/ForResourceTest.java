package dev.tokenguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenguard.AccessToken;
import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.TokenRequest;
import dev.tokenguard.http.ConfigurationReader;
import dev.tokenguard.http.ProtectedResource;
import dev.tokenguard.support.Http;
import dev.tokenguard.testing.FakeIssuer;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link BearerTokenFilter#forResource}: a front door that reads its settings through {@link
 * ConfigurationReader#resourceBuilder} over a verifier it manages itself gets a filter answering
 * as that resource decides, and keeps its verifier when the container destroys the filter.
 */
class ForResourceTest {
  @Test
  void theFilterAnswersAsTheResourceDecidesAndLeavesAVerifierItDoesNotOwnOpen() throws Exception {
    try (FakeIssuer issuer = FakeIssuer.start(); AccessTokenVerifier verifier = issuer.verifierBuilder().build()) {
      AtomicInteger closes = new AtomicInteger();
      AccessTokenVerifier managedElsewhere = new AccessTokenVerifier() {
        @Override
        public AccessToken verify(TokenRequest request) {
          return verifier.verify(request);
        }

        @Override
        public void close() {
          closes.incrementAndGet();
        }
      };
      Map<String, String> settings = Map.of("realm", "health-api", "public-paths", "/api/public",
          "scope-rules", "/api/admin=read:admin");
      ProtectedResource resource = ConfigurationReader.of(settings.keySet(), settings::get, name -> "setting " + name)
          .resourceBuilder(managedElsewhere).build();
      BearerTokenFilter filter = BearerTokenFilter.forResource(resource);

      try (TestServer server = TestServer.start(filter)) {
        String nurse = issuer.accessToken().subject("nurse").scopes("read:patients").sign();
        assertThat(Http.get(server.uri("/api/public")).statusCode()).isEqualTo(200);
        assertThat(Http.get(server.uri("/api/me")).headers().firstValue("WWW-Authenticate"))
            .hasValue("Bearer realm=\"health-api\"");
        HttpResponse<String> me = Http.get(server.uri("/api/me"), "Authorization", "Bearer " + nurse);
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("principal=nurse");
        assertThat(Http.get(server.uri("/api/admin/7"), "Authorization", "Bearer " + nurse).statusCode()).isEqualTo(403);
      }
      filter.destroy(); // as a container does when it stops
      assertThat(closes).as("a verifier the resource does not own stays open").hasValue(0);
    }
  }

  @Test
  void aNullResourceIsRefused() {
    assertThatThrownBy(() -> BearerTokenFilter.forResource(null)).isInstanceOf(NullPointerException.class);
  }
}
