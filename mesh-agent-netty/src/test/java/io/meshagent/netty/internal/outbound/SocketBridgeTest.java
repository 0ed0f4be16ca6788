package io.meshagent.netty.internal.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.traffic.MeshSocket;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The blocking stream over a channel: writes pipeline, and never block the channel's own loop. */
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

  @AfterEach
  void stop() {
    client.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
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
