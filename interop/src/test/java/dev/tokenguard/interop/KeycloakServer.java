package dev.tokenguard.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Keycloak's distribution (unpacked by the {@code keycloak} Maven profile) run as a child process:
 * {@code kc.sh start-dev} on loopback, on random free ports, with a fresh H2 dev database and a
 * bootstrap admin. {@link #start} waits for {@code /health/ready} on the management port with a
 * deadline; {@link #close} (and a shutdown hook, should the test JVM end first) stops the whole
 * process tree.
 */
final class KeycloakServer implements AutoCloseable {
  static final String ADMIN = "admin";
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  final URI baseUri;
  final String adminPassword;
  private final Process process;
  private final Path log;
  private final Thread shutdownHook;

  private KeycloakServer(URI baseUri, String adminPassword, Process process, Path log) {
    this.baseUri = baseUri;
    this.adminPassword = adminPassword;
    this.process = process;
    this.log = log;
    this.shutdownHook = new Thread(this::stopProcessTree, "keycloak-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** The issuer of {@code realm}: {@code http://127.0.0.1:<port>/realms/<realm>}. */
  String issuer(String realm) {
    return baseUri + "/realms/" + realm;
  }

  /**
   * Starts Keycloak from {@code distribution} with the Java at {@code javaHome} and waits until
   * it is ready, at most {@code readyWithin}.
   *
   * @throws IllegalStateException when the distribution or a Java 21+ is missing, when Keycloak
   *     exits, or when it is not ready in time (the message ends with its log's last lines)
   */
  static KeycloakServer start(Path distribution, Path javaHome, Duration readyWithin, Path log) throws IOException, InterruptedException {
    Path kcSh = distribution.resolve("bin/kc.sh");
    if (!Files.isRegularFile(kcSh)) {
      throw new IllegalStateException("no Keycloak distribution at " + distribution + " (bin/kc.sh missing): run with -Pkeycloak, which unpacks it");
    }
    requireJava21(javaHome);
    deleteRecursively(distribution.resolve("data"));
    int httpPort = freePort();
    int managementPort = freePort();
    String adminPassword = OAuthClient.random(18);
    ProcessBuilder builder = new ProcessBuilder(
        "bash", kcSh.toString(), "start-dev",
        "--http-host=127.0.0.1",
        "--http-port=" + httpPort,
        "--http-management-port=" + managementPort,
        "--hostname-strict=false",
        "--health-enabled=true");
    Map<String, String> env = builder.environment();
    env.put("JAVA_HOME", javaHome.toString());
    env.remove("JAVA_OPTS");
    env.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx1g");
    env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN);
    env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
    Files.createDirectories(log.getParent());
    builder.redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(devNull()));
    Process process = builder.start();
    KeycloakServer server = new KeycloakServer(URI.create("http://127.0.0.1:" + httpPort), adminPassword, process, log);
    try {
      server.awaitReady(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"), readyWithin);
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static java.io.File devNull() {
    return new java.io.File("/dev/null");
  }

  /** Keycloak 26 needs Java 21 or later; the JDK's {@code release} file says which it is. */
  static void requireJava21(Path javaHome) throws IOException {
    Path java = javaHome.resolve("bin/java");
    Path release = javaHome.resolve("release");
    if (!Files.isExecutable(java) || !Files.isRegularFile(release)) {
      throw new IllegalStateException("Keycloak needs Java 21+, and there is no JDK at " + javaHome
          + ": pass -Dkeycloak.java.home=/path/to/jdk-21-or-later");
    }
    String version = Files.readAllLines(release).stream()
        .filter(line -> line.startsWith("JAVA_VERSION="))
        .findFirst()
        .map(line -> line.substring("JAVA_VERSION=".length()).replace("\"", ""))
        .orElse("");
    int feature;
    try {
      feature = Integer.parseInt(version.split("[.+-]")[0]);
    } catch (NumberFormatException e) {
      feature = 0;
    }
    if (feature < 21) {
      throw new IllegalStateException("Keycloak needs Java 21+, and the JDK at " + javaHome + " is " + (version.isEmpty() ? "of unknown version" : version)
          + ": pass -Dkeycloak.java.home=/path/to/jdk-21-or-later");
    }
  }

  private void awaitReady(URI health, Duration within) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Instant deadline = Instant.now().plus(within);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Keycloak exited with status " + process.exitValue() + " before it was ready:\n" + logTail());
      }
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("Keycloak was not ready within " + within + ":\n" + logTail());
      }
      // Polling a child process's readiness (not an assertion): wait for the process, bounded.
      process.waitFor(500, TimeUnit.MILLISECONDS);
    }
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    stopProcessTree();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is running or ran.
    }
  }

  /** SIGTERM to kc.sh and every descendant, then SIGKILL to whatever is left after the grace. */
  private void stopProcessTree() {
    List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
    tree.forEach(ProcessHandle::destroy);
    Instant deadline = Instant.now().plus(STOP_GRACE);
    for (ProcessHandle handle : tree) {
      try {
        handle.onExit().get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        handle.destroyForcibly();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
