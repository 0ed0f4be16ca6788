package io.meshagent.netty.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.accesslog.AccessLog;
import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.core.testing.LogLines;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The TCP lines: which total is which, and a connection that never came up. */
class AccessLogLinesTest {
  private static final ConnectionEnds ENDS =
      new ConnectionEnds(
          "inbound|9000||", "127.0.0.1:7000", null, "10.0.0.2:9000", "10.0.0.1:40000", null);

  @Test
  void aConnectionsLineSaysReceivedFromTheDownstreamThenSentToIt() {
    try (LogLines logs = LogLines.capture()) {
      // Accepted 1.5 s ago (its handshake, say): the line's start and duration count from then.
      long accepted = System.nanoTime() - 1_500_000_000L;
      Instant before = Instant.now().minusMillis(1_500);
      TcpConnectionMetrics m =
          new AccessLogLines(AccessLog.create(true))
              .connection(TcpConnectionMetrics.NOOP, ENDS, accepted);
      m.recordBytes(5, 0); // the response direction: sent to the downstream
      m.recordBytes(0, 7000); // the request direction: received from it
      m.recordClose();
      String line = logs.awaitLineWith("\"- - -\" 0 ");
      assertThat(line)
          .contains("\"- - -\" 0 - - - \"-\" 7000 5 ")
          .endsWith("\"127.0.0.1:7000\" inbound|9000|| - 10.0.0.2:9000 10.0.0.1:40000 - -");
      Matcher timing = Pattern.compile("\\[(\\d{4}-\\S+)] .* 7000 5 (\\d+) ").matcher(line);
      assertThat(timing.find()).as(line).isTrue();
      assertThat(Long.parseLong(timing.group(2))).isBetween(1_500L, 60_000L);
      assertThat(Instant.parse(timing.group(1)))
          .isBetween(before.minusMillis(1_000), before.plusMillis(1_000));
    }
  }

  @Test
  void aConnectionThatNeverCameUpHasItsFlags() {
    try (LogLines logs = LogLines.capture()) {
      new AccessLogLines(AccessLog.create(true))
          .connectionFailed("UF,URX", null, ENDS, System.nanoTime());
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
              new ConnectionEnds(
                  "inbound|9000||", null, null, "10.0.0.2:9000", "10.0.0.1:40000", null),
              System.nanoTime());
      assertThat(logs.awaitLineWith("\"- - -\" 0 "))
          .contains("\"- - -\" 0 - - rbac_access_denied_matched_policy[none] \"-\" 0 0 0 ")
          .endsWith("\"-\" inbound|9000|| - 10.0.0.2:9000 10.0.0.1:40000 - -");
    }
  }

  @Test
  void withTheLogOffTheMetricsAreReturnedAsTheyAre() {
    TcpConnectionMetrics m = TcpConnectionMetrics.NOOP;
    assertThat(new AccessLogLines(AccessLog.create(false)).connection(m, ENDS, System.nanoTime()))
        .isSameAs(m);
  }
}
