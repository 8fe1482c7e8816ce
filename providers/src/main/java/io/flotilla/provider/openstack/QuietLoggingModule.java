package io.flotilla.provider.openstack;

import java.util.Set;
import org.jclouds.Constants;
import org.jclouds.logging.Logger;
import org.jclouds.logging.config.LoggingModule;
import org.jclouds.logging.slf4j.SLF4JLogger;

/**
 * jclouds logging through SLF4J, except the categories that copy requests: the wire log holds
 * request bodies (user-data, passwords, application credential secrets) and the header log
 * the X-Auth-Token. Those never reach a log here, whatever level an operator sets.
 */
final class QuietLoggingModule extends LoggingModule {

  static final Set<String> SILENCED = Set.of(
      Constants.LOGGER_HTTP_WIRE, Constants.LOGGER_HTTP_HEADERS, Constants.LOGGER_SIGNATURE);

  @Override
  public Logger.LoggerFactory createLoggerFactory() {
    Logger.LoggerFactory slf4j = new SLF4JLogger.SLF4JLoggerFactory();
    return category -> SILENCED.contains(category) ? Logger.NULL : slf4j.getLogger(category);
  }
}
