package dev.tokenguard.examples.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code java -jar health-api.jar} as a user runs it: a child process with its own environment,
 * its output collected, stopped (and killed if need be) on {@link #close()}.
 */
final class RunningJar implements AutoCloseable {
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final CompletableFuture<Boolean> listening = new CompletableFuture<>();
  final int port;

  private RunningJar(Process process, int port) {
    this.process = process;
    this.port = port;
    Thread reader = new Thread(this::readOutput, "health-api-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** The jar built by {@code package}. */
  static Path jar() {
    Path jar = Path.of(System.getProperty("health-api.jar", "target/health-api.jar"));
    assertThat(jar).as("the executable jar (built by mvn package)").exists();
    return jar;
  }

  /**
   * Starts the jar on a free port with {@code env} added to a copy of this process's environment
   * from which the API's own variables (ISSUER, AUDIENCE, JWKS_URI, SCOPE_CLAIMS, PUBLIC_URL, PORT)
   * were removed.
   */
  static RunningJar start(Map<String, String> env) {
    int port = freePort();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-jar", jar().toString()).redirectErrorStream(true);
    pb.environment().keySet().removeAll(List.of("ISSUER", "AUDIENCE", "JWKS_URI", "SCOPE_CLAIMS", "PUBLIC_URL", "PORT"));
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().putAll(env);
    try {
      return new RunningJar(pb.start(), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits (at most 60 s) for the line containing {@code listening}; fails with the output otherwise. */
  RunningJar awaitListening() {
    boolean ok;
    try {
      ok = listening.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      ok = false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    assertThat(ok).as("the jar printed a line containing 'listening' within %s; its output:%n%s", START_TIMEOUT, output()).isTrue();
    return this;
  }

  /** Waits (at most 60 s) for the process to end by itself and returns its exit status. */
  int awaitExit() {
    try {
      assertThat(process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the jar exited; output:%n%s", output()).isTrue();
      // The reader thread reaches the end of the output shortly after the exit.
      listening.get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
    return process.exitValue();
  }

  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  String baseUri() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
        }
        if (line.contains("listening")) {
          listening.complete(true);
        }
      }
    } catch (IOException e) {
      // The process was stopped; its output ends here.
    } finally {
      listening.complete(false);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
