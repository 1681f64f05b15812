package dev.tokenguard.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link VerifyBenchmark} at 1 and 2 threads with the GC profiler and writes BENCHMARKS.md:
 * every throughput as a ratio to the raw-JCA floor measured in the same run, and the bytes
 * allocated per operation. The file is generated, never edited by hand.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.tokenguard.benchmarks.BenchmarkReport
 * [output file, default BENCHMARKS.md] [benchmark regex]}. Without a regex it also runs {@link
 * DpopReport} ({@link DpopBenchmark}) and {@link FilterCostBenchmark} and includes their sections.
 */
public final class BenchmarkReport {
  static final String COMMAND =
      "mvn -B -ntp -pl benchmarks -am package -DskipTests\n"
          + "java -cp benchmarks/target/benchmarks.jar dev.tokenguard.benchmarks.BenchmarkReport BENCHMARKS.md";
  /** What the command does, for the file's readers. */
  static final String COMMAND_NOTE = "That one command regenerates this whole file in about 28 minutes: the JMH "
      + "benchmarks at 1 and 2 threads, the DPoP benchmarks (whose Redis row needs `redis-server`), then the HTTP "
      + "filter benchmark (which needs `wrk`); without either tool its row or section says so. Run it on a machine "
      + "doing nothing else if you can.";
  static final int[] THREADS = {1, 2};
  static final int WARMUP_ITERATIONS = 5;
  static final int MEASUREMENT_ITERATIONS = 7;
  static final String POOL_SIZE = "1024";

  /** Row order and what each row means. */
  static final Map<String, String> ROWS = new LinkedHashMap<>();

  static {
    ROWS.put("jcaFloorAccp", "Second floor: raw JCA `SHA256withRSA` with Amazon Corretto Crypto Provider");
    ROWS.put("tokenGuardUnique", "TokenGuard, every call a different token (full verification, cache off)");
    ROWS.put("tokenGuardUniqueHttpKeys", "The same, keys fetched over HTTP from the issuer's JWKS (warmed up)");
    ROWS.put("tokenGuardUniqueAccp", "The same, fixed JWKS, `signatureProvider(ACCP)`");
    ROWS.put("tokenGuardThreeIssuers", "The same, the verifier trusting three issuers");
    ROWS.put("tokenGuardUniqueAuth0Shape", "The same, the 1.5 KB Auth0-shaped token (`permissions`, namespaced claims)");
    ROWS.put("tokenGuardRepeated", "TokenGuard, default configuration, a client reusing its token (cache hit)");
    ROWS.put("tokenGuardRejectBadSignature", "TokenGuard rejects: bad signature (the pool's tokens, one signature bit flipped)");
    ROWS.put("tokenGuardRejectExpired", "TokenGuard rejects: expired");
    ROWS.put("tokenGuardRejectUnknownKid", "TokenGuard rejects: unknown `kid`");
    ROWS.put("tokenGuardRejectGarbage", "TokenGuard rejects: garbage (three base64url parts of random bytes)");
    ROWS.put("auth0Unique", "auth0 java-jwt + jwks-rsa, every call a different token");
    ROWS.put("jose4jUnique", "jose4j, every call a different token");
    ROWS.put("nimbusUnique", "Nimbus `DefaultJWTProcessor`, every call a different token");
    ROWS.put("springUnique", "Spring Security `NimbusJwtDecoder`, every call a different token");
    ROWS.put("auth0UniqueAuth0Shape", "auth0 java-jwt + jwks-rsa, the Auth0-shaped token");
    ROWS.put("jose4jUniqueAuth0Shape", "jose4j, the Auth0-shaped token");
    ROWS.put("nimbusUniqueAuth0Shape", "Nimbus `DefaultJWTProcessor`, the Auth0-shaped token");
    ROWS.put("springUniqueAuth0Shape", "Spring Security `NimbusJwtDecoder`, the Auth0-shaped token");
  }

  /** The peers' rows for the benchmark token and for the Auth0-shaped token. */
  static final List<String> PEERS = List.of("auth0Unique", "jose4jUnique", "nimbusUnique", "springUnique");
  static final List<String> PEERS_AUTH0_SHAPE =
      List.of("auth0UniqueAuth0Shape", "jose4jUniqueAuth0Shape", "nimbusUniqueAuth0Shape", "springUniqueAuth0Shape");
  /** Allocation targets (issue 15), in bytes: 1 KB = 1,000 B here, the stricter reading. */
  static final double ALLOC_TARGET_BYTES = 12_000;
  static final double ALLOC_TARGET_AUTH0_SHAPE_BYTES = 18_000;
  /** The rejection rows that must each be cheaper than an acceptance (a higher ratio than {@code tokenGuardUnique}). */
  static final List<String> REJECTIONS = List.of("tokenGuardRejectBadSignature", "tokenGuardRejectExpired",
      "tokenGuardRejectUnknownKid", "tokenGuardRejectGarbage");

  private BenchmarkReport() {}

  /**
   * One benchmark at one thread count: the median over the measurement iterations of its
   * throughput divided by the floor's in the same iteration, and the range.
   */
  static final class Row {
    final double ratio;
    final double min;
    final double max;
    double allocBytesPerOp = Double.NaN;

    Row(List<Double> ratios) {
      List<Double> sorted = new ArrayList<>(ratios);
      Collections.sort(sorted);
      int n = sorted.size();
      this.ratio = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      this.min = sorted.get(0);
      this.max = sorted.get(n - 1);
    }
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
    String include = args.length > 1 ? args[1] : VerifyBenchmark.class.getName() + "\\.";
    Path notes = Files.createTempFile("tokenguard-bench", ".txt");
    Instant started = Instant.now();
    Map<Integer, Map<String, Row>> results = new LinkedHashMap<>();
    for (int threads : THREADS) {
      results.put(threads, run(include, threads, notes));
    }
    List<String> noteLines = Files.readAllLines(notes, StandardCharsets.UTF_8);
    Files.deleteIfExists(notes);
    List<String> otherNotes = applyNotes(results, noteLines);
    // The whole report (no benchmark regex given) also measures DPoP and the filter over HTTP.
    String dpop = args.length > 1 ? "" : DpopReport.measure();
    String http = args.length > 1 ? "" : FilterCostBenchmark.measure();
    String markdown = render(results, otherNotes, started, Instant.now()) + dpop + http;
    Files.writeString(out, markdown, StandardCharsets.UTF_8);
    System.out.println(markdown);
  }

  /** Runs the benchmarks {@code include} matches at {@code threads} subject threads and returns their rows. */
  private static Map<String, Row> run(String include, int threads, Path notes) throws RunnerException {
    Options options =
        new OptionsBuilder()
            .include(include)
            .param("size", POOL_SIZE)
            .threadGroups(threads, threads)
            .threads(2 * threads)
            .forks(1)
            .warmupIterations(WARMUP_ITERATIONS)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(MEASUREMENT_ITERATIONS)
            .measurementTime(TimeValue.seconds(1))
            .jvmArgsAppend("-D" + VerifyBenchmark.REPORT_PROPERTY + "=" + notes.toAbsolutePath())
            .shouldFailOnError(true)
            .build();
    Map<String, Row> rows = new LinkedHashMap<>();
    for (RunResult run : new Runner(options).run()) {
      String group = shortName(run.getParams().getBenchmark());
      List<Double> ratios = ratios(run, group);
      if (!ratios.isEmpty()) {
        rows.put(group, new Row(ratios));
      }
    }
    return rows;
  }

  /** The subject's throughput over the floor's, per measurement iteration of one group's run. */
  private static List<Double> ratios(RunResult run, String group) {
    List<Double> ratios = new ArrayList<>();
    for (BenchmarkResult benchmark : run.getBenchmarkResults()) {
      for (IterationResult iteration : benchmark.getIterationResults()) {
        var perMethod = iteration.getSecondaryResults();
        var subject = perMethod.get(group);
        var floor = perMethod.get(group + "_floor");
        if (subject != null && floor != null && floor.getScore() > 0) {
          ratios.add(subject.getScore() / floor.getScore());
        }
      }
    }
    return ratios;
  }

  /** Puts the {@code alloc} lines of the benchmarks' notes into the rows, and returns the other non-blank lines. */
  private static List<String> applyNotes(Map<Integer, Map<String, Row>> results, List<String> noteLines) {
    List<String> otherNotes = new ArrayList<>();
    for (String line : noteLines) {
      String[] f = line.trim().split(" ");
      if (f.length == 4 && f[0].equals("alloc")) {
        int threads = Integer.parseInt(f[2].substring("threads=".length())) / 2;
        Row row = results.getOrDefault(threads, Map.of()).get(f[1]);
        double bytes = Double.parseDouble(f[3].substring("bytesPerOp=".length()));
        if (row != null) {
          // One line per subject thread: keep the mean.
          row.allocBytesPerOp = Double.isNaN(row.allocBytesPerOp) ? bytes : (row.allocBytesPerOp + bytes) / 2;
        }
      } else if (!line.isBlank()) {
        otherNotes.add(line);
      }
    }
    return otherNotes;
  }

  private static String shortName(String benchmark) {
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  static String render(Map<Integer, Map<String, Row>> results, List<String> notes, Instant started, Instant finished) {
    StringBuilder md = new StringBuilder();
    appendIntroduction(md);
    appendResults(md, results);
    md.append(targets(results));
    md.append(noteSection(notes));
    appendMethod(md);
    appendEnvironment(md, started, finished);
    return md.toString();
  }

  /** The title, what the ratios mean, and how to run the benchmarks. */
  private static void appendIntroduction(StringBuilder md) {
    md.append("# Benchmarks\n\n");
    md.append("<!-- Generated by dev.tokenguard.benchmarks.BenchmarkReport; do not edit by hand, run the command below. -->\n\n");
    md.append("What one access-token verification costs, as a ratio to the raw RSA operation it cannot avoid. ")
        .append("Every figure below comes from one run of the command below. Each benchmark runs at the same ")
        .append("time as the raw-JCA floor (the JDK's `SHA256withRSA` over the same tokens' signing input, one ")
        .append("reused `Signature` per thread), in the same JVM, with the same number of threads on each side, ")
        .append("and its throughput is divided by the floor's, iteration by iteration. A ratio of 0.90 means ")
        .append("10 % of the time goes to everything that is not the JDK's RSA verification. ")
        .append("Absolute times depend on the machine and are not quoted.\n\n");
    md.append("## How to run\n\n```sh\n").append(COMMAND).append("\n```\n\n").append(COMMAND_NOTE).append("\n\n");
    md.append("Or any subset with plain JMH, e.g. `java -jar benchmarks/target/benchmarks.jar 'tokenGuardUnique$' -tg 1,1` ")
        .append("(prints the subject's and the floor's throughput side by side).\n\n");
  }

  /** The results table: one line per row of {@link #ROWS} that ran, and what its columns mean. */
  private static void appendResults(StringBuilder md, Map<Integer, Map<String, Row>> results) {
    md.append("## Results\n\n");
    md.append("| Benchmark | What it measures |");
    for (int t : results.keySet()) {
      md.append(" ").append(t).append(t == 1 ? " thread" : " threads").append(": × JDK floor (min–max) |");
    }
    md.append(" Allocated per op (1 thread) |\n|---|---|");
    for (int ignored : results.keySet()) {
      md.append("---:|");
    }
    md.append("---:|\n");
    md.append("| JDK floor | Raw JCA `SHA256withRSA`, JDK provider (the reference) |");
    for (int ignored : results.keySet()) {
      md.append(" 1 |");
    }
    md.append(" – |\n");
    for (Map.Entry<String, String> row : ROWS.entrySet()) {
      String line = resultLine(row.getKey(), row.getValue(), results);
      if (line != null) {
        md.append(line).append('\n');
      }
    }
    md.append("\nRatios are the median over the measurement iterations, with the lowest and highest iteration in ")
        .append("brackets. Allocation is what the subject's threads allocated per call during measurement ")
        .append("(the JVM's per-thread allocation counter, the one `-prof gc` sums over all threads; summing ")
        .append("would mix in the floor's thread here).\n\n");
  }

  /** The table line of benchmark {@code name} ({@code what} it measures); null when it ran at no thread count. */
  private static String resultLine(String name, String what, Map<Integer, Map<String, Row>> results) {
    boolean any = false;
    StringBuilder line = new StringBuilder("| `" + name + "` | " + what + " |");
    for (int t : results.keySet()) {
      Row r = results.get(t).get(name);
      if (r == null) {
        line.append(" – |");
        continue;
      }
      any = true;
      line.append(" **").append(ratio(r.ratio)).append("** (").append(ratio(r.min)).append("–").append(ratio(r.max)).append(") |");
    }
    Row one = results.get(THREADS[0]).get(name);
    line.append(one == null || Double.isNaN(one.allocBytesPerOp)
        ? " – |" : String.format(Locale.ROOT, " %,.0f B |", one.allocBytesPerOp));
    return any ? line.toString() : null;
  }

  /** The method section: tokens, checks, configurations, JMH settings and noise. */
  private static void appendMethod(StringBuilder md) {
    md.append("## Method\n\n");
    md.append("- Tokens: RS256 access tokens minted at set-up by the `FakeIssuer` fixture of tokenguard-testing (Auth0 profile: ")
        .append("`typ: JWT`, `kid`, `iss`, `sub`, `aud`, `azp`, `iat`, `exp`, `jti`, `scope`), one RSA-2048 key, ")
        .append("a clock fixed at start-up and an expiry a day later. A pool of ").append(POOL_SIZE)
        .append(" distinct tokens (differing in `sub` and `jti`, about 700 characters) is cycled through by every benchmark ")
        .append("of a valid token, including the floor, so every call verifies a different signature.\n");
    md.append("- The Auth0-shaped token (`*Auth0Shape` rows): about 1,500 characters, what an Auth0 API receives with RBAC ")
        .append("and a login action adding namespaced claims: `aud` naming the API and `/userinfo`, OpenID and API scopes ")
        .append("in `scope`, ten RBAC `permissions`, and five `https://example.com/...` claims (roles, e-mail, tenant, ")
        .append("organisation, and an `app_metadata` object). A pool of as many distinct tokens; its rows' floor verifies ")
        .append("the same tokens' signatures.\n");
    md.append("- Bad signatures: the valid pool's tokens with one bit of the signature flipped, one different token per ")
        .append("call, verified by the default configuration (cache on, which forged tokens never enter), so the row ")
        .append("compares like for like with `tokenGuardUnique`. The other rejections reuse one token each: they stop ")
        .append("before any key is used.\n");
    md.append("- Same checks everywhere: RS256 signature by a key of the JWKS (given as a document: no HTTP), ")
        .append("`iss`, `aud`, `exp` present and not past, and the scope `read:patients` in `scope`. ")
        .append("The peers are configured as their documentation shows (`Peers.java`); the module's smoke test ")
        .append("proves each one rejects a wrong audience, a wrong issuer, a missing scope, an expired token and a bad signature.\n");
    md.append("- Unique tokens: TokenGuard runs with `verifiedTokenCacheSize(0)`. With the cache on, the pool ")
        .append("would be served from the cache after its first lap and the figure would measure hits. A real first ")
        .append("sighting costs the same plus one cache insertion (a Caffeine `put`, well under 1 % of an RSA verification). ")
        .append("The peers have no token cache.\n");
    md.append("- Repeated tokens: the default configuration (cache on) with 64 tokens a client keeps reusing; every hit ")
        .append("still checks expiry on the verifier's clock, the signing key's presence and the required scope.\n");
    md.append("- HTTP keys: the verifier loads the issuer's JWKS over loopback HTTP in `warmUp()`; the JWKS request ")
        .append("counts above show that no verification fetched.\n");
    md.append("- JMH 1.37, 1 fork per benchmark, ").append(WARMUP_ITERATIONS).append(" × 1 s warm-up, ")
        .append(MEASUREMENT_ITERATIONS).append(" × 1 s measurement, throughput mode. Each benchmark is a JMH group: ")
        .append("the subject's threads and the floor's threads run at the same time (1 + 1, then 2 + 2).\n");
    md.append("- Noise: the machine has ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores and other builds may run at the same time, so absolute numbers move by tens of per cent ")
        .append("from one second to the next. Benchmarks run one after another would be compared across different ")
        .append("loads; pairing each with the floor in the same seconds keeps the ratio meaningful. Read the ")
        .append("min–max range as the noise; with 2 + 2 threads on 2 cores every thread gets about half a core.\n\n");
  }

  /** The JVM, OS, CPU and time span of this run. */
  private static void appendEnvironment(StringBuilder md, Instant started, Instant finished) {
    md.append("## Environment of this run\n\n");
    md.append("- JVM: ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append('\n');
    md.append("- OS: ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append('\n');
    md.append("- CPU: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores\n");
    md.append("- Run: ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(" to ")
        .append(finished.truncatedTo(ChronoUnit.SECONDS)).append('\n');
  }

  /** The targets section (issue 15), evaluated on the 1-thread rows of this run. */
  private static String targets(Map<Integer, Map<String, Row>> results) {
    Map<String, Row> one = results.get(THREADS[0]);
    StringBuilder md = new StringBuilder("## Targets (1 thread, this run)\n\n");
    Row unique = one.get("tokenGuardUnique");
    if (unique == null) {
      return md.append("Not evaluated: the unique-token benchmark did not run.\n\n").toString();
    }
    Row shape = one.get("tokenGuardUniqueAuth0Shape");
    appendSpeedTargets(md, one, unique, shape);
    appendAllocationTargets(md, unique, shape);
    appendRejectionTargets(md, one, unique);
    Row repeated = one.get("tokenGuardRepeated");
    if (repeated != null) {
      md.append(check("Repeated tokens at least 200 × the JDK floor", repeated.ratio >= 200, ratio(repeated.ratio)));
    }
    Row http = one.get("tokenGuardUniqueHttpKeys");
    if (http != null) {
      md.append(check("Keys over HTTP at the fixed-JWKS ratio (within 5 %)", Math.abs(http.ratio - unique.ratio) <= 0.05 * unique.ratio,
          ratio(http.ratio) + " vs " + ratio(unique.ratio)));
    }
    appendBadSignatureNote(md);
    return md.toString();
  }

  /** The unique-token targets: the JDK floor, the peers (benchmark and Auth0-shaped token), ACCP. */
  private static void appendSpeedTargets(StringBuilder md, Map<String, Row> one, Row unique, Row shape) {
    md.append(check("Unique tokens at least 0.90 × the JDK floor", unique.ratio >= 0.90, precise(unique.ratio)));
    md.append(aheadOfPeers("Unique tokens ahead of every peer", unique, one, PEERS));
    if (shape != null) {
      md.append(aheadOfPeers("The Auth0-shaped token ahead of every peer", shape, one, PEERS_AUTH0_SHAPE));
    }
    Row accp = one.get("tokenGuardUniqueAccp");
    Row accpFloor = one.get("jcaFloorAccp");
    if (accp != null) {
      md.append(check("Unique tokens with ACCP at least 1.8 × the JDK floor", accp.ratio >= 1.8,
          precise(accp.ratio) + (accpFloor == null ? "" : "; the ACCP floor itself " + ratio(accpFloor.ratio))));
    }
  }

  /** The allocation targets for the benchmark token and, when it ran, the Auth0-shaped one. */
  private static void appendAllocationTargets(StringBuilder md, Row unique, Row shape) {
    md.append(check(String.format(Locale.ROOT, "Allocation per verification at most %,.0f B (benchmark token)", ALLOC_TARGET_BYTES),
        unique.allocBytesPerOp <= ALLOC_TARGET_BYTES, bytes(unique.allocBytesPerOp)));
    if (shape != null) {
      md.append(check(String.format(Locale.ROOT, "Allocation per verification at most %,.0f B (Auth0-shaped token)",
          ALLOC_TARGET_AUTH0_SHAPE_BYTES), shape.allocBytesPerOp <= ALLOC_TARGET_AUTH0_SHAPE_BYTES, bytes(shape.allocBytesPerOp)));
    }
  }

  /** Each rejection of {@link #REJECTIONS} that ran, cheaper than an acceptance. */
  private static void appendRejectionTargets(StringBuilder md, Map<String, Row> one, Row unique) {
    for (String name : REJECTIONS) {
      Row r = one.get(name);
      if (r != null) {
        md.append(check("Rejection `" + name + "` cheaper than an acceptance (a higher ratio than `tokenGuardUnique`)",
            r.ratio > unique.ratio, precise(r.ratio) + " vs " + precise(unique.ratio)
                + (name.equals("tokenGuardRejectBadSignature") ? "; see below for what this one can and cannot skip" : "")));
      }
    }
  }

  /** Why a bad signature can be only a few per cent cheaper than an acceptance. */
  private static void appendBadSignatureNote(StringBuilder md) {
    md.append("\nA bad signature cannot be refused without the RSA operation that an acceptance also needs ")
        .append("(RSASSA-PKCS1-v1_5 verification is the only test of a signature, and every check before it ran as for ")
        .append("a valid token, in the same order, so that the reason a token is refused never depends on its signature). ")
        .append("What a forged token skips is everything after that operation: reading the scopes, freezing the claims, ")
        .append("building the `AccessToken`, claim rules, the requirement and binding checks; its refusal is a ")
        .append("stackless exception with a short message. So for this row the target means a ratio above ")
        .append("`tokenGuardUnique`'s by that margin, a few per cent, not a multiple; the other rejections stop before any ")
        .append("key is used and are many times cheaper.\n\n");
  }

  private static String aheadOfPeers(String what, Row subject, Map<String, Row> one, List<String> peers) {
    Row best = null;
    String bestName = null;
    for (String peer : peers) {
      Row r = one.get(peer);
      if (r != null && (best == null || r.ratio > best.ratio)) {
        best = r;
        bestName = peer;
      }
    }
    if (best == null) {
      return "";
    }
    return check(what, subject.ratio > best.ratio, precise(subject.ratio) + "; fastest peer `" + bestName + "` " + precise(best.ratio));
  }

  private static String bytes(double b) {
    return Double.isNaN(b) ? "not measured" : String.format(Locale.ROOT, "%,.0f B", b);
  }

  private static String noteSection(List<String> notes) {
    if (notes.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("JWKS requests received by the issuer in the HTTP-keys benchmark ")
        .append("(after `warmUp()`, and after the whole warm-up and measurement):\n\n");
    for (String note : notes) {
      md.append("- `").append(note.trim()).append("`\n");
    }
    return md.append('\n').toString();
  }

  private static String check(String what, boolean met, String detail) {
    return "- " + (met ? "Met" : "**Not met**") + ": " + what + " (" + detail + ")\n";
  }

  /** Three decimals, for target checks close to their threshold. */
  static String precise(double r) {
    return String.format(Locale.ROOT, "%.3f×", r);
  }

  static String ratio(double r) {
    return String.format(Locale.ROOT, r >= 10 ? "%.0f×" : "%.2f×", r);
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: leave the model out.
    }
    return System.getProperty("os.arch");
  }

}
