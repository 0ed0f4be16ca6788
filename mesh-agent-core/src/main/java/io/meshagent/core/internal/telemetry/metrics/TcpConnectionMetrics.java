package io.meshagent.core.internal.telemetry.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The {@code istio_tcp_*} metrics of one connection, its labels built once ({@link
 * IstioMetrics#tcpConnection}). Thread-safe and lock-free; recorded against the root context, as
 * {@link IstioMetrics} explains.
 */
public final class TcpConnectionMetrics {
  /** Records nothing: for connections carried with telemetry off. */
  public static final TcpConnectionMetrics NOOP = new TcpConnectionMetrics(null, null, null);

  /** Told a connection's byte totals when it closes: what its access-log line needs. */
  @FunctionalInterface
  public interface CloseListener {
    /**
     * @param sent bytes in the response direction
     * @param received bytes in the request direction
     */
    void closed(long sent, long received);
  }

  /** A listener and the totals it is told: the bytes may be recorded from several threads. */
  private record Totals(CloseListener listener, AtomicLong sent, AtomicLong received) {}

  private final IstioMetrics.@Nullable Instruments instruments;
  private final @Nullable Attributes attributes;
  // Only with a listener: a connection nobody logs keeps no counters of its own.
  private final @Nullable Totals totals;

  TcpConnectionMetrics(
      IstioMetrics.@Nullable Instruments instruments, @Nullable Attributes attributes) {
    this(instruments, attributes, null);
  }

  private TcpConnectionMetrics(
      IstioMetrics.@Nullable Instruments instruments,
      @Nullable Attributes attributes,
      @Nullable CloseListener onClose) {
    this.instruments = instruments;
    this.attributes = attributes;
    this.totals = onClose == null ? null : new Totals(onClose, new AtomicLong(), new AtomicLong());
  }

  /**
   * These metrics (or none, for {@link #NOOP}) that also keep the connection's byte totals and tell
   * them to {@code listener} at {@link #recordClose}.
   */
  public TcpConnectionMetrics withCloseListener(CloseListener listener) {
    return new TcpConnectionMetrics(instruments, attributes, listener);
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
    if (totals != null) {
      totals.sent().addAndGet(sent);
      totals.received().addAndGet(received);
    }
    if (instruments == null) {
      return;
    }
    // Zero deltas too: like Envoy, the byte series exist from the first report on.
    instruments.tcpSent().add(sent, attributes, Context.root());
    instruments.tcpReceived().add(received, attributes, Context.root());
  }

  /** Counts the connection as closed, and tells the close listener its totals. */
  public void recordClose() {
    if (instruments != null) {
      instruments.tcpClosed().add(1, attributes, Context.root());
    }
    if (totals != null) {
      totals.listener().closed(totals.sent().get(), totals.received().get());
    }
  }
}
