package dev.tokenguard.jaxrs;

import jakarta.ws.rs.core.Application;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher;

/**
 * RESTEasy 7 behind its servlet dispatcher on embedded Tomcat 11, on a random loopback port. Runs
 * only in the surefire execution {@code resteasy}, whose class path holds no Jersey (each runtime
 * registers itself as the {@code RuntimeDelegate}, so the two cannot share one class path).
 */
final class RestEasyServer implements AutoCloseable {
  /** What the dispatcher's Application serves; set just before the dispatcher starts. */
  private static volatile Set<Class<?>> classes = Set.of();
  private static volatile Set<Object> singletons = Set.of();

  private final Tomcat tomcat;
  private final Path base;
  private final int port;

  private RestEasyServer(Tomcat tomcat, Path base, int port) {
    this.tomcat = tomcat;
    this.base = base;
    this.port = port;
  }

  /** The Application RESTEasy's dispatcher creates by class name. */
  public static final class TestApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
      return classes;
    }

    @Override
    @SuppressWarnings("deprecation")
    public Set<Object> getSingletons() {
      return singletons;
    }
  }

  /** True in the surefire execution {@code resteasy}: RESTEasy present, Jersey absent. */
  static boolean onThisClassPath() {
    return present("org.jboss.resteasy.plugins.server.servlet.HttpServlet30Dispatcher")
        && !present("org.glassfish.jersey.server.ResourceConfig");
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, RestEasyServer.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  static synchronized RestEasyServer start(Object feature, Class<?>... resources) throws LifecycleException, IOException {
    classes = Set.of(resources);
    singletons = Set.of(feature);
    Path base = Files.createTempDirectory("tokenguard-resteasy");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", null);
    Wrapper dispatcher = Tomcat.addServlet(context, "resteasy", new HttpServlet30Dispatcher());
    dispatcher.addInitParameter("jakarta.ws.rs.Application", TestApplication.class.getName());
    dispatcher.setLoadOnStartup(1);
    context.addServletMapping("/*", "resteasy");
    tomcat.start();
    if (!context.getState().isAvailable()) {
      stop(tomcat, base);
      throw new IllegalStateException("RESTEasy did not start; see Tomcat's log");
    }
    return new RestEasyServer(tomcat, base, connector.getLocalPort());
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + port);
  }

  URI uri(String pathAndQuery) {
    return URI.create(base() + pathAndQuery);
  }

  @Override
  public void close() {
    try {
      stop(tomcat, base);
    } catch (LifecycleException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void stop(Tomcat tomcat, Path base) throws LifecycleException {
    try {
      tomcat.stop();
      tomcat.destroy();
    } finally {
      try (Stream<Path> files = Files.walk(base)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
