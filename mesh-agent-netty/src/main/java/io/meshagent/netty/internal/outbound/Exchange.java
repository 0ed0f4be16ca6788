package io.meshagent.netty.internal.outbound;

import io.meshagent.netty.internal.observe.ReceivedFields;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.channel.Channel;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One request sent upstream and its response. {@link #cancel} abandons it (a per-try or route
 * timeout): the HTTP/1.1 connection or the HTTP/2 stream is closed, so no late answer is read.
 */
final class Exchange {
  final CompletableFuture<MeshHttpResponse> response = new CompletableFuture<>();
  // What the response reader noted of the response's fields for telemetry (its metadata-exchange
  // fields, left out of the response), or null. Set before the response completes.
  @Nullable ReceivedFields noted;
  // The baggage of the HBONE 200 the connection's tunnel got (ztunnel's names the destination
  // workload), or null. Set before the response completes.
  @Nullable String tunnelBaggage;
  private volatile @Nullable Channel channel;

  void bind(Channel ch) {
    channel = ch;
    if (response.isDone() && !response.isCompletedExceptionally()) {
      return;
    }
    if (response.isCancelled()) {
      ch.close();
    }
  }

  /** The local address of the connection the exchange went over, or null if none was bound. */
  @Nullable SocketAddress localAddress() {
    Channel ch = channel;
    return ch == null ? null : ch.localAddress();
  }

  void cancel() {
    response.cancel(false);
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
  }
}
