package io.meshagent.core.internal.telemetry.accesslog;

import static java.util.Objects.requireNonNull;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access-log lines in Istio's format at INFO to the SLF4J logger {@value #LOGGER_NAME}, so
 * applications route, format or silence them with their logging configuration. Switched off, or
 * with that logger above INFO, an entry costs one check and no formatting.
 */
public final class AccessLog {
  /** The logger the lines go to. */
  public static final String LOGGER_NAME = "io.meshagent.accesslog";

  private static final AccessLog DISABLED =
      new AccessLog(false, LoggerFactory.getLogger(LOGGER_NAME));

  private final boolean enabled;
  private final Logger logger;

  AccessLog(boolean enabled, Logger logger) {
    this.enabled = enabled;
    this.logger = requireNonNull(logger, "logger");
  }

  /** An access log that writes when {@code enabled}. */
  public static AccessLog create(boolean enabled) {
    return enabled ? new AccessLog(true, LoggerFactory.getLogger(LOGGER_NAME)) : DISABLED;
  }

  /** Whether {@link #log} writes anything: switched on and the logger enabled at INFO. */
  public boolean isEnabled() {
    return enabled && logger.isInfoEnabled();
  }

  /** Writes the line for {@code entry}, if enabled. */
  public void log(AccessLogEntry entry) {
    if (isEnabled()) {
      logger.info(IstioAccessLogFormat.format(entry));
    }
  }
}
