package io.meshagent.netty.internal.hbone;

import static io.meshagent.netty.internal.hbone.HboneFixture.PRODUCTPAGE;
import static io.meshagent.netty.internal.hbone.HboneFixture.REVIEWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshagent.core.testing.NonBlockingThreads;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.tls.WorkloadTls;
import io.meshagent.netty.testing.LeakCheck;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HBONE client's pool (istio/ztunnel {@code src/proxy/pool.rs}): sharing, the per-connection
 * stream limit and the peer's MAX_CONCURRENT_STREAMS, keys, idle release; and back-pressure through
 * a tunnel to an app that stops reading.
 */
class HboneClientTest {
  @TempDir Path dir;
  HboneFixture fx;
  WorkloadTls serverTls;
  WorkloadTls clientTls;
  InetSocketAddress app;

  @BeforeAll
  static void checks() throws Exception {
    NonBlockingThreads.install();
    LeakCheck.install();
  }

  @BeforeEach
  void setUp() throws Exception {
    fx = new HboneFixture(dir);
    serverTls = fx.tls(REVIEWS, List.of("h2"));
    clientTls = fx.tls(PRODUCTPAGE, List.of("h2"));
    app = fx.echoApp();
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
    assertThat(NonBlockingThreads.violations()).isEmpty();
    assertThat(LeakCheck.leaks()).isEmpty();
  }

  private HboneServer server(int maxStreams) {
    return fx.server(
        serverTls, maxStreams, HboneSettings.PING_INTERVAL, HboneSettings.PING_TIMEOUT);
  }

  private HboneClient client(Duration idle) {
    return fx.closeLater(new HboneClient(clientTls, () -> PRODUCTPAGE, fx.group, idle));
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private List<HboneTunnel> open(HboneClient c, InetSocketAddress hbone, int n) throws Exception {
    List<CompletableFuture<HboneTunnel>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fs.add(c.connect(hbone, app));
    }
    List<HboneTunnel> ts = new ArrayList<>();
    for (CompletableFuture<HboneTunnel> f : fs) {
      ts.add(get(f));
    }
    return ts;
  }

  private static Set<Channel> parents(List<HboneTunnel> ts) {
    Set<Channel> s = new HashSet<>();
    ts.forEach(t -> s.add(t.channel().parent()));
    return s;
  }

  @Test
  void twoConnectsShareOneConnectionAndThe101stOpensASecond() throws Exception {
    HboneServer server = server(HboneSettings.SERVER_MAX_STREAMS);
    InetSocketAddress hbone = server.bind(new InetSocketAddress("127.0.0.1", 0));
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    List<HboneTunnel> two = open(c, hbone, 2);
    assertThat(parents(two)).hasSize(1);
    List<HboneTunnel> more = open(c, hbone, 99);
    List<HboneTunnel> all = new ArrayList<>(two);
    all.addAll(more);
    assertThat(parents(all)).hasSize(2);
    assertThat(c.connectionCount()).isEqualTo(2);
    assertThat(server.connectionCount()).isEqualTo(2);
    long onFirst =
        all.stream().filter(t -> t.channel().parent() == two.get(0).channel().parent()).count();
    assertThat(onFirst).isEqualTo(100);
    all.forEach(t -> t.channel().close());
  }

  @Test
  void neverMoreStreamsThanThePeersMaxConcurrentStreams() throws Exception {
    InetSocketAddress hbone = server(5).bind(new InetSocketAddress("127.0.0.1", 0));
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    List<HboneTunnel> first = open(c, hbone, 1); // learns the peer's SETTINGS
    List<HboneTunnel> rest = open(c, hbone, 5);
    List<HboneTunnel> all = new ArrayList<>(first);
    all.addAll(rest);
    assertThat(parents(all)).hasSize(2);
    all.forEach(t -> t.channel().close());
  }

  /**
   * A burst on a new pool key reserves its streams before the peer's SETTINGS say how many it
   * takes: those beyond the limit move to further connections once it is known, instead of queueing
   * on the first.
   */
  @Test
  void aColdBurstIsSpreadOnceThePeersLimitIsKnown() throws Exception {
    InetSocketAddress hbone = server(3).bind(new InetSocketAddress("127.0.0.1", 0));
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    List<HboneTunnel> all = open(c, hbone, 7);
    Map<Channel, Long> perConnection =
        all.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    t -> t.channel().parent(), java.util.stream.Collectors.counting()));
    assertThat(perConnection.values()).allMatch(n -> n <= 3);
    assertThat(perConnection).hasSize(3);
    all.forEach(t -> t.channel().close());
  }

  @Test
  void aPeerThatTakesNoStreamsFailsTheConnectAndKeepsNoConnection() throws Exception {
    InetSocketAddress hbone = server(0).bind(new InetSocketAddress("127.0.0.1", 0));
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    assertThatThrownBy(() -> get(c.connect(hbone, app)))
        .cause()
        .hasMessageContaining("allows no streams (MAX_CONCURRENT_STREAMS 0)");
    await().atMost(Duration.ofSeconds(10)).until(() -> c.connectionCount() == 0);
  }

  @Test
  void differentKeysDoNotShareAndExpectedIdentitiesAreEnforced() throws Exception {
    InetSocketAddress hbone =
        server(HboneSettings.SERVER_MAX_STREAMS).bind(new InetSocketAddress("127.0.0.1", 0));
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    HboneTunnel a = get(c.connect(hbone, Set.of(REVIEWS), null, app));
    HboneTunnel b = get(c.connect(hbone, Set.of(), InetAddress.getByName("127.0.0.1"), app));
    assertThat(a.channel().parent()).isNotSameAs(b.channel().parent());
    SpiffeId other = SpiffeId.parse("spiffe://cluster.local/ns/default/sa/ratings");
    assertThatThrownBy(() -> get(c.connect(hbone, Set.of(other), null, app)))
        .cause()
        .hasMessageContaining("is not one of");
  }

  /**
   * Each field of the pool key alone keeps two tunnels apart (ztunnel's {@code WorkloadKey}): a
   * tunnel differing from the first in that field only gets its own connection, while one with the
   * same key shares the first's.
   */
  @ParameterizedTest
  @ValueSource(strings = {"same", "source", "destinationIdentities", "nextHop", "sourceIp"})
  void everyFieldOfThePoolKeyAloneSeparatesConnections(String field) throws Exception {
    InetSocketAddress hbone =
        server(HboneSettings.SERVER_MAX_STREAMS).bind(new InetSocketAddress("127.0.0.1", 0));
    InetSocketAddress otherHop =
        server(HboneSettings.SERVER_MAX_STREAMS).bind(new InetSocketAddress("127.0.0.1", 0));
    java.util.concurrent.atomic.AtomicReference<SpiffeId> source =
        new java.util.concurrent.atomic.AtomicReference<>(PRODUCTPAGE);
    HboneClient c =
        fx.closeLater(new HboneClient(clientTls, source::get, fx.group, HboneClient.DEFAULT_IDLE));
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    HboneTunnel first = get(c.connect(hbone, Set.of(REVIEWS), loopback, app));
    HboneTunnel second =
        switch (field) {
          case "same" -> get(c.connect(hbone, Set.of(REVIEWS), loopback, app));
          case "source" -> {
            source.set(SpiffeId.parse("spiffe://cluster.local/ns/default/sa/details"));
            yield get(c.connect(hbone, Set.of(REVIEWS), loopback, app));
          }
          case "destinationIdentities" -> get(c.connect(hbone, Set.of(), loopback, app));
          case "nextHop" -> get(c.connect(otherHop, Set.of(REVIEWS), loopback, app));
          case "sourceIp" -> get(c.connect(hbone, Set.of(REVIEWS), null, app));
          default -> throw new IllegalArgumentException(field);
        };
    if (field.equals("same")) {
      assertThat(second.channel().parent()).isSameAs(first.channel().parent());
    } else {
      assertThat(second.channel().parent()).isNotSameAs(first.channel().parent());
    }
    first.channel().close();
    second.channel().close();
  }

  @Test
  void theServersBaggageInThe200ReachesTheTunnel() throws Exception {
    String baggage =
        "k8s.namespace.name=default,k8s.deployment.name=reviews-v1,service.name=reviews";
    HboneServer withBaggage =
        fx.closeLater(
            new HboneServer(
                serverTls,
                (id, dst) -> true,
                HboneServer.LOOPBACK,
                HboneServer.LocalServices.NONE,
                () -> baggage,
                fx.group));
    InetSocketAddress hbone = withBaggage.bind(new InetSocketAddress("127.0.0.1", 0));
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    HboneTunnel t = get(c.connect(hbone, app));
    assertThat(t.channel().attr(HboneTunnel.BAGGAGE).get()).isEqualTo(baggage);
    HboneTunnel without =
        get(c.connect(server(10).bind(new InetSocketAddress("127.0.0.1", 0)), app));
    assertThat(without.channel().attr(HboneTunnel.BAGGAGE).get()).isNull();
    t.channel().close();
    without.channel().close();
  }

  @Test
  void baggageThatIsNotAFieldValueIsLeftOutAndTheTunnelStillOpens() throws Exception {
    HboneServer broken =
        fx.closeLater(
            new HboneServer(
                serverTls,
                (id, dst) -> true,
                HboneServer.LOOPBACK,
                HboneServer.LocalServices.NONE,
                () -> "service.name=a\r\nx-injected: 1",
                fx.group));
    InetSocketAddress hbone = broken.bind(new InetSocketAddress("127.0.0.1", 0));
    HboneTunnel t = get(client(HboneClient.DEFAULT_IDLE).connect(hbone, app));
    assertThat(t.channel().attr(HboneTunnel.BAGGAGE).get()).isNull();
    t.channel().close();
  }

  @Test
  void aServerThatRefusesOurCertificateAfterTheHandshakeIsReportedWithItsAlert() throws Exception {
    // TLS 1.3: our handshake is done before the server judges our certificate; its alert comes
    // after, and must not read as a mere "closed".
    // The server's clock is two days ahead: our one-day certificate has expired by it.
    io.meshagent.netty.internal.tls.WorkloadTls ahead =
        fx.closeLater(
            new io.meshagent.netty.internal.tls.WorkloadTls(
                fx.identity(REVIEWS, "ca"),
                io.meshagent.netty.internal.tls.TlsEngine.preferred(),
                List.of("h2"),
                List.of("h2"),
                java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofDays(2)),
                Runnable::run));
    HboneServer strict =
        fx.closeLater(new HboneServer(ahead, (id, dst) -> true, HboneServer.LOOPBACK, fx.group));
    InetSocketAddress hbone = strict.bind(new InetSocketAddress("127.0.0.1", 0));
    assertThatThrownBy(() -> get(client(HboneClient.DEFAULT_IDLE).connect(hbone, app)))
        .cause()
        .isInstanceOf(HboneException.class)
        .hasMessageContaining("TLS")
        .hasMessageContaining("CERTIFICATE_EXPIRED");
  }

  @Test
  void aRefusedServerCertificateIsReportedWithTheReason() throws Exception {
    HboneServer rogue =
        fx.closeLater(
            new HboneServer(
                fx.tls(REVIEWS, "rogue-ca", List.of("h2")),
                (id, dst) -> true,
                HboneServer.LOOPBACK,
                fx.group));
    InetSocketAddress hbone = rogue.bind(new InetSocketAddress("127.0.0.1", 0));
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    // Not just "connection closed": the caller (and the UF line of the request) learns why.
    assertThatThrownBy(() -> get(c.connect(hbone, app)))
        .cause()
        .isInstanceOf(HboneException.class)
        .hasMessageContaining("TLS with " + hbone + " failed")
        .hasMessageContaining("does not chain to the mesh roots of cluster.local");
    await().atMost(Duration.ofSeconds(10)).until(() -> c.connectionCount() == 0);
  }

  @Test
  void idleConnectionsAreReleased() throws Exception {
    HboneServer server = server(HboneSettings.SERVER_MAX_STREAMS);
    InetSocketAddress hbone = server.bind(new InetSocketAddress("127.0.0.1", 0));
    HboneClient c = client(Duration.ofMillis(300));
    HboneTunnel t = get(c.connect(hbone, app));
    assertThat(c.connectionCount()).isEqualTo(1);
    t.channel().close();
    await().atMost(Duration.ofSeconds(10)).until(() -> c.connectionCount() == 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
  }

  @Test
  void aFailedConnectIsReportedAndFreesItsSlot() throws Exception {
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    InetSocketAddress nothing;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nothing = new InetSocketAddress("127.0.0.1", s.getLocalPort());
    }
    assertThatThrownBy(() -> get(c.connect(nothing, app)))
        .cause()
        .isInstanceOf(HboneException.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> c.connectionCount() == 0);
  }

  @Test
  void anAppThatStopsReadingStopsTheSenderAndLosesNothing() throws Exception {
    List<io.netty.channel.socket.SocketChannel> appConns =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    HboneFixture.Collector sink = new HboneFixture.Collector();
    InetSocketAddress paused =
        fx.app(
            ch -> {
              ch.config().setAutoRead(false);
              ch.pipeline().addLast(sink);
              appConns.add(ch);
            });
    InetSocketAddress hbone =
        server(HboneSettings.SERVER_MAX_STREAMS).bind(new InetSocketAddress("127.0.0.1", 0));
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    HboneTunnel t = get(c.connect(hbone, paused));
    long total = 64L * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    byte[] chunk = new byte[64 * 1024];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) i;
    }
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (t.channel().isWritable() && written.get() < total) {
            t.channel().write(Unpooled.wrappedBuffer(chunk));
            written.addAndGet(chunk.length);
          }
          t.channel().flush();
          if (written.get() >= total) {
            t.shutdownOutput();
          }
        };
    t.channel()
        .pipeline()
        .addLast(
            new io.netty.channel.ChannelInboundHandlerAdapter() {
              @Override
              public void channelWritabilityChanged(io.netty.channel.ChannelHandlerContext ctx) {
                if (ctx.channel().isWritable() && written.get() < total) {
                  pump[0].run();
                }
              }
            });
    t.channel().eventLoop().execute(pump[0]);
    await().atMost(Duration.ofSeconds(20)).until(() -> !t.channel().isWritable());
    long[] last = {-1};
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              long now = written.get();
              boolean still = now == last[0];
              last[0] = now;
              return still;
            });
    long stuck = written.get();
    assertThat(stuck).as("bounded by windows and buffers").isLessThan(32L * 1024 * 1024);
    appConns.get(0).config().setAutoRead(true);
    byte[] got = sink.eof.get(60, TimeUnit.SECONDS);
    assertThat((long) got.length).isEqualTo(total);
    for (int i = 0; i < got.length; i++) {
      if (got[i] != (byte) (i % chunk.length)) {
        throw new AssertionError("byte " + i + " differs");
      }
    }
    t.channel().close();
  }

  @Test
  void aClientThatStopsReadingStopsTheAppAndLosesNothing() throws Exception {
    long total = 64L * 1024 * 1024;
    byte[] chunk = new byte[64 * 1024];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) i;
    }
    AtomicLong written = new AtomicLong();
    InetSocketAddress talker =
        fx.app(
            ch -> {
              Runnable pump =
                  () -> {
                    while (ch.isWritable() && written.get() < total) {
                      ch.write(Unpooled.wrappedBuffer(chunk));
                      written.addAndGet(chunk.length);
                    }
                    ch.flush();
                    if (written.get() >= total) {
                      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ch.shutdownOutput());
                    }
                  };
              ch.pipeline()
                  .addLast(
                      new io.netty.channel.ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
                          pump.run();
                        }

                        @Override
                        public void channelWritabilityChanged(
                            io.netty.channel.ChannelHandlerContext ctx) {
                          if (ctx.channel().isWritable() && written.get() < total) {
                            pump.run();
                          }
                        }
                      });
            });
    InetSocketAddress hbone =
        server(HboneSettings.SERVER_MAX_STREAMS).bind(new InetSocketAddress("127.0.0.1", 0));
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    HboneTunnel t = get(c.connect(hbone, talker)); // not reading yet
    await().atMost(Duration.ofSeconds(20)).until(() -> written.get() > 0);
    long[] last = {-1};
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              long now = written.get();
              boolean still = now == last[0];
              last[0] = now;
              return still;
            });
    assertThat(written.get()).as("bounded by windows and buffers").isLessThan(32L * 1024 * 1024);
    HboneFixture.Collector sink = new HboneFixture.Collector();
    t.start(sink);
    byte[] got = sink.eof.get(60, TimeUnit.SECONDS);
    assertThat((long) got.length).isEqualTo(total);
    for (int i = 0; i < got.length; i++) {
      if (got[i] != (byte) (i % chunk.length)) {
        throw new AssertionError("byte " + i + " differs");
      }
    }
    t.channel().close();
  }

  @Test
  void theClientSendsNoSniAndOffersOnlyH2() throws Exception {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.netty.handler.ssl.SslContext serverCtx = serverTls.serverContext();
    io.netty.channel.Channel listener =
        new io.netty.bootstrap.ServerBootstrap()
            .group(fx.group)
            .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
            .childHandler(
                new io.netty.channel.ChannelInitializer<io.netty.channel.socket.SocketChannel>() {
                  @Override
                  protected void initChannel(io.netty.channel.socket.SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new io.netty.handler.ssl.SniHandler(
                                (io.netty.util.Mapping<String, io.netty.handler.ssl.SslContext>)
                                    host -> {
                                      seen.add(host == null ? "<no SNI>" : host);
                                      return serverCtx;
                                    }));
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    fx.closeLater(() -> listener.close().sync());
    HboneClient c = client(HboneClient.DEFAULT_IDLE);
    CompletableFuture<HboneTunnel> f = c.connect((InetSocketAddress) listener.localAddress(), app);
    await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
    assertThat(seen).containsExactly("<no SNI>");
    c.close();
    assertThatThrownBy(() -> get(f)).isNotNull();
  }
}
