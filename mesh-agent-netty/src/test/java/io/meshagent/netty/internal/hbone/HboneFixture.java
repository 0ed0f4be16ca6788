package io.meshagent.netty.internal.hbone;

import io.meshagent.core.identity.CertificateIssuer;
import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.core.internal.identity.dev.DevCertificateAuthority;
import io.meshagent.core.testing.FakeTime;
import io.meshagent.identity.KeyAlgorithm;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.tls.TlsEngine;
import io.meshagent.netty.internal.tls.WorkloadTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Workload identities from the dev CA (as {@code WorkloadTlsTest} sets them up), TLS contexts with
 * ALPN h2, an event loop group and loopback upstream apps. Closes everything it made.
 */
public final class HboneFixture implements AutoCloseable {
  public static final SpiffeId PRODUCTPAGE =
      SpiffeId.parse("spiffe://cluster.local/ns/default/sa/productpage");
  public static final SpiffeId REVIEWS =
      SpiffeId.parse("spiffe://cluster.local/ns/default/sa/reviews");

  public final ControlContext serial = new ControlContext("mesh-agent-control-hbone-test");
  public final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final Path dir;
  private FakeTime time;

  public HboneFixture(Path dir) {
    this.dir = dir;
  }

  public IdentityManager identity(SpiffeId id, String ca) throws Exception {
    if (time == null) {
      time = new FakeTime(Instant.now(), serial);
    }
    CertificateIssuer issuer =
        new DevCertificateAuthority(
            dir.resolve(ca), id, Duration.ofHours(24), ForkJoinPool.commonPool(), time);
    IdentityManager m =
        new IdentityManager(
            "dev",
            issuer,
            null,
            id.trustDomain(),
            KeyAlgorithm.EC_P256,
            0.5,
            0.01,
            Duration.ofSeconds(1),
            Duration.ofMinutes(1),
            serial,
            ForkJoinPool.commonPool(),
            time,
            () -> 0.5);
    closeables.add(m);
    m.start();
    m.first().get(20, TimeUnit.SECONDS);
    return m;
  }

  public WorkloadTls tls(SpiffeId id, List<String> alpn) throws Exception {
    return tls(id, "ca", alpn);
  }

  /** TLS for {@code id} with a certificate from the CA in directory {@code ca}. */
  public WorkloadTls tls(SpiffeId id, String ca, List<String> alpn) throws Exception {
    WorkloadTls t =
        new WorkloadTls(identity(id, ca), TlsEngine.preferred(), alpn, alpn, time, Runnable::run);
    closeables.add(t);
    return t;
  }

  /**
   * An HBONE server for {@code tls} that lets every peer through to loopback, with these limits,
   * closed with the fixture.
   */
  HboneServer server(
      WorkloadTls tls,
      int maxStreams,
      java.time.Duration pingInterval,
      java.time.Duration pingTimeout) {
    return closeLater(
        new HboneServer(
            tls,
            new HboneServer.Config(
                (p, d) -> true,
                HboneServer.LOOPBACK,
                10_000,
                pingInterval,
                pingTimeout,
                maxStreams,
                HboneServer.LocalServices.NONE,
                () -> null),
            group));
  }

  public <T extends AutoCloseable> T closeLater(T c) {
    closeables.add(c);
    return c;
  }

  /** A loopback TCP app; {@code init} configures each accepted connection. */
  public InetSocketAddress app(Consumer<SocketChannel> init) throws InterruptedException {
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    init.accept(ch);
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    closeables.add(() -> server.close().sync());
    return (InetSocketAddress) server.localAddress();
  }

  /** An echo app: echoes bytes, and half-closes after the client did. */
  public InetSocketAddress echoApp() throws InterruptedException {
    return app(ch -> ch.pipeline().addLast(new Echo()));
  }

  public static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
            .addListener(f -> ((DuplexChannel) ctx.channel()).shutdownOutput());
      }
    }
  }

  /** Collects bytes (releasing every buffer) and notes the EOF and the close. */
  public static final class Collector extends ChannelInboundHandlerAdapter {
    public final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    public final CompletableFuture<byte[]> eof = new CompletableFuture<>();
    public final CompletableFuture<Void> closed = new CompletableFuture<>();

    public synchronized byte[] bytes() {
      return bytes.toByteArray();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      try {
        byte[] copy = new byte[b.readableBytes()];
        b.readBytes(copy);
        synchronized (this) {
          bytes.writeBytes(copy);
        }
      } finally {
        b.release();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        eof.complete(bytes());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed.complete(null);
      eof.completeExceptionally(new IllegalStateException("closed without EOF"));
    }
  }

  @Override
  public void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    serial.close();
  }
}
