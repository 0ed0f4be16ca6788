package io.meshagent.benchmarks.tls;

import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.KeyPairs;
import io.meshagent.core.internal.identity.SpiffePeerVerifier;
import io.meshagent.core.internal.identity.SpiffeTrustManager;
import io.meshagent.core.internal.identity.dev.DevCertificateAuthority;
import io.meshagent.identity.KeyAlgorithm;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.tls.MeshSslContexts;
import io.meshagent.netty.internal.tls.TlsEngine;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Full mTLS 1.3 handshakes between two workload identities over loopback, with the agent's own
 * contexts (SPIFFE verification included), for each engine and key type. The score is handshakes
 * per CPU-second of the whole process — client and server work together — i.e. per core. Every run
 * is bounded in count and time.
 *
 * <p>Run: {@code ./mvnw -q -B -pl benchmarks exec:exec@handshakes}; arguments {@code [count]
 * [engine] [key]} restrict the table, for profiling one configuration.
 */
public final class HandshakeHarness {
  private HandshakeHarness() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int concurrency = 16;
    System.out.printf(
        "%-10s %-9s %12s %14s %12s%n", "engine", "key", "handshakes", "per CPU-s", "wall/s");
    String onlyEngine = args.length > 1 ? args[1] : "";
    String onlyKey = args.length > 2 ? args[2] : "";
    for (TlsEngine engine : TlsEngine.values()) {
      for (KeyAlgorithm key : KeyAlgorithm.values()) {
        if ((!onlyEngine.isEmpty() && !engine.name().equals(onlyEngine))
            || (!onlyKey.isEmpty() && !key.name().equals(onlyKey))) {
          continue;
        }
        run(engine, key, count / 4, concurrency); // warm-up
        double[] r = run(engine, key, count, concurrency);
        System.out.printf("%-10s %-9s %12d %14.0f %12.0f%n", engine, key, count, r[0], r[1]);
      }
    }
  }

  private static WorkloadCertificate issue(Path dir, String sa, KeyAlgorithm key) throws Exception {
    SpiffeId id = SpiffeId.ofIstio("cluster.local", "default", sa);
    return new DevCertificateAuthority(
            dir, id, Duration.ofHours(24), Runnable::run, Clock.systemUTC())
        .issue(KeyPairs.generate(key))
        .get();
  }

  /** Returns {handshakes per CPU-second, handshakes per wall-second}. */
  private static double[] run(TlsEngine engine, KeyAlgorithm key, int count, int concurrency)
      throws Exception {
    Path dir = Files.createTempDirectory("mesh-agent-bench-ca");
    WorkloadCertificate s = issue(dir, "reviews", key);
    WorkloadCertificate c = issue(dir, "productpage", key);
    SpiffePeerVerifier verifier = new SpiffePeerVerifier("cluster.local", s.trustBundles());
    SpiffeTrustManager trust = new SpiffeTrustManager(() -> verifier, Clock.systemUTC());
    SslContext server = MeshSslContexts.server(s, trust, engine, List.of());
    SslContext client = MeshSslContexts.client(c, trust, engine, List.of());
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      Channel listener =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(server.newHandler(ch.alloc()));
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
      Bootstrap b =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(client.newHandler(ch.alloc(), "reviews", 15008));
                    }
                  });
      var os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long wall0 = System.nanoTime();
      long deadline = wall0 + TimeUnit.SECONDS.toNanos(120);
      int done = 0;
      while (done < count && System.nanoTime() < deadline) {
        List<Channel> batch = new ArrayList<>(concurrency);
        List<Future<Channel>> handshakes = new ArrayList<>(concurrency);
        for (int i = 0; i < concurrency && done + i < count; i++) {
          Channel ch = b.connect(listener.localAddress()).sync().channel();
          batch.add(ch);
          handshakes.add(ch.pipeline().get(SslHandler.class).handshakeFuture());
        }
        for (Future<Channel> h : handshakes) {
          if (!h.await(10, TimeUnit.SECONDS) || !h.isSuccess()) {
            throw new IllegalStateException("handshake failed", h.cause());
          }
        }
        for (Channel ch : batch) {
          ch.close().sync();
        }
        done += batch.size();
      }
      long cpu = os.getProcessCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      listener.close().sync();
      return new double[] {done / (cpu / 1e9), done / (wall / 1e9)};
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
