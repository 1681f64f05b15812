package dev.tokenguard.jaxrs;

import com.sun.net.httpserver.HttpServer;
import java.net.URI;
import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;

/** Jersey 4 on the JDK's HTTP server, on a random loopback port: real HTTP, no servlet container. */
final class JerseyServer implements AutoCloseable {
  private final HttpServer server;

  private JerseyServer(HttpServer server) {
    this.server = server;
  }

  /** Starts {@code config}; the runtime builds its resource model (and reads the annotations) now. */
  static JerseyServer start(ResourceConfig config) {
    return new JerseyServer(JdkHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"), config, true));
  }

  /** Scheme, host and port, without a trailing slash. */
  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  URI uri(String pathAndQuery) {
    return URI.create(base() + pathAndQuery);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
