package dev.tokenguard.benchmarks;

import dev.tokenguard.AccessTokenVerifier;
import dev.tokenguard.servlet.BearerTokenFilter;
import dev.tokenguard.testing.FakeIssuer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/**
 * What {@link BearerTokenFilter} costs per HTTP request: one embedded Jetty 12 serves the same
 * servlet in two contexts, {@code /open} without the filter and {@code /guarded} with it (and
 * {@code /fresh}, with it over a verifier whose token cache is off, for unique tokens; {@code
 * /noop}, with a filter that only calls the chain, to calibrate what any filter costs), and
 * {@code wrk} drives loopback traffic at one context, then the other, alternating (A B A B ...)
 * so that both see the same background load. Each scenario reports the filtered context's
 * requests per second divided by the open one's in the round before it, as a median with the
 * lowest and highest round.
 *
 * <p>Scenarios: a client repeating one valid token ({@code /api/data}, which requires a scope);
 * unique tokens, each request another token of a pool minted at start-up, against the cache-off
 * verifier, so every request is a full verification; and no token on a public path ({@code
 * /api/public}, permitted). Both contexts receive byte-for-byte the same requests but for the
 * context path. Every answer must be 200: a round with any other status fails the run.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.tokenguard.benchmarks.FilterCostBenchmark [BENCHMARKS.md]}: replaces that file's section
 * "The filter's cost per HTTP request" (or appends it). Needs {@code wrk} on the path (Debian:
 * {@code apt-get install wrk}). Runs about three minutes; {@link BenchmarkReport} runs it too.
 */
public final class FilterCostBenchmark {
  static final String HEADING = "## The filter's cost per HTTP request";
  static final String COMMAND = "java -cp benchmarks/target/benchmarks.jar dev.tokenguard.benchmarks.FilterCostBenchmark BENCHMARKS.md";
  static final int ROUNDS = 5;
  static final int WARMUP_ROUNDS = 2;
  static final int SECONDS_PER_ROUND = 3;
  static final int CONNECTIONS = 16;
  static final int UNIQUE_TOKENS = 2048;
  private static final byte[] BODY = "{\"ok\":true}".getBytes(StandardCharsets.US_ASCII);

  private FilterCostBenchmark() {}

  /** The servlet both contexts serve: a fixed small JSON answer. */
  static final class OkServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.setStatus(200);
      response.setContentType("application/json");
      response.setContentLength(BODY.length);
      response.getOutputStream().write(BODY);
    }
  }

  /** One scenario: the two paths compared, and the headers or script every request carries. */
  static final class Scenario {
    final String name;
    final String description;
    final String openPath;
    final String guardedPath;
    final double target;
    /** A fixed {@code Authorization} header value, or null. */
    final String authorization;
    /** A file of tokens, one per line, each request sends the next; or null. */
    final Path tokens;
    final List<Double> ratios = new ArrayList<>();
    long openRequests;
    long guardedRequests;

    Scenario(String name, String description, String openPath, String guardedPath, double target, String authorization,
        Path tokens) {
      this.name = name;
      this.description = description;
      this.openPath = openPath;
      this.guardedPath = guardedPath;
      this.target = target;
      this.authorization = authorization;
      this.tokens = tokens;
    }
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
    String section = measure();
    System.out.println(section);
    replaceSection(out, section);
  }

  /** Runs every scenario and returns the BENCHMARKS.md section (a note saying why, when wrk is missing). */
  static String measure() throws Exception {
    if (!wrkAvailable()) {
      return HEADING + "\n\nNot measured in this run: `wrk` is not installed (Debian: `apt-get install wrk`). "
          + "Command: `" + COMMAND + "`.\n\n";
    }
    Instant started = Instant.now();
    try (FakeIssuer issuer = FakeIssuer.builder().clock(Clock.fixed(Instant.now(), ZoneOffset.UTC)).start();
        AccessTokenVerifier cached = issuer.verifierBuilder().build();
        AccessTokenVerifier uncached = issuer.verifierBuilder().verifiedTokenCacheSize(0).build()) {
      Path tokenFile = Files.createTempFile("tokenguard-filter-tokens", ".txt");
      Path script = Files.createTempFile("tokenguard-filter", ".lua");
      try {
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < UNIQUE_TOKENS; i++) {
          pool.add(mint(issuer, i));
        }
        Files.write(tokenFile, pool, StandardCharsets.US_ASCII);
        Files.writeString(script, LUA, StandardCharsets.US_ASCII);
        String repeated = "Bearer " + mint(issuer, -1);
        List<Scenario> scenarios = List.of(
            new Scenario("Repeated valid token", "one client reusing its token on `/api/data` (requires `read:patients`)",
                "/open/api/data", "/guarded/api/data", 0.95, repeated, null),
            new Scenario("Unique tokens", "each request another token of " + UNIQUE_TOKENS + " on `/api/data`, verifier "
                + "cache off (every request a full verification, RSA included)", "/open/api/data", "/fresh/api/data", Double.NaN,
                null, tokenFile),
            new Scenario("Public path, no token", "`/api/public`, permitted by the filter, no `Authorization` header",
                "/open/api/public", "/guarded/api/public", 0.99, null, null),
            new Scenario("Calibration: a filter that does nothing", "`/api/public` through a pass-through filter "
                + "(`/noop`): what Jetty charges for any filter", "/open/api/public", "/noop/api/public", Double.NaN, null, null));
        Server server = start(filter(cached), filter(uncached));
        try {
          int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
          for (Scenario s : scenarios) {
            run(s, port, script);
          }
        } finally {
          server.stop();
        }
        return render(scenarios, started, Instant.now());
      } finally {
        Files.deleteIfExists(tokenFile);
        Files.deleteIfExists(script);
      }
    }
  }

  static String mint(FakeIssuer issuer, int i) {
    return issuer.accessToken()
        .subject("auth0|user-" + i)
        .claim("jti", "filter-" + i + "-" + System.nanoTime())
        .scopes(VerifyBenchmark.SCOPE, "write:patients")
        .expiresIn(Duration.ofDays(1))
        .sign();
  }

  static Filter filter(AccessTokenVerifier verifier) {
    return BearerTokenFilter.builder(verifier)
        .permit("/api/public")
        .requireScopes("/api/data", VerifyBenchmark.SCOPE)
        .build();
  }

  /** Jetty on an ephemeral loopback port: /open (servlet only), /guarded and /fresh (filter, then the same servlet). */
  static Server start(Filter guarded, Filter fresh) throws Exception {
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ContextHandlerCollection contexts = new ContextHandlerCollection();
    contexts.addHandler(context("/open", null));
    contexts.addHandler(context("/guarded", guarded));
    contexts.addHandler(context("/fresh", fresh));
    contexts.addHandler(context("/noop", (request, response, chain) -> chain.doFilter(request, response)));
    server.setHandler(contexts);
    server.start();
    return server;
  }

  private static ServletContextHandler context(String path, Filter filter) {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath(path);
    if (filter != null) {
      context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    context.addServlet(new ServletHolder(new OkServlet()), "/");
    return context;
  }

  /** {@link #WARMUP_ROUNDS} rounds of each side, then {@link #ROUNDS} rounds of open then guarded. */
  static void run(Scenario s, int port, Path script) throws IOException, InterruptedException {
    for (int round = 0; round < WARMUP_ROUNDS; round++) {
      wrk(s, port, s.openPath, script, SECONDS_PER_ROUND);
      wrk(s, port, s.guardedPath, script, SECONDS_PER_ROUND);
    }
    for (int round = 0; round < ROUNDS; round++) {
      Result open = wrk(s, port, s.openPath, script, SECONDS_PER_ROUND);
      Result guarded = wrk(s, port, s.guardedPath, script, SECONDS_PER_ROUND);
      s.openRequests += open.requests;
      s.guardedRequests += guarded.requests;
      s.ratios.add(guarded.perSecond / open.perSecond);
      System.out.printf(Locale.ROOT, "%s round %d: open %.0f/s, filtered %.0f/s, ratio %.3f%n", s.name, round + 1,
          open.perSecond, guarded.perSecond, guarded.perSecond / open.perSecond);
    }
  }

  /** Requests per second and requests, from wrk's summary. */
  static final class Result {
    final double perSecond;
    final long requests;

    Result(double perSecond, long requests) {
      this.perSecond = perSecond;
      this.requests = requests;
    }
  }

  private static final Pattern PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
  private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors:.*");

  static Result wrk(Scenario s, int port, String path, Path script, int seconds) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("wrk", "-t1", "-c" + CONNECTIONS, "-d" + seconds + "s"));
    if (s.authorization != null) {
      command.add("-H");
      command.add("Authorization: " + s.authorization);
    }
    if (s.tokens != null) {
      command.add("-s");
      command.add(script.toString());
    }
    command.add("http://127.0.0.1:" + port + path);
    if (s.tokens != null) {
      command.add("--");
      command.add(s.tokens.toString());
    }
    Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!wrk.waitFor(seconds + 30L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
      wrk.destroyForcibly();
      throw new IllegalStateException("wrk failed on " + path + ":\n" + output);
    }
    Matcher non2xx = NON_2XX.matcher(output);
    if (non2xx.find() || SOCKET_ERRORS.matcher(output).find()) {
      throw new IllegalStateException("wrk saw answers other than 200 or socket errors on " + path + ":\n" + output);
    }
    Matcher perSecond = PER_SECOND.matcher(output);
    Matcher requests = REQUESTS.matcher(output);
    if (!perSecond.find() || !requests.find()) {
      throw new IllegalStateException("cannot read wrk's summary:\n" + output);
    }
    return new Result(Double.parseDouble(perSecond.group(1)), Long.parseLong(requests.group(1)));
  }

  /** Each request the next token of the file named after {@code --}; every wrk thread starts elsewhere in it. */
  static final String LUA = String.join("\n",
      "local tokens = {}",
      "local next = 0",
      "function init(args)",
      "  for line in io.lines(args[1]) do tokens[#tokens + 1] = 'Bearer ' .. line end",
      "  next = math.random(#tokens) - 1",
      "end",
      "function request()",
      "  next = next % #tokens + 1",
      "  return wrk.format('GET', nil, { ['Authorization'] = tokens[next] })",
      "end",
      "");

  static boolean wrkAvailable() {
    try {
      Process p = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor(10, TimeUnit.SECONDS);
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static String render(List<Scenario> scenarios, Instant started, Instant finished) {
    StringBuilder md = new StringBuilder(HEADING).append("\n\n");
    md.append("What `BearerTokenFilter` adds to a request, as the filtered servlet's requests per second divided by ")
        .append("the same servlet's without the filter. One embedded Jetty 12 serves one servlet (a fixed 11-byte JSON ")
        .append("answer) in two contexts, `/open` without the filter and `/guarded` with it (default verifier, fixed ")
        .append("JWKS); `wrk` (1 thread, ").append(CONNECTIONS).append(" connections, loopback) drives one context for ")
        .append(SECONDS_PER_ROUND).append(" s, then the other, ").append(ROUNDS).append(" times after ")
        .append(WARMUP_ROUNDS).append(" warm-up rounds each (A B A B ...), with byte-for-byte the same requests but for the context path. Each ratio divides a ")
        .append("filtered round by the open round just before it; the median and the lowest and highest round are shown. ")
        .append("Every answer was 200. Absolute rates are not quoted: `wrk` and Jetty share the machine's cores.\n\n");
    md.append("Command (after the package build above; needs `wrk`, Debian `apt-get install wrk`; about three minutes):\n\n")
        .append("```sh\n").append(COMMAND).append("\n```\n\n");
    md.append("| Scenario | Requests | Filtered ÷ open, requests/s (min–max) | Target | |\n|---|---|---:|---:|---|\n");
    for (Scenario s : scenarios) {
      List<Double> sorted = new ArrayList<>(s.ratios);
      Collections.sort(sorted);
      int n = sorted.size();
      double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      String target = Double.isNaN(s.target) ? "–" : String.format(Locale.ROOT, "≥ %.2f", s.target);
      String met = Double.isNaN(s.target) ? "" : median >= s.target ? "Met" : "**Not met**";
      md.append(String.format(Locale.ROOT, "| %s | %s | **%.3f×** (%.3f–%.3f) | %s | %s |%n", s.name, s.description, median,
          sorted.get(0), sorted.get(n - 1), target, met));
    }
    md.append("\nThe unique-token scenario has no target: there the RSA verification, not the filter, sets the rate; ")
        .append("it shows what a first sighting of each token costs at the HTTP level. The calibration row puts a filter ")
        .append("that only calls the chain in `/noop`: the part of the public-path figure that any filter costs in Jetty ")
        .append("(building or finding the filter chain), not TokenGuard's own work.\n\n");
    md.append("Run: ").append(started.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append(" to ")
        .append(finished.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append(".\n\n");
    return md.toString();
  }

  /** Replaces the section that starts with {@link #HEADING} up to the next "## " heading, or appends it. */
  static void replaceSection(Path file, String section) {
    try {
      String md = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      int start = md.indexOf(HEADING);
      String updated;
      if (start < 0) {
        updated = md + (md.isEmpty() || md.endsWith("\n\n") ? "" : "\n") + section;
      } else {
        int end = md.indexOf("\n## ", start + HEADING.length());
        updated = md.substring(0, start) + section + (end < 0 ? "" : md.substring(end + 1));
      }
      Files.writeString(file, updated, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
