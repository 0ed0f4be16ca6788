package io.meshagent.netty.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.accesslog.AccessLog;
import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.core.testing.LogLines;
import org.junit.jupiter.api.Test;

/** The TCP lines: which total is which, and a connection that never came up. */
class AccessLogLinesTest {
  private static final TcpEnds ENDS =
      new TcpEnds(
          "inbound|9000||", "127.0.0.1:7000", null, "10.0.0.2:9000", "10.0.0.1:40000", null);

  @Test
  void aConnectionsLineSaysReceivedFromTheDownstreamThenSentToIt() {
    try (LogLines logs = LogLines.capture()) {
      TcpConnectionMetrics m =
          new AccessLogLines(AccessLog.create(true)).connection(TcpConnectionMetrics.NOOP, ENDS);
      m.recordBytes(5, 0); // the response direction: sent to the downstream
      m.recordBytes(0, 7000); // the request direction: received from it
      m.recordClose();
      String line = logs.awaitLineWith("\"- - -\" 0 ");
      assertThat(line)
          .contains("\"- - -\" 0 - - - \"-\" 7000 5 ")
          .endsWith("\"127.0.0.1:7000\" inbound|9000|| - 10.0.0.2:9000 10.0.0.1:40000 - -");
    }
  }

  @Test
  void aConnectionThatNeverCameUpHasItsFlags() {
    try (LogLines logs = LogLines.capture()) {
      new AccessLogLines(AccessLog.create(true)).connectionFailed("UF,URX", null, ENDS);
      assertThat(logs.awaitLineWith("\"- - -\" 0 "))
          .contains("\"- - -\" 0 UF,URX - - \"-\" 0 0 0 ");
    }
  }

  @Test
  void aConnectionTheAgentClosedSaysWhyInTheTerminationDetails() {
    try (LogLines logs = LogLines.capture()) {
      new AccessLogLines(AccessLog.create(true))
          .connectionFailed(
              "-",
              "rbac_access_denied_matched_policy[none]",
              new TcpEnds("inbound|9000||", null, null, "10.0.0.2:9000", "10.0.0.1:40000", null));
      assertThat(logs.awaitLineWith("\"- - -\" 0 "))
          .contains("\"- - -\" 0 - - rbac_access_denied_matched_policy[none] \"-\" 0 0 0 ")
          .endsWith("\"-\" inbound|9000|| - 10.0.0.2:9000 10.0.0.1:40000 - -");
    }
  }

  @Test
  void withTheLogOffTheMetricsAreReturnedAsTheyAre() {
    TcpConnectionMetrics m = TcpConnectionMetrics.NOOP;
    assertThat(new AccessLogLines(AccessLog.create(false)).connection(m, ENDS)).isSameAs(m);
  }
}
