package dev.tokenguard.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
 * The BENCHMARKS.md section on DPoP: runs {@link DpopBenchmark} (1 subject thread beside 1 floor
 * thread; the stores on 1 thread) with short iterations, about three minutes, and renders the
 * ratios, the stores' operations per second and the issue-12 targets. {@link BenchmarkReport}
 * includes it in the full report.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar dev.tokenguard.benchmarks.DpopReport
 * [BENCHMARKS.md]}: replaces that file's section "DPoP (RFC 9449)" (or appends it). Without a
 * {@code redis-server} the Redis row says so and the rest runs.
 */
public final class DpopReport {
  static final String HEADING = "## DPoP (RFC 9449)";
  static final String COMMAND = "java -cp benchmarks/target/benchmarks.jar dev.tokenguard.benchmarks.DpopReport BENCHMARKS.md";
  static final int WARMUP_ITERATIONS = 4;
  static final int MEASUREMENT_ITERATIONS = 5;
  /** Issue 12: a DPoP request at least this many times its floor's throughput. */
  static final double REQUEST_TARGET = 0.85;

  static final Map<String, String> ROWS = new LinkedHashMap<>();

  static {
    ROWS.put("dpopRequest", "A DPoP request: a DPoP-bound RS256 token (verified-token cache off) and a fresh ES256 proof,"
        + " in-memory replay store: the request is accepted");
    ROWS.put("dpopReplayed", "The same requests with proofs already accepted once: refused as replays");
    ROWS.put("dpopForged", "The same requests with one bit of each proof's signature flipped: refused");
  }

  static final Map<String, String> STORES = new LinkedHashMap<>();

  static {
    STORES.put("storeInMemory", "`ReplayStores.inMemory()` (Caffeine, default capacity 100,000)");
    STORES.put("storeRedis", "`RedisReplayStore` (Jedis, `SET NX PX`) on a `redis-server` on loopback, one connection in use");
  }

  private DpopReport() {}

  /** Median, lowest and highest of one row's per-iteration figures. */
  static final class Figure {
    final double median;
    final double min;
    final double max;

    Figure(List<Double> values) {
      List<Double> sorted = new ArrayList<>(values);
      sorted.sort(null);
      int n = sorted.size();
      median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      min = sorted.get(0);
      max = sorted.get(n - 1);
    }
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
    String section = measure();
    System.out.println(section);
    replaceSection(out, section);
  }

  /** Runs the benchmarks and returns the section. */
  static String measure() throws RunnerException, IOException {
    Instant started = Instant.now();
    Path notes = Files.createTempFile("tokenguard-dpop-bench", ".txt");
    try {
      String base = DpopBenchmark.class.getName() + "\\.";
      Map<String, Figure> ratios = new LinkedHashMap<>();
      Options groups = options(base + "dpop.*", notes).threadGroups(1, 1).threads(2).build();
      for (RunResult run : new Runner(groups).run()) {
        String group = shortName(run.getParams().getBenchmark());
        List<Double> values = new ArrayList<>();
        for (BenchmarkResult benchmark : run.getBenchmarkResults()) {
          for (IterationResult iteration : benchmark.getIterationResults()) {
            var subject = iteration.getSecondaryResults().get(group);
            var floor = iteration.getSecondaryResults().get(group + "_floor");
            if (subject != null && floor != null && floor.getScore() > 0) {
              values.add(subject.getScore() / floor.getScore());
            }
          }
        }
        if (!values.isEmpty()) {
          ratios.put(group, new Figure(values));
        }
      }
      boolean redis = RedisProcess.binary() != null;
      Options stores = options(base + (redis ? "store.*" : "storeInMemory"), notes).threads(1).build();
      Map<String, Figure> perSecond = new LinkedHashMap<>();
      for (RunResult run : new Runner(stores).run()) {
        List<Double> values = new ArrayList<>();
        for (BenchmarkResult benchmark : run.getBenchmarkResults()) {
          for (IterationResult iteration : benchmark.getIterationResults()) {
            values.add(iteration.getPrimaryResult().getScore());
          }
        }
        perSecond.put(shortName(run.getParams().getBenchmark()), new Figure(values));
      }
      List<String> other = new ArrayList<>();
      for (String line : Files.readAllLines(notes, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          other.add(line.trim());
        }
      }
      return render(ratios, perSecond, redis, other, started, Instant.now());
    } finally {
      Files.deleteIfExists(notes);
    }
  }

  private static OptionsBuilder options(String include, Path notes) {
    OptionsBuilder o = new OptionsBuilder();
    o.include(include)
        .forks(1)
        .warmupIterations(WARMUP_ITERATIONS)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(MEASUREMENT_ITERATIONS)
        .measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("-D" + VerifyBenchmark.REPORT_PROPERTY + "=" + notes.toAbsolutePath())
        .shouldFailOnError(true);
    return o;
  }

  private static String shortName(String benchmark) {
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  static String render(Map<String, Figure> ratios, Map<String, Figure> perSecond, boolean redis, List<String> notes,
      Instant started, Instant finished) {
    StringBuilder md = new StringBuilder(HEADING).append("\n\n");
    appendIntroduction(md);
    appendRatios(md, ratios);
    appendStores(md, perSecond, redis);
    appendTargets(md, ratios);
    appendWhatRefusalsSkip(md);
    appendRun(md, notes, started, finished);
    return md.toString();
  }

  /** What the section measures, how, and the command that regenerates it. */
  private static void appendIntroduction(StringBuilder md) {
    md.append("What a DPoP request (RFC 9449) costs, as a ratio to the two raw signature checks it cannot avoid. ")
        .append("Each row runs at the same time as its floor, in the same JVM, one thread each: the JDK's ")
        .append("`SHA256withRSA` over the token's signing input plus `SHA256withECDSAinP1363Format` over the proof's, ")
        .append("both per floor operation, over the same tokens and proofs. The subject's throughput is divided by ")
        .append("the floor's, iteration by iteration. Every measured call presents a proof of its own: proofs are ")
        .append("single-use, so they are minted before each iteration (not measured) on the benchmark's clock, ")
        .append("which moves two minutes on before each iteration, so none goes stale and the replay store forgets ")
        .append("the previous iteration's proofs as a running API's would. ")
        .append(DpopBenchmark.HOLDERS).append(" holder keys (P-256), a pool of 1024 DPoP-bound RS256 tokens ")
        .append("(RSA-2048, cache off: every call verifies the token's signature too), `GET` on one URI, the default ")
        .append("DPoP policy (no nonces).\n\n");
    md.append("Command (after the package build; about three minutes):\n\n```sh\n").append(COMMAND).append("\n```\n\n");
  }

  /** The table of the request rows' ratios to their floor, and why it has no allocation column. */
  private static void appendRatios(StringBuilder md, Map<String, Figure> ratios) {
    md.append("| Benchmark | What it measures | 1 + 1 threads: × floor (min–max) |\n|---|---|---:|\n");
    for (Map.Entry<String, String> row : ROWS.entrySet()) {
      Figure f = ratios.get(row.getKey());
      md.append("| `").append(row.getKey()).append("` | ").append(row.getValue()).append(" | ");
      if (f == null) {
        md.append("– |\n");
        continue;
      }
      md.append("**").append(BenchmarkReport.precise(f.median)).append("** (").append(BenchmarkReport.precise(f.min))
          .append("–").append(BenchmarkReport.precise(f.max)).append(") |\n");
    }
    md.append("\nNo allocation column here: the proofs are minted between iterations on the subject's thread, which ")
        .append("the per-thread allocation counter cannot tell from the verification's own allocation.\n");
  }

  /** The table of the replay stores' operations per second, and what one operation is. */
  private static void appendStores(StringBuilder md, Map<String, Figure> perSecond, boolean redis) {
    md.append("\n| Replay store | What it measures | Operations per second, 1 thread (min–max) |\n|---|---|---:|\n");
    for (Map.Entry<String, String> row : STORES.entrySet()) {
      Figure f = perSecond.get(row.getKey());
      md.append("| `").append(row.getKey()).append("` | ").append(row.getValue()).append(" | ");
      if (f == null) {
        md.append(row.getKey().equals("storeRedis") && !redis
            ? "not measured: no `redis-server` on this machine (Debian: `apt-get install redis-server`) |\n" : "– |\n");
      } else {
        md.append(String.format(Locale.ROOT, "**%,.0f** (%,.0f–%,.0f) |%n", f.median, f.min, f.max));
      }
    }
    md.append("\nEach store operation records a new 43-character key until 60 s later (`firstUse`, what the verifier ")
        .append("calls once per accepted proof) on a clock the benchmark moves 1 ms per operation, so the store holds a ")
        .append("steady 60,000 live keys (1,000 proofs a second over the 60-second window). The Redis row is a loopback ")
        .append("round trip per operation: its figure is Redis's and the network stack's more than TokenGuard's; the ")
        .append("store runs `SET key 1 NX PX ms` and nothing else. These two rows are absolute rates on this machine, not ratios.\n\n");
  }

  /** The issue-12 targets: the request ratio, and replayed and forged proofs cheaper than an accepted one. */
  private static void appendTargets(StringBuilder md, Map<String, Figure> ratios) {
    md.append("### Targets (this run)\n\n");
    Figure request = ratios.get("dpopRequest");
    if (request == null) {
      md.append("Not evaluated: the DPoP request benchmark did not run.\n\n");
    } else {
      md.append(check("A DPoP request at least " + REQUEST_TARGET + " × its two raw signature checks", request.median >= REQUEST_TARGET,
          BenchmarkReport.precise(request.median)));
      for (String name : List.of("dpopReplayed", "dpopForged")) {
        Figure f = ratios.get(name);
        if (f != null) {
          md.append(check("`" + name + "` cheaper than an accepted request (a higher ratio than `dpopRequest`)",
              f.median > request.median, BenchmarkReport.precise(f.median) + " vs " + BenchmarkReport.precise(request.median)));
        }
      }
    }
  }

  /** Why a refused proof can be only a few per cent cheaper than an accepted one. */
  private static void appendWhatRefusalsSkip(StringBuilder md) {
    md.append("\nWhat a refused proof can skip: the verifier checks the token first (its RSA signature, as for any ")
        .append("request: the proof is only worth checking for a valid token bound to a key), then the proof cheapest ")
        .append("check first, its ECDSA signature last; the replay store comes after every other check, so a forged ")
        .append("proof never costs a store write. A replayed proof is genuine and passes every check, signature ")
        .append("included, until the store says it was used; it skips what follows (the requirement check and ")
        .append("recording it). A forged proof skips the store operation and what follows. So both can only be ")
        .append("cheaper by that margin, a few per cent, not a multiple: the two signature checks dominate all three ")
        .append("rows. The store is consulted only after the proof's signature by design: a write before it would let ")
        .append("forged proofs fill the store, and a lookup before it would be a second Redis round trip on every ")
        .append("request.\n\n");
  }

  /** The run's notes, when any, and its time span and JMH settings. */
  private static void appendRun(StringBuilder md, List<String> notes, Instant started, Instant finished) {
    if (!notes.isEmpty()) {
      md.append("Notes from the run: ");
      for (String note : notes) {
        md.append('`').append(note).append("` ");
      }
      md.append("(`overruns` counts measured calls that had to mint their own proof: the iteration's batch ran out).\n\n");
    }
    md.append("Run: ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(" to ")
        .append(finished.truncatedTo(ChronoUnit.SECONDS)).append(", JMH ").append(WARMUP_ITERATIONS).append(" × 1 s warm-up, ")
        .append(MEASUREMENT_ITERATIONS).append(" × 1 s measurement, 1 fork per benchmark.\n\n");
  }

  private static String check(String what, boolean met, String detail) {
    return "- " + (met ? "Met" : "**Not met**") + ": " + what + " (" + detail + ")\n";
  }

  /** Replaces the section that starts with {@link #HEADING} up to the next "## " heading, or appends it. */
  static void replaceSection(Path file, String section) {
    try {
      String md = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      int start = md.indexOf(HEADING + "\n");
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
