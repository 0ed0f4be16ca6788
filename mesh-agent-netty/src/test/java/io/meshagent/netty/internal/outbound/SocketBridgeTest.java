package io.meshagent.netty.internal.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.netty.testing.LeakCheck;
import io.meshagent.traffic.MeshSocket;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The blocking stream over a channel: writes pipeline and never block the channel's own loop; a
 * close sends what was written before it and releases what was never read.
 */
class SocketBridgeTest {
  private EventLoopGroup group;
  private Channel server;
  private Channel client;

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    // A peer that never reads: the client's buffers fill.
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(new ChannelInboundHandlerAdapter())
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    client =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.AUTO_READ, false)
            .handler(new ChannelInboundHandlerAdapter())
            .connect(server.localAddress())
            .sync()
            .channel();
  }

  @BeforeAll
  static void leakCheck() throws Exception {
    LeakCheck.install();
  }

  @AfterEach
  void stop() {
    client.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (connected != null) {
      connected.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    assertThat(LeakCheck.leaks()).isEmpty();
  }

  /**
   * A server that counts what it reads until the client's EOF; it reads only once {@link
   * #accepted}'s reading is turned on.
   */
  private Channel countingServer() throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.SO_RCVBUF, 16 * 1024)
        .childHandler(
            new ChannelInboundHandlerAdapter() {
              long count;

              @Override
              public void channelActive(ChannelHandlerContext ctx) {
                accepted.complete(ctx.channel());
              }

              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                count += ((ByteBuf) msg).readableBytes();
                ((ByteBuf) msg).release();
              }

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) {
                  counted.complete(count);
                  ctx.close();
                }
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                counted.complete(count);
              }
            })
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .sync()
        .channel();
  }

  private final CompletableFuture<Long> counted = new CompletableFuture<>();
  private final CompletableFuture<Channel> accepted = new CompletableFuture<>();
  private Channel connected;

  private MeshSocket connect(Channel to) throws InterruptedException {
    return connect(to, ByteBufAllocator.DEFAULT);
  }

  private MeshSocket connect(Channel to, ByteBufAllocator alloc) throws InterruptedException {
    SocketBridge bridge = new SocketBridge("test / " + to.localAddress());
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.ALLOCATOR, alloc)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.SO_SNDBUF, 16 * 1024)
            .handler(bridge)
            .connect(to.localAddress())
            .sync()
            .channel();
    connected = ch;
    return bridge.socket(ch, TcpConnectionMetrics.NOOP);
  }

  @Test
  void aCloseRightAfterWritingStillSendsEveryByte() throws Exception {
    Channel server = countingServer();
    try {
      MeshSocket socket = connect(server);
      byte[] chunk = new byte[64 * 1024];
      // The server does not read yet, and both kernel buffers are small: most of these 1.5 MiB
      // wait in the channel (below its 2 MiB high mark, so no write waits for the server).
      long written = 0;
      for (int i = 0; i < 24; i++) {
        socket.output().write(chunk);
        written += chunk.length;
      }
      socket.close();
      accepted.get(5, TimeUnit.SECONDS).config().setAutoRead(true);
      assertThat(counted.get(30, TimeUnit.SECONDS)).isEqualTo(written);
    } finally {
      server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void bytesNobodyReadsAreReleasedAtCloseAndReadingAfterItFails() throws Exception {
    // A server that sends 256 KiB at once, which the client never reads.
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelActive(ChannelHandlerContext ctx) {
                    ctx.writeAndFlush(ctx.alloc().buffer(256 * 1024).writeZero(256 * 1024));
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    try {
      // An allocator that counts the memory of its live buffers: the client's reads come from it.
      UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
      MeshSocket socket = connect(server, alloc);
      byte[] first = new byte[10];
      assertThat(socket.input().read(first)).isPositive(); // the rest waits in the bridge
      assertThat(used(alloc)).as("held by the bridge").isPositive();
      socket.close();
      assertThatThrownBy(() -> socket.input().read(first))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("is closed");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (used(alloc) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(used(alloc)).as("released").isZero();
    } finally {
      server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  private static long used(UnpooledByteBufAllocator alloc) {
    return alloc.metric().usedDirectMemory() + alloc.metric().usedHeapMemory();
  }

  @Test
  void aCloseFromAnotherThreadEndsAWaitingReadAtOnceWhileAWriteIsStillOnItsWay() throws Exception {
    Channel server = countingServer(); // never reads, never sends
    try {
      MeshSocket socket = connect(server);
      socket.output().write(new byte[1 << 20]); // stays in the channel: the server does not read
      CompletableFuture<Throwable> reader =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new IllegalStateException("read returned " + socket.input().read());
                } catch (IOException e) {
                  return e;
                }
              });
      Thread.sleep(200); // the reader is waiting
      socket.close();
      // Well before the close's 10 s of grace for the pending write.
      assertThat(reader.get(3, TimeUnit.SECONDS))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("is closed");
    } finally {
      server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aWriteThatWouldBlockItsOwnEventLoopFailsInsteadOfHangingIt() throws Exception {
    SocketBridge bridge = new SocketBridge("test / 127.0.0.1");
    client.pipeline().addLast(bridge);
    MeshSocket socket = bridge.socket(client, TcpConnectionMetrics.NOOP);
    OutputStream out = socket.output();
    byte[] chunk = new byte[64 * 1024];

    // From the channel's own loop, writing until the buffer is full (bounded: 512 MiB at most).
    IOException failure =
        group
            .submit(
                () -> {
                  for (int i = 0; i < 8 * 1024; i++) {
                    try {
                      out.write(chunk);
                    } catch (IOException e) {
                      return e;
                    }
                  }
                  return null;
                })
            .get(30, TimeUnit.SECONDS);

    assertThat(failure).isNotNull();
    assertThat(failure).hasMessageContaining("its own event loop").hasMessageContaining("test");
    // The loop was not blocked: it still runs tasks.
    assertThat(group.submit(() -> "alive").get(5, TimeUnit.SECONDS)).isEqualTo("alive");
  }
}
