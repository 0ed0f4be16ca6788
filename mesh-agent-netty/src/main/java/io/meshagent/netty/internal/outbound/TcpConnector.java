package io.meshagent.netty.internal.outbound;

import io.meshagent.MeshAgent;
import io.meshagent.core.internal.circuitbreaker.Admission;
import io.meshagent.core.internal.outlier.Result;
import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.metrics.Reporter;
import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.core.internal.telemetry.peer.TcpMetadataExchange;
import io.meshagent.core.internal.traffic.ClusterManager;
import io.meshagent.core.internal.traffic.Destination;
import io.meshagent.core.internal.traffic.HttpPlan;
import io.meshagent.core.internal.traffic.NoUpstreamException;
import io.meshagent.core.internal.traffic.OutboundPlanner;
import io.meshagent.core.internal.traffic.Upstream;
import io.meshagent.identity.SpiffeId;
import io.meshagent.model.cluster.RoutingPriority;
import io.meshagent.netty.internal.hbone.HboneTunnel;
import io.meshagent.netty.internal.observe.ConnectionEnds;
import io.meshagent.netty.internal.observe.TcpPeerExchange;
import io.meshagent.netty.internal.observe.Telemetry;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.traffic.MeshSocket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * TCP through the mesh: the TCP proxy's cluster for the destination, an endpoint of it, and a byte
 * pipe over the endpoint's transport wrapped as a blocking {@link MeshSocket}. A connection holds a
 * {@code max_connections} circuit-breaker permit while open.
 */
final class TcpConnector {
  private final MeshAgent agent;
  private final ClusterManager clusters;
  private final UpstreamConnector connector;
  private final Telemetry telemetry;

  TcpConnector(
      MeshAgent agent, ClusterManager clusters, UpstreamConnector connector, Telemetry telemetry) {
    this.agent = agent;
    this.clusters = clusters;
    this.connector = connector;
    this.telemetry = telemetry;
  }

  CompletableFuture<MeshSocket> connect(Destination d) {
    long startNanos = System.nanoTime(); // the app's connect: where the log line's duration starts
    MeshSnapshot snapshot = agent.snapshot();
    HttpPlan plan =
        OutboundPlanner.planTcp(snapshot, d, ThreadLocalRandom.current().nextLong(1_000_000));
    if (plan instanceof HttpPlan.Unroutable u) {
      return CompletableFuture.failedFuture(new IOException("TCP to " + d + ": " + u.reason()));
    }
    String cluster = ((HttpPlan.Tcp) plan).cluster();
    Upstream u;
    try {
      u = clusters.pick(snapshot, cluster, ThreadLocalRandom.current().nextLong(), d);
    } catch (NoUpstreamException e) {
      failed(e.responseFlag(), cluster, null, startNanos);
      return CompletableFuture.failedFuture(
          new IOException("TCP to " + d + " (" + e.responseFlag() + "): " + e.getMessage()));
    }
    Admission a =
        u.state().circuitBreakers().forPriority(RoutingPriority.DEFAULT).tryAcquireConnection();
    if (!(a instanceof Admission.Permit permit)) {
      failed("UO", cluster, u.key(), startNanos);
      return CompletableFuture.failedFuture(new IOException("TCP to " + d + " (UO): " + a));
    }
    String where = u.cluster().name() + " / " + u.key();
    SocketBridge bridge = new SocketBridge(where);
    ExchangeFirst start = new ExchangeFirst(bridge, where);
    u.started();
    return connector
        .connect(u, IstioAlpn.TCP, start, false)
        .handle(
            (ch, err) -> {
              if (err != null) {
                permit.close();
                u.finished(Result.LocalOrigin.CONNECT_FAILED);
                // tcp_proxy's one connect attempt failed, and no attempt is left.
                failed("UF,URX", u.cluster().name(), u.key(), startNanos);
                Throwable c = err.getCause() != null ? err.getCause() : err;
                throw new java.util.concurrent.CompletionException(
                    new IOException("TCP to " + d + ": " + c.getMessage(), c));
              }
              u.finished(Result.LocalOrigin.CONNECT_SUCCESS);
              ch.closeFuture().addListener(x -> permit.close());
              // This may run on the caller's thread (the connection can be up before handle() is
              // attached): what must precede the peer's bytes was put in on the loop already.
              return start.peer().thenApply(w -> opened(ch, bridge, u, w, startNanos));
            })
        .thenCompose(f -> f);
  }

  /** Records an outbound connection that never came up, with Envoy's flags for why. */
  private void failed(String flags, String cluster, @Nullable String host, long startNanos) {
    telemetry.tcpFailed(
        Reporter.SOURCE,
        null,
        null,
        flags,
        null,
        ConnectionEnds.outbound(cluster, host, null),
        startNanos);
  }

  /**
   * The connection's first handler, added on its event loop as the transport comes up: it puts the
   * socket's bridge in its place and, when a sidecar chose Istio's TCP metadata exchange, the
   * exchange before it, whose frame comes before the peer's bytes. Both go in right there, on the
   * loop, before the TLS handler can pass on another byte; from any other thread the handler would
   * be skipped until the loop got to it, and the peer's frame would reach the app.
   */
  private final class ExchangeFirst extends ChannelHandlerAdapter {
    private final SocketBridge bridge;
    private final String where;
    private volatile CompletableFuture<@Nullable WorkloadMetadata> peer =
        CompletableFuture.completedFuture(null);

    ExchangeFirst(SocketBridge bridge, String where) {
      this.bridge = bridge;
      this.where = where;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ChannelPipeline p = ctx.pipeline();
      p.addAfter(ctx.name(), null, bridge);
      SslHandler ssl = p.get(SslHandler.class);
      if (ssl != null && TcpMetadataExchange.ALPN.equals(ssl.applicationProtocol())) {
        TcpPeerExchange exchange = new TcpPeerExchange(telemetry.tcpExchangeFrame(), where);
        p.addAfter(ctx.name(), null, exchange); // writes our frame, reads the peer's
        peer = exchange.peer();
      }
      p.remove(this);
    }

    /** The peer's workload from the exchange; null when there is none or it sent none. */
    CompletableFuture<@Nullable WorkloadMetadata> peer() {
      return peer;
    }
  }

  /** The socket, once the peer's workload is known or known to be unknown. */
  private MeshSocket opened(
      Channel ch,
      SocketBridge bridge,
      Upstream u,
      @Nullable WorkloadMetadata peer,
      long startNanos) {
    SpiffeId identity = ch.attr(PeerIdentity.PEER).get();
    // Through HBONE there is no exchange: the 200's baggage names the destination, if it came.
    String baggage = peer == null ? HboneTunnel.baggageOf(ch) : null;
    TcpConnectionMetrics m =
        telemetry.tcp(
            Reporter.SOURCE,
            identity,
            baggage != null ? telemetry.workloadOf(baggage) : peer,
            ConnectionEnds.outbound(u.cluster().name(), u.key(), ch.localAddress()),
            startNanos);
    ch.closeFuture().addListener(x -> m.recordClose());
    return bridge.socket(ch, m);
  }
}
