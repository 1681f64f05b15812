package dev.tokenguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.testing.FakeIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP benchmark's server answers as the scenarios assume, and its section lands in the file. */
class FilterCostBenchmarkTest {
  @Test
  void everyContextAnswersTheScenariosRequestsWith200AndTheFilterStillGuards() throws Exception {
    try (FakeIssuer issuer = FakeIssuer.start();
        AccessTokenVerifier cached = issuer.verifierBuilder().build();
        AccessTokenVerifier uncached = issuer.verifierBuilder().verifiedTokenCacheSize(0).build()) {
      Server server = FilterCostBenchmark.start(FilterCostBenchmark.filter(cached), FilterCostBenchmark.filter(uncached));
      try {
        String base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        String bearer = "Bearer " + FilterCostBenchmark.mint(issuer, 1);
        HttpClient client = HttpClient.newHttpClient();
        for (String path : List.of("/open/api/data", "/guarded/api/data", "/fresh/api/data")) {
          assertThat(get(client, base + path, bearer)).as(path).isEqualTo(200);
        }
        for (String path : List.of("/open/api/public", "/guarded/api/public", "/noop/api/public")) {
          assertThat(get(client, base + path, null)).as(path).isEqualTo(200);
        }
        assertThat(get(client, base + "/guarded/api/data", null)).isEqualTo(401);
        assertThat(get(client, base + "/fresh/api/data", "Bearer " + issuer.accessToken().scopes("other").sign()))
            .isEqualTo(403);
      } finally {
        server.stop();
      }
    }
  }

  @Test
  void theSectionReplacesItsOldSelfAndKeepsTheRestOfTheFile(@TempDir Path dir) throws Exception {
    FilterCostBenchmark.Scenario s = new FilterCostBenchmark.Scenario("Repeated valid token", "x", "/a", "/b", 0.95, null, null);
    s.ratios.addAll(List.of(0.97, 0.96, 0.99));
    String section = FilterCostBenchmark.render(List.of(s), Instant.EPOCH, Instant.EPOCH);
    assertThat(section).startsWith(FilterCostBenchmark.HEADING).contains("**0.970×** (0.960–0.990)", "Met");
    Path file = dir.resolve("BENCHMARKS.md");
    Files.writeString(file, "# Benchmarks\n\n## Results\n\nr\n\n" + FilterCostBenchmark.HEADING + "\n\nold\n\n## Method\n\nm\n");
    FilterCostBenchmark.replaceSection(file, section);
    String md = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(md).contains("## Results\n\nr\n\n" + section + "## Method\n\nm\n").doesNotContain("old");
  }

  private static int get(HttpClient client, String uri, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
