package dev.tokenguard.interop.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An authorization server's web origin for discovery cases, on a random 127.0.0.1 port: serves
 * the JSON documents a test puts at exact paths (metadata, key sets), answers 404 everywhere else,
 * and counts the GET requests per path. Thread-safe.
 */
final class MetadataServer implements AutoCloseable {
  static final String RFC8414 = "/.well-known/oauth-authorization-server";
  static final String OPENID = "/.well-known/openid-configuration";

  private final HttpServer server;
  private final Map<String, String> documents = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  MetadataServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind a loopback port", e);
    }
    server.createContext("/", this::answer);
    server.start();
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Serves {@code json} at {@code path} (replacing what was there). */
  void serve(String path, String json) {
    documents.put(path, json);
  }

  /** GET requests for {@code path} so far, answered or not. */
  int requests(String path) {
    AtomicInteger count = requests.get(path);
    return count == null ? 0 : count.get();
  }

  private void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getRawPath();
    requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    String document = documents.get(path);
    byte[] body = (document != null ? document : "{\"error\":\"not_found\"}").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(document != null ? 200 : 404, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
