package dev.tokenguard.benchmarks;

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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} of the machine's own for {@link DpopBenchmark}: started on a free loopback
 * port without persistence, stopped by {@link #close()}. The binary is found on the {@code PATH}
 * (and in {@code /usr/bin}, {@code /usr/local/bin}) or named by {@code -Dredis.server=...}.
 */
final class RedisProcess implements AutoCloseable {
  private static final long START_SECONDS = 20;

  private final Process process;
  private final int port;
  private final Path dir;
  private final List<String> output = new ArrayList<>();
  private final CountDownLatch ready = new CountDownLatch(1);

  private RedisProcess(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** The redis-server binary, or null when there is none. */
  static Path binary() {
    String named = System.getProperty("redis.server");
    if (named != null && !named.isBlank()) {
      return Files.isExecutable(Path.of(named)) ? Path.of(named) : null;
    }
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
    }
    dirs.addAll(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin"));
    for (String d : dirs) {
      Path candidate = Path.of(d, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Starts a server and waits until it accepts connections.
   *
   * @throws IllegalStateException when there is no redis-server or it does not start
   */
  static RedisProcess start() {
    Path binary = binary();
    if (binary == null) {
      throw new IllegalStateException("redis-server not found: install it (Debian: apt-get install -y redis-server) or name"
          + " it with -Dredis.server=/path/to/redis-server");
    }
    String lastOutput = "";
    for (int attempt = 0; attempt < 3; attempt++) { // another process may take the free port first
      RedisProcess server = launch(binary);
      if (server.awaitReady()) {
        return server;
      }
      lastOutput = server.output();
      server.close();
    }
    throw new IllegalStateException("redis-server did not start: " + lastOutput);
  }

  private static RedisProcess launch(Path binary) {
    try {
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      Path dir = Files.createTempDirectory("tokenguard-bench-redis");
      Process process = new ProcessBuilder(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(), "--loglevel", "notice")
          .redirectErrorStream(true).start();
      RedisProcess server = new RedisProcess(process, port, dir);
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
    ready.countDown();
  }

  private boolean awaitReady() {
    try {
      return ready.await(START_SECONDS, TimeUnit.SECONDS) && process.isAlive() && output().contains("Ready to accept");
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
  URI uri() {
    return URI.create("redis://127.0.0.1:" + port);
  }

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
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary directory left behind.
    }
  }
}
