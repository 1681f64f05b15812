package dev.tokenguard.servlet;

import dev.tokenguard.AccessToken;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.descriptor.web.WebXml;
import org.apache.tomcat.util.descriptor.web.WebXmlParser;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.xml.sax.InputSource;

/**
 * The filter under test in a real servlet container on a random loopback port, in front of an echo
 * servlet that reports what the application sees (principal, remote user, roles, the token
 * attribute). The same tests run on each {@link Container}.
 */
final class TestServer implements AutoCloseable {
  /** The servlet containers the filter is tested in. */
  enum Container {
    /** Embedded Jetty 12 (ee10, Servlet 6.0): the filter held by a FilterHolder. */
    JETTY,
    /** Embedded Tomcat 11 (Servlet 6.1): the filter declared as in web.xml, by a FilterDef and a FilterMap. */
    TOMCAT
  }

  /** The filter's name, as a web.xml would declare it. */
  static final String FILTER_NAME = "tokenguard";

  private final int port;
  private final AutoCloseable stop;

  private TestServer(int port, AutoCloseable stop) {
    this.port = port;
    this.stop = stop;
  }

  /** The filter instance made in code (by the builder), on Jetty. */
  static TestServer start(Filter filter) throws Exception {
    return start(Container.JETTY, filter);
  }

  /** The filter made by Jetty from its class name, configured by init parameters only. */
  static TestServer startWithInitParameters(Map<String, String> parameters) throws Exception {
    return startWithInitParameters(Container.JETTY, parameters);
  }

  /** The filter instance made in code (by the builder), in {@code container}. */
  static TestServer start(Container container, Filter filter) throws Exception {
    return container == Container.JETTY ? jetty(new FilterHolder(filter)) : tomcat(filter, Map.of());
  }

  /**
   * The filter made by {@code container} from its class name, configured by init parameters only,
   * as a WAR's web.xml declares it.
   */
  static TestServer startWithInitParameters(Container container, Map<String, String> parameters) throws Exception {
    if (container == Container.TOMCAT) {
      return tomcat(null, parameters);
    }
    FilterHolder holder = new FilterHolder(BearerTokenFilter.class);
    holder.setName(FILTER_NAME);
    parameters.forEach(holder::setInitParameter);
    return jetty(holder);
  }

  /**
   * The filters a web.xml document declares, as {@code container} reads them: Tomcat parses the
   * document with its own web.xml parser and installs the FilterDefs and FilterMaps it yields; on
   * Jetty the one {@code <filter>}'s class and init parameters go to a FilterHolder mapped to
   * {@code /*} (the mapping the document must declare).
   */
  static TestServer startWithWebXml(Container container, String webXml) throws Exception {
    if (container == Container.JETTY) {
      return startWithInitParameters(Container.JETTY, WebXmlFilter.parse(webXml).initParameters);
    }
    WebXml parsed = new WebXml();
    InputSource source = new InputSource(new StringReader(webXml));
    source.setSystemId("web.xml");
    if (!new WebXmlParser(false, false, true).parseWebXml(source, parsed, false)) {
      throw new IllegalArgumentException("Tomcat could not parse the web.xml");
    }
    return tomcat(context -> {
      parsed.getFilters().values().forEach(context::addFilterDef);
      parsed.getFilterMappings().forEach(context::addFilterMap);
    });
  }

  /** The filter instance made in code, in {@code container}, in a web application at {@code contextPath} (e.g. {@code /app}). */
  static TestServer start(Container container, Filter filter, String contextPath) throws Exception {
    return container == Container.JETTY ? jetty(new FilterHolder(filter), contextPath) : tomcat(filter, Map.of(), contextPath);
  }

  private static TestServer jetty(FilterHolder holder) throws Exception {
    return jetty(holder, "/");
  }

  private static TestServer jetty(FilterHolder holder, String contextPath) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath(contextPath);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new EchoServlet()), "/*");
    server.setHandler(context);
    server.start();
    return new TestServer(connector.getLocalPort(), server::stop);
  }

  /**
   * Tomcat with the filter declared as web.xml's {@code <filter>} and {@code <filter-mapping>}
   * would: a FilterDef (the given instance, or the class name and its init parameters) mapped to
   * {@code /*} for requests.
   */
  private static TestServer tomcat(Filter filter, Map<String, String> parameters) throws LifecycleException, IOException {
    return tomcat(filter, parameters, "");
  }

  private static TestServer tomcat(Filter filter, Map<String, String> parameters, String contextPath)
      throws LifecycleException, IOException {
    return tomcat(contextPath, context -> {
      FilterDef def = new FilterDef();
      def.setFilterName(FILTER_NAME);
      if (filter != null) {
        def.setFilter(filter);
        def.setFilterClass(filter.getClass().getName());
      } else {
        def.setFilterClass(BearerTokenFilter.class.getName());
        parameters.forEach(def::addInitParameter);
      }
      context.addFilterDef(def);
      FilterMap map = new FilterMap();
      map.setFilterName(FILTER_NAME);
      map.addURLPattern("/*");
      map.setDispatcher(DispatcherType.REQUEST.name());
      context.addFilterMap(map);
    });
  }

  /** Tomcat with the echo servlet on {@code /*} and the filters {@code filters} adds to the context. */
  private static TestServer tomcat(Consumer<Context> filters) throws LifecycleException, IOException {
    return tomcat("", filters);
  }

  /** The same in a web application at {@code contextPath} ({@code ""} for the root). */
  private static TestServer tomcat(String contextPath, Consumer<Context> filters) throws LifecycleException, IOException {
    Path base = Files.createTempDirectory("tokenguard-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext(contextPath, null);
    Tomcat.addServlet(context, "echo", new EchoServlet());
    context.addServletMapping("/*", "echo");
    filters.accept(context);
    try {
      tomcat.start();
      if (!context.getState().isAvailable()) {
        throw new IllegalStateException("the web application did not start (state " + context.getState() + "); see Tomcat's log");
      }
    } catch (RuntimeException | LifecycleException e) {
      stopTomcat(tomcat, base);
      throw e;
    }
    return new TestServer(connector.getLocalPort(), () -> stopTomcat(tomcat, base));
  }

  private static void stopTomcat(Tomcat tomcat, Path base) throws LifecycleException {
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

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      stop.close();
    } catch (Exception e) {
      throw new IllegalStateException("the container did not stop", e);
    }
  }

  /** Answers 200 with what the application sees; with header X-Read: body, echoes the raw body. */
  static final class EchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      StringBuilder sb = new StringBuilder();
      if ("body".equals(req.getHeader("X-Read"))) {
        sb.append("body=").append(new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).append('\n');
      } else {
        sb.append("note=").append(req.getParameter("note")).append('\n');
      }
      AccessToken token = BearerTokenFilter.accessToken(req).orElse(null);
      sb.append("token=").append(token == null ? null : token.subject()).append('\n');
      sb.append("attribute=").append(req.getAttribute(BearerTokenFilter.ACCESS_TOKEN_ATTRIBUTE) != null).append('\n');
      sb.append("principal=").append(req.getUserPrincipal() == null ? null : req.getUserPrincipal().getName()).append('\n');
      sb.append("remoteUser=").append(req.getRemoteUser()).append('\n');
      sb.append("authType=").append(req.getAuthType()).append('\n');
      sb.append("role:read:patients=").append(req.isUserInRole("read:patients")).append('\n');
      sb.append("role:read:admin=").append(req.isUserInRole("read:admin")).append('\n');
      sb.append("method=").append(req.getMethod()).append('\n');
      resp.setStatus(200);
      resp.setContentType("text/plain;charset=UTF-8");
      resp.getWriter().write(sb.toString());
    }
  }
}
