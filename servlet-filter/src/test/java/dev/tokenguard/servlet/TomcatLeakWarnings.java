package dev.tokenguard.servlet;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the memory-leak warnings Tomcat logs (through java.util.logging) when it stops a web
 * application: a thread the application started and left running, a ThreadLocal it left set, a
 * JDBC driver it left registered. The servlet-filter tests run with the {@code --add-opens} Tomcat
 * needs to look for all of them (see the surefire configuration). Close it to stop collecting.
 */
final class TomcatLeakWarnings extends Handler implements AutoCloseable {
  /** Tomcat's web-application class loader, which runs the checks. */
  private static final String LOGGER = "org.apache.catalina.loader";

  private final Logger logger = Logger.getLogger(LOGGER);
  private final List<String> messages = new CopyOnWriteArrayList<>();

  private TomcatLeakWarnings() {
    setLevel(Level.WARNING);
    logger.addHandler(this);
  }

  static TomcatLeakWarnings collect() {
    return new TomcatLeakWarnings();
  }

  /** The warnings so far, in order. */
  List<String> messages() {
    return List.copyOf(messages);
  }

  @Override
  public void publish(LogRecord record) {
    if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
      messages.add(record.getLoggerName() + ": " + record.getMessage());
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
