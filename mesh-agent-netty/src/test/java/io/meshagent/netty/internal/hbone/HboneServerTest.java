package io.meshagent.netty.internal.hbone;

import static io.meshagent.netty.internal.hbone.HboneFixture.PRODUCTPAGE;
import static io.meshagent.netty.internal.hbone.HboneFixture.REVIEWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshagent.core.testing.LogLines;
import io.meshagent.core.testing.NonBlockingThreads;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.tls.WorkloadTls;
import io.meshagent.netty.testing.LeakCheck;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HBONE server's answers, one test per fact of ztunnel's inbound (istio/ztunnel {@code
 * src/proxy/inbound.rs}): 200 only after the upstream connect, byte-exact relay, half-close both
 * ways, 400/401/503, the TLS and ALPN requirements, and streams beyond MAX_CONCURRENT_STREAMS.
 */
class HboneServerTest {
  @TempDir Path dir;
  HboneFixture fx;
  WorkloadTls serverTls;
  WorkloadTls clientTls;
  final List<SpiffeId> authorizedPeers = new CopyOnWriteArrayList<>();
  volatile HboneAuthorizer policy = (peer, dst) -> true;
  HboneServer server;
  InetSocketAddress hbone;
  HboneClient client;

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
    server =
        fx.closeLater(
            new HboneServer(
                serverTls,
                (peer, dst) -> {
                  authorizedPeers.add(peer);
                  return policy.allow(peer, dst);
                },
                HboneServer.LOOPBACK,
                fx.group));
    hbone = server.bind(new InetSocketAddress("127.0.0.1", 0));
    client =
        fx.closeLater(
            new HboneClient(clientTls, () -> PRODUCTPAGE, fx.group, Duration.ofMinutes(5)));
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
    assertThat(NonBlockingThreads.violations()).isEmpty();
    assertThat(LeakCheck.leaks()).isEmpty();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  private HboneFixture.Collector attach(HboneTunnel t) {
    HboneFixture.Collector c = new HboneFixture.Collector();
    t.start(c);
    return c;
  }

  @Test
  void connectEchoesOneMebibyteExactlyAndHalfClosesBothWays() throws Exception {
    InetSocketAddress app = fx.echoApp();
    HboneTunnel t = get(client.connect(hbone, app));
    HboneFixture.Collector c = attach(t);
    byte[] payload = new byte[1024 * 1024];
    new Random(42).nextBytes(payload);
    for (int off = 0; off < payload.length; off += 100_000) {
      t.writeAndFlush(
          Unpooled.wrappedBuffer(payload, off, Math.min(100_000, payload.length - off)));
    }
    t.shutdownOutput(); // END_STREAM -> FIN to the app -> the app's FIN -> END_STREAM to us
    assertThat(get(c.eof)).isEqualTo(payload);
    get(c.closed);
    assertThat(authorizedPeers).containsExactly(PRODUCTPAGE);

    SslHandler ssl = t.channel().parent().pipeline().get(SslHandler.class);
    assertThat(ssl.applicationProtocol()).isEqualTo("h2");
    assertThat(ssl.engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void appHalfClosesFirstAndTheClientCanStillSend() throws Exception {
    HboneFixture.Collector appSide = new HboneFixture.Collector();
    InetSocketAddress app =
        fx.app(
            ch -> {
              ch.pipeline().addLast(appSide);
              ch.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8))
                  .addListener(f -> ch.shutdownOutput());
            });
    HboneTunnel t = get(client.connect(hbone, app));
    HboneFixture.Collector c = attach(t);
    assertThat(new String(get(c.eof), StandardCharsets.UTF_8)).isEqualTo("hello");
    t.writeAndFlush(Unpooled.copiedBuffer("still here", StandardCharsets.UTF_8));
    t.shutdownOutput();
    assertThat(new String(get(appSide.eof), StandardCharsets.UTF_8)).isEqualTo("still here");
    get(c.closed);
  }

  @Test
  void twoHundredOnlyAfterTheUpstreamConnectAnd503WhenItIsRefused() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    var f = client.connect(hbone, new InetSocketAddress("127.0.0.1", closedPort));
    assertThatThrownBy(() -> get(f))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(HboneException.class)
        .hasMessageContaining("status 503")
        .satisfies(e -> assertThat(((HboneException) e).status()).isEqualTo(503));
  }

  @Test
  void deniedByPolicyIs401AndAThrowingPolicyDenies() throws Exception {
    InetSocketAddress app = fx.echoApp();
    policy = (peer, dst) -> false;
    assertThatThrownBy(() -> get(client.connect(hbone, app)))
        .cause()
        .hasMessageContaining("status 401");
    policy =
        (peer, dst) -> {
          throw new IllegalStateException("policy engine broken");
        };
    assertThatThrownBy(() -> get(client.connect(hbone, app)))
        .cause()
        .hasMessageContaining("status 401");
    policy = (peer, dst) -> dst.getPort() == app.getPort() && peer.equals(PRODUCTPAGE);
    HboneTunnel ok = get(client.connect(hbone, app));
    ok.channel().close();
  }

  private RawH2 raw() throws Exception {
    RawH2 r = new RawH2(fx.group, clientTls.clientContext(), hbone);
    fx.closeLater(r);
    get(r.settingsAcked);
    return r;
  }

  private static Http2Headers connect(String authority) {
    return new DefaultHttp2Headers().method("CONNECT").authority(authority);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "path",
        "scheme",
        "GET",
        "no-port",
        "name",
        "bare-v6",
        "port-0",
        "127.0.0.1:15008",
        "127.0.0.1:15001",
        "127.0.0.1:15006",
        "own-port",
        "127.0.0.2:mismatch"
      })
  void badRequestsAre400AndLeaveTheConnectionUsable(String kind) throws Exception {
    InetSocketAddress app = fx.echoApp();
    String good = "127.0.0.1:" + app.getPort();
    Http2Headers h =
        switch (kind) {
          case "path" -> connect(good).path("/");
          case "scheme" -> connect(good).scheme("https");
          case "GET" -> new DefaultHttp2Headers().method("GET").authority(good);
          case "no-port" -> connect("127.0.0.1");
          case "name" -> connect("reviews.default.svc:" + app.getPort());
          case "bare-v6" -> connect("::1:" + app.getPort());
          case "port-0" -> connect("127.0.0.1:0");
          case "127.0.0.2:mismatch" -> connect("127.0.0.2:" + app.getPort());
          case "own-port" -> connect("127.0.0.1:" + hbone.getPort()); // bound elsewhere than 15008
          default -> connect(kind);
        };
    RawH2 r = raw();
    try (LogLines logs = LogLines.capture()) {
      assertThat(get(r.send(1, h))).isEqualTo(new RawH2.Answer(400, -1));
      logs.awaitLineWith("HBONE CONNECT from " + r.channel.localAddress(), "refused with 400");
    }
    assertThat(get(r.send(3, connect(good))).status()).isEqualTo(200);
    r.data(3, "after".getBytes(StandardCharsets.UTF_8), false);
    await().atMost(Duration.ofSeconds(10)).until(() -> r.received(3).equals("after"));
  }

  @Test
  void aFloodBeyondMaxConcurrentStreamsIsRefusedWithoutHurtingALiveStream() throws Exception {
    InetSocketAddress app = fx.echoApp();
    String good = "127.0.0.1:" + app.getPort();
    RawH2 r = raw();
    assertThat(get(r.send(1, connect(good))).status()).isEqualTo(200);
    List<CompletableFuture<RawH2.Answer>> flood = new java.util.ArrayList<>();
    try (LogLines logs = LogLines.capture()) {
      for (int i = 0; i < 250; i++) {
        flood.add(r.send(3 + 2 * i, connect(good)));
      }
      CompletableFuture.allOf(flood.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
      // The first refusal of the connection is logged, with the peer; not all 51.
      logs.awaitLineWith(
          "HBONE connection from " + r.channel.localAddress(),
          "refused, over MAX_CONCURRENT_STREAMS 200 (1 refused so far)");
      assertThat(logs.lines()).filteredOn(l -> l.contains("MAX_CONCURRENT_STREAMS")).hasSize(1);
    }
    long ok = flood.stream().filter(f -> f.join().status() == 200).count();
    long refused =
        flood.stream()
            .filter(f -> f.join().resetCode() == Http2Error.REFUSED_STREAM.code())
            .count();
    assertThat(ok).isEqualTo(199);
    assertThat(refused).isEqualTo(51);
    r.data(1, "alive".getBytes(StandardCharsets.UTF_8), false);
    await().atMost(Duration.ofSeconds(10)).until(() -> r.received(1).equals("alive"));
    // Another connection is unaffected too.
    HboneTunnel t = get(client.connect(hbone, app));
    t.channel().close();
  }

  /**
   * The keep-alive on a real connection: a peer that stops answering PINGs is closed after the
   * timeout and logged, while a peer that answers, on the same server, keeps its connection.
   */
  @Test
  void aPeerThatStopsAnsweringPingsIsClosedAndTheOthersStay() throws Exception {
    HboneServer quick =
        fx.server(
            serverTls,
            HboneSettings.SERVER_MAX_STREAMS,
            Duration.ofMillis(200),
            Duration.ofMillis(600));
    InetSocketAddress at = quick.bind(new InetSocketAddress("127.0.0.1", 0));
    RawH2 answering = new RawH2(fx.group, clientTls.clientContext(), at);
    RawH2 silent = new RawH2(fx.group, clientTls.clientContext(), at);
    fx.closeLater(answering);
    fx.closeLater(silent);
    get(answering.settingsAcked);
    get(silent.settingsAcked);
    try (LogLines logs = LogLines.capture()) {
      silent.answerPings = false;
      assertThat(silent.channel.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
      logs.awaitLineWith(
          "HBONE connection with " + silent.channel.localAddress(), "no PING answer for");
    }
    assertThat(silent.pings.get()).isPositive();
    assertThat(answering.pings.get()).isGreaterThan(2); // pinged all along, and answered
    assertThat(answering.channel.isActive()).isTrue();
    InetSocketAddress app = fx.echoApp();
    assertThat(get(answering.send(1, connect("127.0.0.1:" + app.getPort()))).status())
        .isEqualTo(200);
  }

  @Test
  void aTlsClientWithoutCertificateIsClosed() throws Exception {
    SslContext noCert =
        io.netty.handler.ssl.SslContextBuilder.forClient()
            .protocols("TLSv1.3")
            .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE)
            .applicationProtocolConfig(
                new io.netty.handler.ssl.ApplicationProtocolConfig(
                    io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                    io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior
                        .NO_ADVERTISE,
                    io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior
                        .ACCEPT,
                    List.of("h2")))
            .build();
    Live live = liveTunnel();
    try (LogLines logs = LogLines.capture()) {
      RawH2 r = new RawH2(fx.group, noCert, hbone);
      fx.closeLater(r);
      assertThat(r.channel.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(r.settingsAcked).isNotDone();
      logs.awaitLineWith(
          "mTLS handshake with " + r.channel.localAddress(), "on " + hbone, "failed: ");
    }
    assertThat(authorizedPeers).containsOnly(PRODUCTPAGE); // the live tunnel's only
    assertStillRelays(live);
  }

  @Test
  void aTls12ClientIsClosed() throws Exception {
    // The workload's own client context (its certificate, h2), held to TLS 1.2.
    SslContext tls12 =
        new io.netty.handler.ssl.DelegatingSslContext(clientTls.clientContext()) {
          @Override
          protected void initEngine(javax.net.ssl.SSLEngine engine) {
            engine.setEnabledProtocols(new String[] {"TLSv1.2"});
          }
        };
    try (LogLines logs = LogLines.capture()) {
      RawH2 r = new RawH2(fx.group, tls12, hbone);
      fx.closeLater(r);
      assertThat(r.channel.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(r.settingsAcked).isNotDone();
      logs.awaitLineWith("mTLS handshake with " + r.channel.localAddress(), "failed: ");
    }
    assertThat(authorizedPeers).isEmpty();
  }

  /** A tunnel to an echo app, kept open across a test's bad input. */
  private record Live(HboneTunnel tunnel, HboneFixture.Collector echoed) {}

  private Live liveTunnel() throws Exception {
    HboneTunnel t = get(client.connect(hbone, fx.echoApp()));
    Live live = new Live(t, attach(t));
    assertStillRelays(live);
    return live;
  }

  /** One more "ping" goes through and comes back. */
  private static void assertStillRelays(Live live) {
    int before = live.echoed().bytes().length;
    live.tunnel().writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(10)).until(() -> live.echoed().bytes().length == before + 4);
  }

  @Test
  void tlsWithoutAlpnH2IsClosed() throws Exception {
    WorkloadTls http11 = fx.tls(PRODUCTPAGE, List.of("http/1.1"));
    try (LogLines logs = LogLines.capture()) {
      RawH2 r = new RawH2(fx.group, http11.clientContext(), hbone);
      fx.closeLater(r);
      assertThat(r.channel.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(r.settingsAcked).isNotDone();
      logs.awaitLineWith(
          "HBONE connection from " + r.channel.localAddress(), "refused: ALPN none instead of h2");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET / HTTP/1.1\r\nHost: reviews\r\n\r\n", "\u0000\u0001garbage\r\n"})
  void plaintextHttp11OrGarbageBeforeTlsIsClosed(String bytes) throws Exception {
    Live live = liveTunnel();
    // Long, so that a log line quoting what was read would show.
    String sent = bytes + "x".repeat(4096);
    try (LogLines logs = LogLines.capture();
        java.net.Socket s = new java.net.Socket("127.0.0.1", hbone.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(sent.getBytes(StandardCharsets.ISO_8859_1));
      int read;
      do {
        read = s.getInputStream().read();
      } while (read >= 0 && read != 'H');
      assertThat(read).as("no HTTP answer, only a TLS alert and a close").isEqualTo(-1);
      String line =
          logs.awaitLineWith(
              "mTLS handshake with " + s.getLocalSocketAddress(), "not an SSL/TLS record");
      assertThat(line).hasSizeLessThan(600);
    }
    assertThat(authorizedPeers).containsOnly(PRODUCTPAGE); // the live tunnel's only
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 1);
    assertStillRelays(live);
  }

  @Test
  void drainSendsGoAwayAndLetsLiveStreamsFinish() throws Exception {
    InetSocketAddress app = fx.echoApp();
    HboneTunnel t = get(client.connect(hbone, app));
    HboneFixture.Collector c = attach(t);
    server.drain();
    await().atMost(Duration.ofSeconds(10)).until(() -> client.connectionCount() == 0);
    t.writeAndFlush(Unpooled.copiedBuffer("after goaway", StandardCharsets.UTF_8));
    t.shutdownOutput();
    assertThat(new String(get(c.eof), StandardCharsets.UTF_8)).isEqualTo("after goaway");
    assertThat(t.channel().parent().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
  }

  @Test
  void settingsAreZtunnels() throws Exception {
    RawH2 r = raw();
    assertThat(r.serverSettings)
        .containsEntry(0x3, 200L) // MAX_CONCURRENT_STREAMS
        .containsEntry(0x4, 4L * 1024 * 1024) // INITIAL_WINDOW_SIZE
        .containsEntry(0x5, 1024L * 1024) // MAX_FRAME_SIZE
        .containsEntry(0x6, 64L * 1024); // MAX_HEADER_LIST_SIZE
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(r.connectionWindowUpdates.stream().mapToLong(Long::longValue).sum())
                    .as("updates %s", r.connectionWindowUpdates)
                    .isEqualTo(16L * 1024 * 1024 - 65_535));

    HboneTunnel t = get(client.connect(hbone, fx.echoApp()));
    Channel parent = t.channel().parent();
    Http2FrameCodec codec = parent.pipeline().get(Http2FrameCodec.class);
    Http2Settings sent = parent.eventLoop().submit(() -> codec.decoder().localSettings()).get();
    assertThat(sent.initialWindowSize()).isEqualTo(4 * 1024 * 1024);
    assertThat(sent.maxFrameSize()).isEqualTo(1024 * 1024);
    assertThat(sent.pushEnabled()).isFalse();
    int window =
        parent
            .eventLoop()
            .submit(
                () ->
                    codec
                        .connection()
                        .local()
                        .flowController()
                        .windowSize(codec.connection().connectionStream()))
            .get();
    assertThat(window).isEqualTo(16 * 1024 * 1024);
    t.channel().close();
  }

  @ParameterizedTest
  @ValueSource(longs = {0x0, 0x8}) // NO_ERROR, CANCEL
  void resetNoErrorOrCancelIsACleanEofForTheApp(long code) throws Exception {
    HboneFixture.Collector appSide = new HboneFixture.Collector();
    InetSocketAddress app = fx.app(ch -> ch.pipeline().addLast(appSide));
    RawH2 r = raw();
    assertThat(get(r.send(1, connect("127.0.0.1:" + app.getPort()))).status()).isEqualTo(200);
    r.data(1, "last words".getBytes(StandardCharsets.UTF_8), false);
    r.reset(1, code);
    assertThat(new String(get(appSide.eof), StandardCharsets.UTF_8)).isEqualTo("last words");
    InetSocketAddress echo = fx.echoApp();
    assertThat(get(r.send(3, connect("127.0.0.1:" + echo.getPort()))).status()).isEqualTo(200);
  }
}
