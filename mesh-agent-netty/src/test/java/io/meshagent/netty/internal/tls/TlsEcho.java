package io.meshagent.netty.internal.tls;

import io.meshagent.identity.SpiffeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An mTLS echo server and client on loopback for TLS tests: the server takes a fresh context per
 * connection from a supplier (as listeners do across rotations) and records each peer's identity.
 */
final class TlsEcho implements AutoCloseable {
  final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
  final List<SpiffeId> serverSawPeers = new CopyOnWriteArrayList<>();

  /** Why server-side handshakes failed, in order. */
  final BlockingQueue<Throwable> serverHandshakeFailures = new LinkedBlockingQueue<>();

  final Channel server;

  TlsEcho(Supplier<SslContext> serverContext) throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    SslHandler ssl = serverContext.get().newHandler(ch.alloc());
                    ssl.handshakeFuture()
                        .addListener(
                            f -> {
                              if (!f.isSuccess()) {
                                serverHandshakeFailures.add(f.cause());
                              }
                            });
                    ch.pipeline()
                        .addLast(ssl)
                        .addLast(PeerIdentity.INSTANCE)
                        .addLast(
                            new SimpleChannelInboundHandler<ByteBuf>() {
                              @Override
                              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                SpiffeId peer = ctx.channel().attr(PeerIdentity.PEER).get();
                                if (peer != null && !serverSawPeers.contains(peer)) {
                                  serverSawPeers.add(peer);
                                }
                                ctx.writeAndFlush(msg.retain());
                              }
                            });
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** A client connection; its echoes arrive in {@link Client#received}. */
  Client connect(SslContext clientContext) throws InterruptedException {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    // Captured as the handler is made: a refused handshake removes the handler quickly.
    java.util.concurrent.atomic.AtomicReference<io.netty.util.concurrent.Future<Channel>>
        handshake = new java.util.concurrent.atomic.AtomicReference<>();
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    SslHandler ssl = clientContext.newHandler(ch.alloc(), "127.0.0.1", port());
                    handshake.set(ssl.handshakeFuture());
                    ch.pipeline()
                        .addLast(ssl)
                        .addLast(PeerIdentity.INSTANCE)
                        .addLast(
                            new SimpleChannelInboundHandler<ByteBuf>() {
                              @Override
                              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                received.add(msg.toString(StandardCharsets.UTF_8));
                              }
                            });
                  }
                })
            .connect(server.localAddress())
            .sync()
            .channel();
    return new Client(ch, received, handshake.get());
  }

  record Client(
      Channel channel,
      BlockingQueue<String> received,
      io.netty.util.concurrent.Future<Channel> handshakeFuture) {
    /** Sends {@code text} and returns the echo, or null if none came within 10 s. */
    String echo(String text) throws InterruptedException {
      channel.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
      return received.poll(10, TimeUnit.SECONDS);
    }

    /** Waits for the handshake; true if it succeeded. */
    boolean handshake() throws InterruptedException {
      return handshakeFuture.await(10, TimeUnit.SECONDS) && handshakeFuture.isSuccess();
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }
}
