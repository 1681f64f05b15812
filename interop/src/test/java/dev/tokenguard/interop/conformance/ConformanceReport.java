package dev.tokenguard.interop.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records the outcome of every test bound to a catalog case with {@link ConformanceCase} and,
 * when the test plan ends, writes {@code target/conformance-report.json}: every case of the
 * catalog with its status (passed, failed, skipped with the reason, not_applicable with the
 * reason, or not_run when no bound test ran) and the tests bound to it. Registered through {@code
 * META-INF/services}, so it runs with every test run of this module. Thread-safe.
 */
public final class ConformanceReport implements TestExecutionListener {
  static final Path REPORT = Path.of("target", "conformance-report.json");

  /** One test's outcome for a case. */
  private static final class Outcome {
    final String test;
    final String status;
    final String reason;

    Outcome(String test, String status, String reason) {
      this.test = test;
      this.status = status;
      this.reason = reason;
    }
  }

  private final Map<String, List<Outcome>> outcomes = new ConcurrentHashMap<>();

  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    record(test, "skipped", reason);
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (!test.isTest()) {
      return;
    }
    switch (result.getStatus()) {
      case SUCCESSFUL:
        record(test, "passed", null);
        break;
      case ABORTED:
        record(test, "skipped", result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
        break;
      default:
        record(test, "failed", result.getThrowable().map(t -> t.getClass().getSimpleName() + ": " + t.getMessage()).orElse("failed"));
    }
  }

  private void record(TestIdentifier test, String status, String reason) {
    if (!(test.getSource().orElse(null) instanceof MethodSource)) {
      return;
    }
    Method method;
    try {
      method = ((MethodSource) test.getSource().get()).getJavaMethod();
    } catch (RuntimeException e) {
      return;
    }
    ConformanceCase bound = method.getAnnotation(ConformanceCase.class);
    if (bound == null) {
      return;
    }
    String name = method.getDeclaringClass().getSimpleName() + "." + method.getName()
        + (test.isTest() && !test.getDisplayName().startsWith(method.getName()) ? " " + test.getDisplayName() : "");
    for (String id : bound.value()) {
      outcomes.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(new Outcome(name, status, reason));
    }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    if (outcomes.isEmpty() || !Catalog.present()) {
      return;
    }
    try {
      write(Catalog.read());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(Catalog catalog) throws IOException {
    Map<String, Integer> totals = new TreeMap<>();
    List<Map<String, Object>> cases = new ArrayList<>();
    for (Catalog.Case c : catalog.cases.values()) {
      List<Outcome> ran = outcomes.getOrDefault(c.id, List.of());
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", c.id);
      row.put("title", c.title);
      row.put("surface", c.surface);
      row.put("priority", c.priority);
      String status;
      String reason = null;
      if (c.notApplicable != null) {
        status = "not_applicable";
        reason = c.notApplicable;
      } else if (ran.isEmpty()) {
        status = "not_run";
      } else if (ran.stream().anyMatch(o -> o.status.equals("failed"))) {
        status = "failed";
      } else if (ran.stream().anyMatch(o -> o.status.equals("passed"))) {
        status = "passed";
      } else {
        status = "skipped";
        reason = ran.get(0).reason;
      }
      row.put("status", status);
      if (reason != null) {
        row.put("reason", reason);
      }
      List<Map<String, Object>> tests = new ArrayList<>();
      for (Outcome o : ran) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("test", o.test);
        t.put("status", o.status);
        if (o.reason != null) {
          t.put("reason", o.reason);
        }
        tests.add(t);
      }
      row.put("tests", tests);
      cases.add(row);
      totals.merge(status, 1, Integer::sum);
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("implementation", "TokenGuard");
    report.put("catalog_id", catalog.id);
    report.put("catalog_version", catalog.version);
    report.put("generated_at", Instant.now().toString());
    report.put("totals", totals);
    report.put("cases", cases);
    Files.createDirectories(REPORT.getParent());
    JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValue(REPORT.toFile(), report);
  }
}
