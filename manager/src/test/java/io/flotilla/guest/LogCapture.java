package io.flotilla.guest;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects every logback event while attached, with Flotilla loggers at DEBUG. */
final class LogCapture implements AutoCloseable {
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger flotilla = (Logger) LoggerFactory.getLogger("io.flotilla");
  private final Level previousLevel = flotilla.getLevel();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture() {
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
    flotilla.setLevel(Level.DEBUG);
  }

  /** Each event as {@code LEVEL logger message} plus any stack trace. */
  synchronized List<String> lines() {
    return List.copyOf(appender.list).stream().map(LogCapture::render).toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    flotilla.setLevel(previousLevel);
    appender.stop();
  }

  private static String render(ILoggingEvent event) {
    String trace = event.getThrowableProxy() == null
        ? "" : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
    return event.getLevel() + " " + event.getLoggerName() + " " + event.getFormattedMessage()
        + trace;
  }
}
