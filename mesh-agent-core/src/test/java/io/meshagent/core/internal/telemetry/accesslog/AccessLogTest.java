package io.meshagent.core.internal.telemetry.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;

/** Where lines go, and switching them off. */
class AccessLogTest {
  private static final AccessLogEntry ENTRY =
      AccessLogEntry.builder(Instant.EPOCH).request("GET", "/", "HTTP/1.1").build();

  /** Records INFO lines; {@code infoEnabled} plays the logging configuration. */
  private static final class CapturingLogger extends AbstractLogger {
    final List<String> lines = new ArrayList<>();
    final boolean infoEnabled;

    CapturingLogger(boolean infoEnabled) {
      this.infoEnabled = infoEnabled;
      this.name = AccessLog.LOGGER_NAME;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String message, Object[] args, Throwable t) {
      assertThat(level).isEqualTo(Level.INFO);
      lines.add(message);
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return infoEnabled;
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
      return infoEnabled;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
      return true;
    }
  }

  @Test
  void linesGoToTheAccessLoggerAtInfo() {
    CapturingLogger logger = new CapturingLogger(true);
    new AccessLog(true, logger).log(ENTRY);
    assertThat(logger.lines).containsExactly(IstioAccessLogFormat.format(ENTRY));
  }

  @Test
  void switchedOffNothingIsWritten() {
    CapturingLogger logger = new CapturingLogger(true);
    AccessLog off = new AccessLog(false, logger);
    off.log(ENTRY);
    assertThat(off.isEnabled()).isFalse();
    assertThat(logger.lines).isEmpty();
    assertThat(AccessLog.create(false).isEnabled()).isFalse();
  }

  @Test
  void aLoggerAboveInfoSilencesIt() {
    CapturingLogger logger = new CapturingLogger(false);
    AccessLog log = new AccessLog(true, logger);
    log.log(ENTRY);
    assertThat(log.isEnabled()).isFalse();
    assertThat(logger.lines).isEmpty();
  }
}
