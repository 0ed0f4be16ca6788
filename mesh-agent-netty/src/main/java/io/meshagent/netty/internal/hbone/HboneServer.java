package io.meshagent.netty.internal.hbone;

import io.meshagent.netty.internal.ConnectionWindow;
import io.meshagent.netty.internal.FlushBatching;
import io.meshagent.netty.internal.tls.NoWorkloadCertificateException;
import io.meshagent.netty.internal.tls.PeerIdentity;
import io.meshagent.netty.internal.tls.WorkloadTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HBONE server (ztunnel's inbound on port 15008): TLS 1.3 with a required client certificate
 * and ALPN {@code h2}, HTTP/2 with ztunnel's settings, one {@link ConnectHandler} per CONNECT
 * stream. {@link #close()} drains: GOAWAY, then live streams finish (up to 30 s).
 *
 * <p>The {@link WorkloadTls} must offer ALPN {@code h2} on the server side. The event loop group
 * must be NIO ({@code MultiThreadIoEventLoopGroup} with {@code NioIoHandler}); upstream sockets
 * share the event loop of their HBONE connection.
 */
public final class HboneServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HboneServer.class);

  /** What every stream needs. */
  record Config(
      HboneAuthorizer authorizer,
      Function<InetSocketAddress, InetSocketAddress> upstream,
      int connectTimeoutMillis,
      Duration pingInterval,
      Duration pingTimeout,
      int maxConcurrentStreams,
      LocalServices local,
      Supplier<@Nullable String> baggage) {}

  /**
   * Destinations served inside this process: a tunnel to one of them is answered with 200 at once
   * and handed over, as a byte pipe (behind a {@link TunnelCodec}, reading off), instead of being
   * relayed to a socket.
   */
  @FunctionalInterface
  public interface LocalServices {
    /** No destination is local. */
    LocalServices NONE = d -> null;

    /**
     * The handler for tunnels to {@code destination}, or null to connect upstream. The handler is
     * called on the stream's event loop with the stream; it installs its pipeline and starts
     * reading.
     */
    java.util.function.@Nullable Consumer<Channel> serve(InetSocketAddress destination);
  }

  /** Where the app listens for an authority: its port on 127.0.0.1. */
  public static final Function<InetSocketAddress, InetSocketAddress> LOOPBACK =
      a -> new InetSocketAddress(InetAddress.getLoopbackAddress(), a.getPort());

  private final WorkloadTls tls;
  private final Config config;
  private final EventLoopGroup group;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private @Nullable Channel listener;

  /**
   * @param upstream maps a CONNECT authority to where the app listens (see {@link #LOOPBACK})
   */
  public HboneServer(
      WorkloadTls tls,
      HboneAuthorizer authorizer,
      Function<InetSocketAddress, InetSocketAddress> upstream,
      EventLoopGroup group) {
    this(
        tls,
        new Config(
            authorizer,
            upstream,
            10_000,
            HboneSettings.PING_INTERVAL,
            HboneSettings.PING_TIMEOUT,
            HboneSettings.SERVER_MAX_STREAMS,
            LocalServices.NONE,
            () -> null),
        group);
  }

  /**
   * The same, answering each accepted CONNECT with {@code baggage}: this workload's metadata, as
   * ztunnel (1.30 on) puts its own in the 200 so that the caller can label the destination; null
   * for none.
   */
  public HboneServer(
      WorkloadTls tls,
      HboneAuthorizer authorizer,
      Function<InetSocketAddress, InetSocketAddress> upstream,
      LocalServices local,
      Supplier<@Nullable String> baggage,
      EventLoopGroup group) {
    this(
        tls,
        new Config(
            authorizer,
            upstream,
            10_000,
            HboneSettings.PING_INTERVAL,
            HboneSettings.PING_TIMEOUT,
            HboneSettings.SERVER_MAX_STREAMS,
            local,
            baggage),
        group);
  }

  HboneServer(WorkloadTls tls, Config config, EventLoopGroup group) {
    this.tls = tls;
    this.config = config;
    this.group = group;
  }

  /** Binds and starts accepting; waits for the bind (call it off the event loops). */
  public synchronized InetSocketAddress bind(InetSocketAddress address)
      throws InterruptedException {
    ChannelFuture f =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    initConnection(ch);
                  }
                })
            .bind(address)
            .sync();
    listener = f.channel();
    return (InetSocketAddress) f.channel().localAddress();
  }

  /** The HBONE connections open now. */
  public int connectionCount() {
    return connections.size();
  }

  private void initConnection(SocketChannel ch) {
    HboneSettings.tune(ch);
    try {
      ch.pipeline().addLast(tls.serverContext().newHandler(ch.alloc()));
    } catch (NoWorkloadCertificateException e) {
      log.warn("HBONE connection from {} refused: {}", ch.remoteAddress(), e.getMessage());
      ch.close();
      return;
    }
    connections.add(ch);
    ch.pipeline().addLast(PeerIdentity.INSTANCE).addLast(new Alpn());
  }

  /** Installs HTTP/2 once the handshake chose {@code h2}; anything else is closed. */
  private final class Alpn extends ApplicationProtocolNegotiationHandler {
    Alpn() {
      super("none");
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        log.warn(
            "HBONE connection from {} refused: ALPN {} instead of h2",
            ctx.channel().remoteAddress(),
            protocol);
        ctx.close();
        return;
      }
      ctx.pipeline()
          .addLast(FlushBatching.handler())
          .addLast(HboneSettings.serverCodec(config.maxConcurrentStreams()))
          .addLast(
              new Http2MultiplexHandler(
                  new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                      stream.pipeline().addLast(FlushBatching.stream(), new ConnectHandler(config));
                    }
                  }))
          .addLast(new Keepalive(config.pingInterval(), config.pingTimeout()))
          .addLast(new ConnectionWindow());
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // PeerIdentity logged the peer and the reason
    }
  }

  /**
   * Stops accepting, then drains: each connection sends GOAWAY and closes once its streams are done
   * (or after 30 s). Does not wait.
   */
  public synchronized ChannelGroupFuture drain() {
    if (listener != null) {
      listener.close();
    }
    // Await the channels' own closes: a connection whose peer leaves mid-drain is closed at once,
    // while Netty's graceful close() promise would still wait out its timeout.
    ChannelGroupFuture closed = connections.newCloseFuture();
    connections.close();
    return closed;
  }

  @Override
  public void close() {
    drain().awaitUninterruptibly(HboneSettings.DRAIN_TIMEOUT.toMillis() + 1000);
  }
}
