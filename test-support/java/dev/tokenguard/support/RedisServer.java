package dev.tokenguard.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} process of the machine's own, started by a test on a free loopback port
 * with no persistence, and stopped by {@link #close()}. Tests that need one call {@link #start}:
 * with {@code -DskipRedisTests} they are skipped; without a {@code redis-server} they fail with
 * what to install (CI installs Debian's package, see {@code .ci/run}). The binary is found on the
 * {@code PATH} or named by {@code -Dredis.server=/path/to/redis-server}. Compiled into the tests of
 * the modules that need one (redis, servlet-filter, examples) from {@code test-support/java};
 * never shipped.
 */
public final class RedisServer implements AutoCloseable {
  private static final long START_SECONDS = 20;

  private final Process process;
  private final int port;
  private final Path dir;

  private RedisServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts a server; {@code extraArguments} are added to its command line (for example a password). */
  public static RedisServer start(String... extraArguments) {
    assumeFalse(Boolean.getBoolean("skipRedisTests"), "Redis tests skipped with -DskipRedisTests");
    Path binary = binary();
    if (binary == null) {
      fail("redis-server not found on the PATH: install it (Debian: apt-get install -y redis-server; .ci/run does)"
          + " or name it with -Dredis.server=/path/to/redis-server; -DskipRedisTests skips these tests");
    }
    String lastOutput = "";
    for (int attempt = 0; attempt < 3; attempt++) { // another process may take the free port first
      RedisServer server = tryStart(binary, extraArguments);
      if (server.awaitReady()) {
        return server;
      }
      lastOutput = server.output();
      server.close();
    }
    throw new AssertionError("redis-server did not start: " + lastOutput);
  }

  private final List<String> output = new ArrayList<>();
  private final CountDownLatch ready = new CountDownLatch(1);

  private static RedisServer tryStart(Path binary, String... extraArguments) {
    try {
      int port = freePort();
      Path dir = Files.createTempDirectory("tokenguard-redis");
      List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(), "--loglevel", "notice"));
      command.addAll(List.of(extraArguments));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      RedisServer server = new RedisServer(process, port, dir);
      Thread reader = new Thread(server::readOutput, "redis-server-output");
      reader.setDaemon(true);
      reader.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server", e);
    }
  }

  private void readOutput() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (output) {
          output.add(line);
        }
        if (line.contains("Ready to accept connections")) {
          ready.countDown();
        }
      }
    } catch (IOException e) {
      // The process ended.
    }
    ready.countDown(); // also wakes a waiter when the process died; awaitReady tells which
  }

  private boolean awaitReady() {
    try {
      return ready.await(START_SECONDS, TimeUnit.SECONDS) && process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public URI uri() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  /** Stops the server and waits for it to end. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary directory left behind.
    }
  }

  private static Path binary() {
    String named = System.getProperty("redis.server");
    if (named != null && !named.isBlank()) {
      return Files.isExecutable(Path.of(named)) ? Path.of(named) : null;
    }
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(List.of(path == null ? new String[0] : path.split(java.io.File.pathSeparator)));
    dirs.addAll(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin"));
    for (String dir : dirs) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
