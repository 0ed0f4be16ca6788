package io.meshagent.netty.internal.inbound;

import io.meshagent.MeshAgent;
import io.meshagent.core.internal.authz.Authorizer;
import io.meshagent.core.internal.authz.AuthzDecision;
import io.meshagent.core.internal.authz.AuthzRequest;
import io.meshagent.core.internal.listener.ConnectionInfo;
import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.accesslog.ResponseCodeDetails;
import io.meshagent.core.internal.telemetry.metrics.Reporter;
import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.core.internal.telemetry.peer.TcpMetadataExchange;
import io.meshagent.core.internal.traffic.InboundMode;
import io.meshagent.core.internal.traffic.InboundPlan;
import io.meshagent.core.internal.traffic.InboundPlanner;
import io.meshagent.identity.SpiffeId;
import io.meshagent.model.listener.NetworkRbac;
import io.meshagent.netty.internal.ConnectionWindow;
import io.meshagent.netty.internal.EofClosesConnection;
import io.meshagent.netty.internal.FlushBatching;
import io.meshagent.netty.internal.ReadSize;
import io.meshagent.netty.internal.hbone.HboneTunnel;
import io.meshagent.netty.internal.hbone.Relay;
import io.meshagent.netty.internal.observe.ByteCounter;
import io.meshagent.netty.internal.observe.ConnectionEnds;
import io.meshagent.netty.internal.observe.TcpPeerExchange;
import io.meshagent.netty.internal.observe.Telemetry;
import io.meshagent.netty.internal.outbound.SocketBridge;
import io.meshagent.netty.internal.tls.NoWorkloadCertificateException;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.meshagent.netty.internal.tls.WorkloadTls;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshHttpHandler;
import io.meshagent.traffic.MeshSocket;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up an inbound connection once its first bytes were inspected: the filter chain (or the
 * fallback mode), mTLS termination, network RBAC, then HTTP (HTTP/1.1 or HTTP/2 by ALPN or preface)
 * to the app's handler, or a TCP relay to the app's port. HBONE streams to a served port enter here
 * too, as connections already secured by the tunnel's mTLS. A TCP chain reaches the app's
 * in-process TCP handler, when it serves one, through a {@link SocketBridge}. Every refusal is
 * logged with the peer, the port and the reason.
 */
final class InboundPipelines {
  private static final Logger log = LoggerFactory.getLogger(InboundPipelines.class);
  // When a connection was accepted, or an HBONE stream's CONNECT came (System.nanoTime()).
  private static final AttributeKey<Long> STARTED = AttributeKey.valueOf("mesh-agent.started");

  private final MeshAgent agent;
  private final WorkloadTls tls;
  private final InboundMode fallback;
  private final AppForwarder forwarder;
  private final int maxBody;
  private final Telemetry telemetry;

  InboundPipelines(
      MeshAgent agent,
      WorkloadTls tls,
      InboundMode fallback,
      AppForwarder forwarder,
      int maxBody,
      Telemetry telemetry) {
    this.telemetry = telemetry;
    this.agent = agent;
    this.tls = tls;
    this.fallback = fallback;
    this.forwarder = forwarder;
    this.maxBody = maxBody;
  }

  /** A connection accepted on the service's listener. */
  void accepted(Channel ch, InboundService service) {
    ch.attr(STARTED).set(System.nanoTime());
    ch.pipeline()
        .addLast(
            new Inspector(service.servicePort(), (ctx, info) -> inspected(ctx, info, service)));
  }

  /** An HBONE stream (behind its tunnel codec, not reading yet) to the service's port. */
  void tunnel(Channel stream, InboundService service) {
    SpiffeId peer = stream.parent().attr(PeerIdentity.PEER).get();
    stream.attr(STARTED).set(System.nanoTime());
    stream
        .pipeline()
        .addLast(
            new Inspector(
                service.servicePort(),
                (ctx, info) -> {
                  // Secured by the tunnel: the chain for mTLS traffic applies, with its peer.
                  ConnectionInfo secured =
                      new ConnectionInfo(
                          info.destinationIp(),
                          info.destinationPort(),
                          null,
                          "tls",
                          info.applicationProtocols(),
                          info.sourceIp(),
                          info.sourcePort());
                  InboundPlan plan = InboundPlanner.plan(agent.snapshot(), secured, fallback);
                  if (plan instanceof InboundPlan.Refuse r) {
                    refuse(ctx.channel(), peer, service, r.reason());
                    return;
                  }
                  boolean h2 = info.applicationProtocols().contains("h2c");
                  established(
                      ctx.channel(),
                      (InboundPlan.Accept) plan,
                      service,
                      secured,
                      peer,
                      "hbone",
                      h2);
                }));
    stream.config().setAutoRead(true);
  }

  private void inspected(ChannelHandlerContext ctx, ConnectionInfo info, InboundService service) {
    Channel ch = ctx.channel();
    InboundPlan plan = InboundPlanner.plan(agent.snapshot(), info, fallback);
    if (plan instanceof InboundPlan.Refuse r) {
      refuse(ch, null, service, r.reason());
      return;
    }
    InboundPlan.Accept a = (InboundPlan.Accept) plan;
    boolean isTls = info.transportProtocol().equals("tls");
    if (!a.tls() || !isTls) {
      if (isTls) {
        refuse(
            ch,
            null,
            service,
            "filter chain " + a.chain() + " is plaintext but the client sent TLS");
        return;
      }
      established(
          ch, a, service, info, null, "plaintext", info.applicationProtocols().contains("h2c"));
      return;
    }
    SslHandler ssl;
    try {
      ssl = tls.serverContext().newHandler(ch.alloc());
    } catch (NoWorkloadCertificateException e) {
      refuse(ch, null, service, "no workload certificate: " + e.getMessage());
      return;
    }
    ch.pipeline()
        .addLast(ssl, PeerIdentity.INSTANCE)
        .addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext c, Object evt) throws Exception {
                if (evt instanceof SslHandshakeCompletionEvent done) {
                  c.pipeline().remove(this);
                  if (done.isSuccess() && c.channel().isActive()) {
                    SpiffeId peer = c.channel().attr(PeerIdentity.PEER).get();
                    boolean h2 = "h2".equals(ssl.applicationProtocol());
                    established(c.channel(), a, service, info, peer, "mtls", h2);
                  } else {
                    c.close(); // PeerIdentity logged why
                  }
                  return;
                }
                super.userEventTriggered(c, evt);
              }
            });
  }

  private static long started(Channel ch) {
    Long at = ch.attr(STARTED).get();
    return at != null ? at : System.nanoTime();
  }

  private void established(
      Channel ch,
      InboundPlan.Accept a,
      InboundService service,
      ConnectionInfo info,
      @Nullable SpiffeId peer,
      String transport,
      boolean h2) {
    HttpInbound.Connection conn =
        new HttpInbound.Connection(
            peer,
            ip(info.sourceIp()),
            info.sourcePort(),
            ip(info.destinationIp()),
            info.destinationPort(),
            info.serverName() == null ? "" : info.serverName(),
            transport,
            HboneTunnel.baggageOf(ch),
            "inbound|" + service.servicePort() + "||",
            started(ch));
    SslHandler ssl = ch.pipeline().get(SslHandler.class);
    if (ssl != null && TcpMetadataExchange.ALPN.equals(ssl.applicationProtocol())) {
      // A sidecar (or agent) chose Istio's TCP metadata exchange: its frame comes before any byte
      // of the app's protocol, whatever serves the port.
      TcpPeerExchange exchange =
          new TcpPeerExchange(
              telemetry.tcpExchangeFrame(),
              "inbound|" + service.servicePort() + "|| from " + ch.remoteAddress());
      ch.pipeline().addLast(exchange);
      // Completes on this loop, before the bytes after the frame go on to what it adds.
      exchange.peer().thenAccept(w -> serve(ch, a, service, conn, peer, h2, w));
      return;
    }
    serve(ch, a, service, conn, peer, h2, null);
  }

  /**
   * The accepted connection's checks, then the connection to the app: HTTP, or a TCP relay or
   * handler; {@code exchanged} is the peer's workload from the TCP metadata exchange, if it sent
   * one. The checks come after the exchange, as Envoy's RBAC filter comes after Istio's exchange
   * filter: a refused connection is recorded with its caller's workload.
   */
  private void serve(
      Channel ch,
      InboundPlan.Accept a,
      InboundService service,
      HttpInbound.Connection conn,
      @Nullable SpiffeId peer,
      boolean h2,
      @Nullable WorkloadMetadata exchanged) {
    if (!ch.isActive()) {
      return;
    }
    InboundService.InProcessTcp tcp = service.tcp();
    for (NetworkRbac r : a.networkRbac()) {
      AuthzDecision denied = denied(r, conn);
      if (denied != null) {
        if (a.hcm() == null) {
          // As Envoy's tcp_proxy records a connection its RBAC filter closed: never connected, the
          // matched policy in the connection termination details.
          telemetry.tcpFailed(
              Reporter.DESTINATION,
              peer,
              exchanged != null ? exchanged : telemetry.workloadOf(conn.tunnelBaggage()),
              "-",
              ResponseCodeDetails.rbacDenied(denied.policy()),
              ends(conn, null),
              conn.startNanos());
        }
        refuse(ch, peer, service, "network RBAC " + r.name() + ": " + denied.reason());
        return;
      }
    }
    if (tcp != null && a.hcm() != null) {
      // Fail closed: the chain's HTTP rules (RBAC on paths, JWT) cannot be applied to bytes.
      refuse(
          ch,
          peer,
          service,
          "filter chain "
              + a.chain()
              + " is HTTP but the app serves the port as TCP in process; serve it as HTTP, or"
              + " declare the service port as TCP");
      return;
    }
    boolean http = service.handler() != null || a.hcm() != null;
    if (http) {
      MeshHttpHandler handler =
          service.handler() != null ? service.handler() : forwarder.to(service.app());
      if (h2) {
        FlushBatching.addUnlessTunnelled(ch);
        ch.pipeline()
            .addLast(
                Http2FrameCodecBuilder.forServer()
                    .initialSettings(
                        Http2Settings.defaultSettings().initialWindowSize(ConnectionWindow.STREAM))
                    .build(),
                new Http2MultiplexHandler(
                    new ChannelInitializer<Http2StreamChannel>() {
                      @Override
                      protected void initChannel(Http2StreamChannel s) {
                        s.pipeline()
                            .addLast(
                                FlushBatching.stream(),
                                new HttpInbound(a.hcm(), handler, conn, true, maxBody, telemetry));
                      }
                    }),
                new ConnectionWindow(),
                EofClosesConnection.INSTANCE);
      } else {
        ch.pipeline()
            .addLast(
                new HttpServerCodec(),
                new HttpObjectAggregator(maxBody),
                new HttpInbound(a.hcm(), handler, conn, false, maxBody, telemetry),
                EofClosesConnection.INSTANCE);
      }
      return;
    }
    // The service is not known from a TCP connection.
    WorkloadMetadata known =
        exchanged != null ? exchanged : telemetry.workloadOf(conn.tunnelBaggage());
    ConnectionEnds ends = ends(conn, ConnectionEnds.address(service.app()));
    ConnectionRecorder recorder =
        new ConnectionRecorder() {
          @Override
          public void opened(Channel c) {
            TcpConnectionMetrics m =
                telemetry.tcp(Reporter.DESTINATION, peer, known, ends, conn.startNanos());
            c.pipeline().addLast(new ByteCounter(m));
            c.closeFuture().addListener(x -> m.recordClose());
          }

          @Override
          public void failed(String flags) {
            telemetry.tcpFailed(
                Reporter.DESTINATION, peer, known, flags, null, ends, conn.startNanos());
          }
        };
    if (tcp != null) {
      recorder.opened(ch);
      serveInProcess(ch, tcp, conn, service);
    } else {
      relay(ch, java.util.Objects.requireNonNull(service.app()), peer, service, recorder);
    }
  }

  /**
   * Records a TCP connection once its upstream side is settled: istio_tcp_* and its access-log
   * line, counted by a {@link ByteCounter} added last to its pipeline (before the relay's handlers,
   * after the hold's); or, when the app could not be reached, opened and closed at once with
   * Envoy's flags.
   */
  private interface ConnectionRecorder {
    void opened(Channel ch);

    void failed(String flags);
  }

  /** Hands the connection to the app's TCP handler, on a thread of its executor. */
  private static void serveInProcess(
      Channel ch,
      InboundService.InProcessTcp tcp,
      HttpInbound.Connection conn,
      InboundService service) {
    String source = conn.sourceIp().getHostAddress() + ":" + conn.sourcePort();
    String name = "inbound|" + service.servicePort() + "|| / " + source;
    ch.config().setAutoRead(false); // the bridge reads as fast as the handler consumes
    ch.attr(PeerIdentity.PEER).set(conn.peer()); // on an HBONE stream, its connection's peer
    SocketBridge bridge = new SocketBridge(name);
    ch.pipeline().addLast(bridge);
    MeshSocket socket = bridge.socket(ch, TcpConnectionMetrics.NOOP); // ByteCounter counts
    InboundContext context = new InboundContext(conn.peer(), source, conn.transport());
    // Whoever comes first, the handler's thread or the connection's end, owns the socket: a task
    // the executor drops, or one that starts after the peer left, leaves nothing held.
    AtomicBoolean started = new AtomicBoolean();
    ch.closeFuture()
        .addListener(
            x -> {
              if (started.compareAndSet(false, true)) {
                socket.close();
              }
            });
    Runnable serve =
        () -> {
          if (!started.compareAndSet(false, true)) {
            return;
          }
          if (ch.eventLoop().inEventLoop()) {
            // An executor that runs tasks on the caller's thread: blocking here would stop the
            // loop that carries this connection and every other one on it.
            refuse(ch, conn.peer(), service, "the TCP handler's executor ran it on the event loop");
            socket.close();
            return;
          }
          try {
            tcp.handler().handle(socket, context);
          } catch (Throwable t) {
            log.warn(
                "in-process TCP handler for port {} failed on the connection from {} ({})",
                service.servicePort(),
                source,
                conn.peer() == null ? "no identity" : conn.peer(),
                t);
            if (t instanceof Error e) {
              throw e;
            }
          } finally {
            socket.close(); // after what the handler wrote
          }
        };
    try {
      tcp.executor().execute(serve);
    } catch (RuntimeException e) { // rejected, or an executor that failed
      refuse(ch, conn.peer(), service, "no thread for the in-process TCP handler: " + e);
    }
  }

  /** The TCP proxy to the app: bytes held until the app's socket is connected. */
  private void relay(
      Channel ch,
      InetSocketAddress app,
      @Nullable SpiffeId peer,
      InboundService service,
      ConnectionRecorder recorder) {
    Hold hold = new Hold();
    ch.pipeline().addLast(hold);
    ChannelFuture f =
        new Bootstrap()
            .group(ch.eventLoop())
            .channel(NioSocketChannel.class)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.RECVBUF_ALLOCATOR, ReadSize.allocator())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel c) {}
                })
            .connect(app);
    f.addListener(
        x -> {
          if (!x.isSuccess()) {
            // tcp_proxy's one connect attempt failed, and no attempt is left.
            recorder.failed("UF,URX");
            refuse(ch, peer, service, "app at " + app + " unreachable: " + x.cause().getMessage());
            return;
          }
          // Counted from here, after the hold: what it kept is counted as it is released (a caller
          // that left first: opened and closed).
          recorder.opened(ch);
          if (!ch.isActive()) {
            f.channel().close();
            return;
          }
          new Relay.Pair(ch, f.channel()).install();
          hold.release(ch.pipeline().context(hold));
          f.channel().config().setAutoRead(true);
          ch.config().setAutoRead(true);
          ch.read();
        });
  }

  /** The connection's ends for its access-log line; {@code app} when the app was connected. */
  private static ConnectionEnds ends(HttpInbound.Connection conn, @Nullable String app) {
    return new ConnectionEnds(
        conn.inboundCluster(),
        app,
        null,
        ConnectionEnds.address(conn.destinationIp(), conn.destinationPort()),
        ConnectionEnds.address(conn.sourceIp(), conn.sourcePort()),
        conn.serverName().isEmpty() ? null : conn.serverName());
  }

  /** The decision that refuses the connection, or null when {@code r} allows it. */
  private static @Nullable AuthzDecision denied(NetworkRbac r, HttpInbound.Connection c) {
    try {
      AuthzDecision d =
          Authorizer.evaluate(
              r.rbac(),
              AuthzRequest.tcp(
                  c.peer(), c.sourceIp(), c.destinationIp(), c.destinationPort(), c.serverName()));
      return d.allowed() ? null : d;
    } catch (RuntimeException e) {
      return AuthzDecision.failedClosed(e);
    }
  }

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal); // a literal: no lookup
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal: " + literal, e);
    }
  }

  private static void refuse(
      Channel ch, @Nullable SpiffeId peer, InboundService service, String reason) {
    log.warn(
        "inbound connection from {} ({}) to port {} refused: {}",
        ch.remoteAddress(),
        peer == null ? "no identity" : peer,
        service.servicePort(),
        reason);
    ch.close();
  }
}
