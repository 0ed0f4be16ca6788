package io.meshagent.netty.internal.observe;

import static io.meshagent.netty.internal.observe.MessageFields.protocolName;

import io.meshagent.core.internal.telemetry.accesslog.AccessLog;
import io.meshagent.core.internal.telemetry.accesslog.AccessLogEntry;
import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.traffic.MeshHttpRequest;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The access log's lines for the data plane: one per HTTP request, and, as Envoy's {@code
 * tcp_proxy} writes them with Istio's format, one per TCP connection when it closes, with {@code "-
 * - -"} for the request and 0 for the status.
 */
final class AccessLogLines {
  private final AccessLog log;

  AccessLogLines(AccessLog log) {
    this.log = log;
  }

  /** Now, when lines are written: reading the wall clock costs more than the rest of a record. */
  @Nullable Instant start() {
    return log.isEnabled() ? Instant.now() : null;
  }

  /** Whether lines are written: a caller builds a line's {@link ConnectionEnds} only then. */
  boolean isEnabled() {
    return log.isEnabled();
  }

  /**
   * The line of a request answered with {@code status}.
   *
   * @param flags Envoy's response flags, empty or {@code -} for none (the line shows {@code -})
   * @param details Envoy's response code details
   */
  void request(
      MeshHttpRequest r,
      int status,
      String flags,
      @Nullable String details,
      long nanos,
      @Nullable Instant start,
      long received,
      long sent,
      ConnectionEnds ends) {
    if (!log.isEnabled()) {
      return;
    }
    log.log(
        // A log switched on while the request was in flight has no start time: now, then.
        AccessLogEntry.builder(start != null ? start : Instant.now())
            .request(r.method(), r.path(), protocolName(r))
            .response(status, flags, details)
            .bytes(received, sent)
            .durationMillis(nanos / 1_000_000)
            .headers(
                r.header("x-forwarded-for"),
                r.header("user-agent"),
                r.header("x-request-id"),
                r.authority())
            .upstream(ends.upstreamHost(), ends.cluster(), ends.upstreamLocal())
            .downstream(ends.downstreamLocal(), ends.downstreamRemote(), ends.serverName())
            .build());
  }

  /**
   * {@code m}, writing the connection's line when it closes, or {@code m} itself when lines are not
   * written. The line's start time and duration count from {@code startNanos} ({@link
   * System#nanoTime}), when the connection was accepted or asked for, as Envoy's count from the
   * downstream connection's start.
   */
  TcpConnectionMetrics connection(TcpConnectionMetrics m, ConnectionEnds ends, long startNanos) {
    if (!log.isEnabled()) {
      return m;
    }
    Instant start = wallClockAt(startNanos);
    return m.withCloseListener(
        (sent, received) ->
            tcpLine(start, System.nanoTime() - startNanos, "-", null, ends, received, sent));
  }

  /**
   * The line of a TCP connection that never came up, with Envoy's flags for why, or the agent's
   * reason for closing it ({@code terminationDetails}, Envoy's connection termination details); it
   * lasted from {@code startNanos} until now.
   */
  void connectionFailed(
      String flags, @Nullable String terminationDetails, ConnectionEnds ends, long startNanos) {
    if (log.isEnabled()) {
      long nanos = System.nanoTime() - startNanos;
      tcpLine(wallClockAt(startNanos), nanos, flags, terminationDetails, ends, 0, 0);
    }
  }

  /** The wall-clock time of {@code nanos}, an earlier {@link System#nanoTime}. */
  private static Instant wallClockAt(long nanos) {
    return Instant.now().minusNanos(System.nanoTime() - nanos);
  }

  private void tcpLine(
      Instant start,
      long nanos,
      String flags,
      @Nullable String terminationDetails,
      ConnectionEnds ends,
      long received,
      long sent) {
    log.log(
        AccessLogEntry.builder(start)
            .response(0, flags, null)
            .connectionTerminationDetails(terminationDetails)
            .bytes(received, sent)
            .durationMillis(nanos / 1_000_000)
            .upstream(ends.upstreamHost(), ends.cluster(), ends.upstreamLocal())
            .downstream(ends.downstreamLocal(), ends.downstreamRemote(), ends.serverName())
            .build());
  }
}
