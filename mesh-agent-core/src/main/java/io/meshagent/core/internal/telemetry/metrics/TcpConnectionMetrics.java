package io.meshagent.core.internal.telemetry.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import org.jspecify.annotations.Nullable;

/**
 * The {@code istio_tcp_*} metrics of one connection, its labels built once ({@link
 * IstioMetrics#tcpConnection}). Thread-safe and lock-free; recorded against the root context, as
 * {@link IstioMetrics} explains.
 */
public final class TcpConnectionMetrics {
  /** Records nothing: for connections carried with telemetry off. */
  public static final TcpConnectionMetrics NOOP = new TcpConnectionMetrics(null, null);

  private final IstioMetrics.@Nullable Instruments instruments;
  private final @Nullable Attributes attributes;

  TcpConnectionMetrics(
      IstioMetrics.@Nullable Instruments instruments, @Nullable Attributes attributes) {
    this.instruments = instruments;
    this.attributes = attributes;
  }

  /**
   * Counts the connection as opened. Istio counts it once the peer is known (after the metadata
   * exchange or the handshake), or at close when it never was.
   */
  public void recordOpen() {
    if (instruments == null) {
      return;
    }
    instruments.tcpOpened().add(1, attributes, Context.root());
  }

  /**
   * Adds the bytes moved since the last call: {@code sent} in the response direction (server to
   * client, {@code istio_tcp_sent_bytes_total}), {@code received} in the request direction ({@code
   * istio_tcp_received_bytes_total}), whichever side reports. Istio reports periodically and at
   * close; the counters only grow, so pass deltas.
   */
  public void recordBytes(long sent, long received) {
    if (sent < 0 || received < 0) {
      throw new IllegalArgumentException(
          "byte counts are deltas and never negative: sent=" + sent + ", received=" + received);
    }
    if (instruments == null) {
      return;
    }
    // Zero deltas too: like Envoy, the byte series exist from the first report on.
    instruments.tcpSent().add(sent, attributes, Context.root());
    instruments.tcpReceived().add(received, attributes, Context.root());
  }

  /** Counts the connection as closed. */
  public void recordClose() {
    if (instruments == null) {
      return;
    }
    instruments.tcpClosed().add(1, attributes, Context.root());
  }
}
