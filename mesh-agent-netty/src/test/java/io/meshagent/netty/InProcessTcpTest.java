package io.meshagent.netty;

import static io.meshagent.netty.MeshYaml.inboundHttpChain;
import static io.meshagent.netty.MeshYaml.inboundTcpChain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshagent.MeshAgent;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.testing.LeakCheck;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.meshagent.traffic.MeshSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TCP services served in process ({@link MeshDataPlane#serveTcp}) between two agents, over Istio
 * mTLS and over HBONE: the bytes both ways and the half-close, what the handler is told, the
 * inbound checks before it runs (network RBAC, an HTTP chain, no thread), a failing handler, and
 * the TCP metrics of the server's side.
 */
@Timeout(120)
class InProcessTcpTest {
  static final String SERVER_IP = "127.0.0.2";
  static final SpiffeId PRODUCTPAGE =
      SpiffeId.parse("spiffe://cluster.local/ns/default/sa/bookinfo-productpage");
  static final String SAN = "spiffe://cluster.local/ns/default/sa/bookinfo-ratings";
  static final String MTLS = "\"tlsMode\": \"istio\"";

  @TempDir static Path dir;
  static MeshAgent serverAgent;
  static MeshAgent clientAgent;
  static MeshDataPlane server;
  static MeshDataPlane clientPlane;
  static MeshClient client;
  static final AtomicInteger guarded = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    LeakCheck.install();
    Path ca = dir.resolve("ca");
    Path serverYaml = dir.resolve("ratings.json");
    Files.writeString(
        serverYaml,
        new MeshYaml()
            .virtualInbound(
                inboundTcpChain(9001, true),
                inboundTcpChain(9002, true, PRODUCTPAGE.toString().substring("spiffe://".length())),
                inboundTcpChain(9003, true, "cluster.local/ns/default/sa/someone-else"),
                inboundHttpChain(9004, true, "cluster.local/ns/default/sa/bookinfo-productpage"),
                inboundTcpChain(9005, true),
                inboundTcpChain(9006, true),
                inboundTcpChain(9007, true),
                inboundTcpChain(9008, true),
                inboundTcpChain(9009, true),
                inboundTcpChain(9010, false),
                inboundTcpChain(9011, true))
            .render());
    serverAgent = TwoAgents.agent(serverYaml, "ratings-v1", "bookinfo-ratings", ca);
    server = MeshDataPlane.start(serverAgent, DataPlaneOptions.defaults().withEventLoopThreads(2));
    InetSocketAddress any = new InetSocketAddress(SERVER_IP, 0);
    InetSocketAddress echo = server.serveTcp(any, 9001, InProcessTcpTest::echo);
    InetSocketAddress who = server.serveTcp(any, 9002, InProcessTcpTest::who);
    InetSocketAddress denied = server.serveTcp(any, 9003, InProcessTcpTest::guarded);
    InetSocketAddress http = server.serveTcp(any, 9004, InProcessTcpTest::guarded);
    InetSocketAddress failing =
        server.serveTcp(
            any,
            9005,
            (socket, context) -> {
              socket.output().write("partial".getBytes(StandardCharsets.UTF_8));
              throw new IllegalStateException("the app failed");
            });
    InetSocketAddress full =
        server.serveTcp(
            any,
            9006,
            InProcessTcpTest::guarded,
            task -> {
              throw new RejectedExecutionException("no thread left");
            });
    InetSocketAddress greeter = server.serveTcp(any, 9007, InProcessTcpTest::greet);
    InetSocketAddress greeterPlain = server.serveTcp(any, 9010, InProcessTcpTest::greet);
    // HTTP served in process on a port istiod sees as TCP: a TCP client's frame must not reach it.
    InetSocketAddress httpAsTcp =
        server.serveHttp(
            any,
            9011,
            (request, context) ->
                java.util.concurrent.CompletableFuture.completedFuture(
                    MeshHttpResponse.of(200, "hi " + context.peer())));
    InetSocketAddress callerRuns =
        server.serveTcp(any, 9008, InProcessTcpTest::guarded, Runnable::run);
    server.serveTcpOverHbone(9009, InProcessTcpTest::who);
    InetSocketAddress hbone = server.startHbone(any);

    MeshYaml clientConfig = new MeshYaml();
    mtls(clientConfig, "echo", 9001, echo);
    hbone(clientConfig, "echo-hbone", 9001, hbone);
    mtls(clientConfig, "who", 9002, who);
    hbone(clientConfig, "who-hbone", 9002, hbone);
    mtls(clientConfig, "denied", 9003, denied);
    mtls(clientConfig, "http", 9004, http);
    mtls(clientConfig, "failing", 9005, failing);
    mtls(clientConfig, "full", 9006, full);
    mtls(clientConfig, "greeter", 9007, greeter);
    hbone(clientConfig, "greeter-hbone", 9007, hbone);
    String plain = outbound("greeter-plain", 9010);
    clientConfig.cluster(plain, SAN, "").endpoints(plain, "", address(greeterPlain));
    mtls(clientConfig, "caller-runs", 9008, callerRuns);
    mtls(clientConfig, "http-as-tcp", 9011, httpAsTcp);
    hbone(clientConfig, "tunnelled-only", 9009, hbone);
    // 127.0.0.3:1 refuses connections.
    clientConfig
        .cluster(outbound("dead", 9012), SAN, "")
        .endpoints(outbound("dead", 9012), MTLS, "127.0.0.3:1");
    clientConfig
        .httpListener(9004)
        .routes(
            9004,
            MeshYaml.vhost(
                "http",
                List.of("http:9004"),
                MeshYaml.route(
                    "/",
                    "\"cluster\": \"" + outbound("http", 9004) + "\", \"timeout\": \"5s\"",
                    "")));
    Path clientYaml = dir.resolve("productpage.json");
    Files.writeString(clientYaml, clientConfig.render());
    clientAgent = TwoAgents.agent(clientYaml, "productpage-v1", "bookinfo-productpage", ca);
    clientPlane =
        MeshDataPlane.start(clientAgent, DataPlaneOptions.defaults().withEventLoopThreads(2));
    client = clientPlane.client();
  }

  /** {@code service:port} over Istio mTLS to the server's listener for it. */
  private static void mtls(MeshYaml config, String service, int port, InetSocketAddress listener) {
    String name = outbound(service, port);
    config.cluster(name, SAN, "").endpoints(name, MTLS, address(listener));
  }

  /** {@code service:port} over HBONE, through the server's HBONE listener. */
  private static void hbone(MeshYaml config, String service, int port, InetSocketAddress hbone) {
    String name = outbound(service, port);
    config.cluster(name, SAN, "").hboneEndpoint(name, SERVER_IP + ":" + port, address(hbone));
  }

  private static String outbound(String service, int port) {
    return "outbound|" + port + "||" + service + ".default.svc.cluster.local";
  }

  private static String address(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  @AfterAll
  static void stop() {
    clientPlane.close();
    server.close();
    clientAgent.close();
    serverAgent.close();
    assertThat(LeakCheck.leaks()).isEmpty();
  }

  /** Echoes every byte until the client half-closes, then returns (the agent closes). */
  static void echo(MeshSocket socket, InboundContext context) throws IOException {
    InputStream in = socket.input();
    OutputStream out = socket.output();
    byte[] buf = new byte[32 * 1024];
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.write(buf, 0, n);
    }
  }

  /** Says what it was told about the connection, then returns without closing anything. */
  static void who(MeshSocket socket, InboundContext context) throws IOException {
    String told =
        context.peer() + " " + context.transport() + " " + socket.peer() + " " + socket.upstream();
    socket.output().write(told.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads the first five bytes only, answers with what it was told and returns: the client may
   * still be sending.
   */
  static void greet(MeshSocket socket, InboundContext context) throws IOException {
    socket.input().readNBytes(5);
    socket.output().write(("hello " + context.transport()).getBytes(StandardCharsets.UTF_8));
  }

  static void guarded(MeshSocket socket, InboundContext context) {
    guarded.incrementAndGet();
  }

  private static MeshSocket connect(String service, int port) throws Exception {
    return client.connect(service + ".default.svc.cluster.local", port).get(20, TimeUnit.SECONDS);
  }

  /** Everything the server sends until its clean end (a reset fails). */
  private static String readAll(MeshSocket s) throws IOException {
    return new String(s.input().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void bytesArriveExactInBothDirectionsWithHalfCloseOverMtlsAndHbone() throws Exception {
    for (String service : List.of("echo", "echo-hbone")) {
      for (int size : new int[] {1, 1 << 20, 100 << 20}) {
        try (MeshSocket s = connect(service, 9001)) {
          assertThat(TwoAgents.roundTrip(s, size, size)).as(service + " " + size).isTrue();
        }
      }
    }
  }

  @Test
  void theHandlerIsToldTheVerifiedPeerAndWhatItWroteArrivesBeforeTheClose() throws Exception {
    for (String service : List.of("who", "who-hbone")) {
      try (MeshSocket s = connect(service, 9002)) {
        String transport = service.endsWith("hbone") ? "hbone" : "mtls";
        assertThat(readAll(s))
            .as(service)
            .startsWith(PRODUCTPAGE + " " + transport + " " + PRODUCTPAGE + " inbound|9002|| / ");
      }
    }
  }

  @Test
  void manyConnectionsAtOnceEachGetTheirOwnBytes() throws Exception {
    List<MeshSocket> sockets = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        MeshSocket s = connect(i % 2 == 0 ? "echo" : "echo-hbone", 9001);
        sockets.add(s);
        s.output().write(("connection " + i).getBytes(StandardCharsets.UTF_8));
        s.shutdownOutput();
      }
      for (int i = 0; i < sockets.size(); i++) {
        assertThat(readAll(sockets.get(i))).isEqualTo("connection " + i);
      }
    } finally {
      sockets.forEach(MeshSocket::close);
    }
  }

  @Test
  void connectionsTheChecksRefuseNeverReachTheHandler() throws Exception {
    int before = guarded.get();
    awaitServerConnectionsClosed();
    double opened = tcpMetric("istio_tcp_connections_opened_total");
    double closed = tcpMetric("istio_tcp_connections_closed_total");
    // Network RBAC allows another principal only.
    assertRefused("denied", 9003);
    // Counted as Envoy's stats count a connection its RBAC filter closed: opened and closed.
    assertThat(tcpMetric("istio_tcp_connections_opened_total") - opened).isEqualTo(1);
    assertThat(tcpMetric("istio_tcp_connections_closed_total") - closed).isEqualTo(1);
    // No thread for the handler: the executor rejects.
    assertRefused("full", 9006);
    // An executor that runs the handler on the caller's thread, the event loop.
    assertRefused("caller-runs", 9008);
    // An HTTP chain: its HTTP rules cannot be applied to bytes, so the connection is refused and
    // the caller's agent answers 503.
    MeshHttpResponse r =
        client.send(MeshHttpRequest.get("http:9004", "/")).get(20, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(503);
    assertThat(guarded.get()).isEqualTo(before);
    // The server still serves its other ports.
    try (MeshSocket s = connect("who", 9002)) {
      assertThat(readAll(s)).startsWith(PRODUCTPAGE.toString());
    }
  }

  private static void assertRefused(String service, int port) throws Exception {
    MeshSocket s;
    try {
      s = connect(service, port);
    } catch (ExecutionException e) {
      return; // refused during the handshake
    }
    try (s) {
      byte[] buf = new byte[16];
      try {
        assertThat(s.input().read(buf)).as(service).isEqualTo(-1);
      } catch (IOException e) {
        // reset: refused as well
      }
    }
  }

  @Test
  void aFailingHandlerEndsOnlyItsConnectionAfterWhatItWrote() throws Exception {
    try (MeshSocket s = connect("failing", 9005)) {
      assertThat(readAll(s)).isEqualTo("partial");
    }
    try (MeshSocket s = connect("echo", 9001)) {
      assertThat(TwoAgents.roundTrip(s, 4096, 7)).isTrue();
    }
  }

  /**
   * The server's {@code istio_tcp_*} metrics of the connections from productpage, whose workload it
   * learns from Istio's TCP metadata exchange over mTLS (and from the CONNECT's baggage over
   * HBONE).
   */
  /**
   * Waits until every connection the server counted as opened is counted as closed too: the server
   * labels every connection of this class alike, and one of an earlier test may still be closing
   * when a test takes its baseline.
   */
  private static void awaitServerConnectionsClosed() {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(tcpMetric("istio_tcp_connections_closed_total"))
                    .as("a connection of an earlier test never closed on the server")
                    .isEqualTo(tcpMetric("istio_tcp_connections_opened_total")));
  }

  private static double tcpMetric(String name) {
    return Metrics.value(
        server.prometheusText(),
        name,
        Map.of(
            "reporter", "destination",
            "source_workload", "productpage-v1",
            "destination_workload", "ratings-v1",
            "source_principal", PRODUCTPAGE.toString(),
            "connection_security_policy", "mutual_tls"));
  }

  /**
   * A connection that never came up is reported as Istio's stats filter reports it at its end:
   * opened and closed, flagged as tcp_proxy flags a failed connect with no attempt left.
   */
  @Test
  void aFailedConnectIsCountedWithItsFlags() {
    Map<String, String> failed =
        Map.of(
            "reporter", "source",
            "request_protocol", "tcp",
            "response_flags", "UF,URX",
            "destination_service", "dead.default.svc.cluster.local",
            "destination_workload", "unknown",
            "source_principal", "unknown");
    String before = clientPlane.prometheusText();
    double opened = Metrics.value(before, "istio_tcp_connections_opened_total", failed);
    double closed = Metrics.value(before, "istio_tcp_connections_closed_total", failed);

    assertThatThrownBy(() -> connect("dead", 9012))
        .hasMessageContaining("TCP to dead.default.svc.cluster.local:9012");

    String after = clientPlane.prometheusText();
    assertThat(Metrics.value(after, "istio_tcp_connections_opened_total", failed))
        .isEqualTo(opened + 1);
    assertThat(Metrics.value(after, "istio_tcp_connections_closed_total", failed))
        .isEqualTo(closed + 1);
  }

  @Test
  void theServerReportsTcpMetricsForInProcessConnections() throws Exception {
    awaitServerConnectionsClosed();
    double opened = tcpMetric("istio_tcp_connections_opened_total");
    double closed = tcpMetric("istio_tcp_connections_closed_total");
    double received = tcpMetric("istio_tcp_received_bytes_total");
    double sent = tcpMetric("istio_tcp_sent_bytes_total");
    Map<String, String> clientSide =
        Map.of(
            "reporter", "source",
            "source_workload", "productpage-v1",
            "destination_workload", "ratings-v1",
            "destination_principal", SAN,
            "destination_service", "echo.default.svc.cluster.local");
    double clientOpened =
        Metrics.value(
            clientPlane.prometheusText(), "istio_tcp_connections_opened_total", clientSide);
    try (MeshSocket s = connect("echo", 9001)) {
      assertThat(TwoAgents.roundTrip(s, 12345, 3)).isTrue();
    }
    // The close is recorded once the server's side has closed too.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (tcpMetric("istio_tcp_connections_closed_total") == closed
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(tcpMetric("istio_tcp_connections_opened_total") - opened).isEqualTo(1);
    assertThat(tcpMetric("istio_tcp_connections_closed_total") - closed).isEqualTo(1);
    assertThat(tcpMetric("istio_tcp_received_bytes_total") - received).isEqualTo(12345);
    assertThat(tcpMetric("istio_tcp_sent_bytes_total") - sent).isEqualTo(12345);
    // The client learnt the server's workload the same way.
    String clientText = clientPlane.prometheusText();
    assertThat(Metrics.value(clientText, "istio_tcp_connections_opened_total", clientSide))
        .as(clientText)
        .isEqualTo(clientOpened + 1);
  }

  /**
   * Through HBONE there is no TCP metadata exchange: the server's 200 carries its baggage, as
   * ztunnel's does since 1.30, and the client labels the destination with it.
   */
  @Test
  void theClientLabelsAnHboneDestinationFromTheBaggageOfThe200() throws Exception {
    Map<String, String> clientSide =
        Map.of(
            "reporter", "source",
            "destination_workload", "ratings-v1",
            "destination_app", "ratings",
            "destination_version", "v1",
            "destination_workload_namespace", "default",
            "destination_principal", SAN,
            "destination_service", "echo-hbone.default.svc.cluster.local");
    double before =
        Metrics.value(
            clientPlane.prometheusText(), "istio_tcp_connections_opened_total", clientSide);
    try (MeshSocket s = connect("echo-hbone", 9001)) {
      assertThat(TwoAgents.roundTrip(s, 4321, 5)).isTrue();
    }
    String clientText = clientPlane.prometheusText();
    assertThat(Metrics.value(clientText, "istio_tcp_connections_opened_total", clientSide))
        .as(clientText)
        .isEqualTo(before + 1);
  }

  /**
   * A handler that returns before reading all the client sent: its answer still arrives, then a
   * clean end (closing with unread input would reset the connection and could lose the answer).
   */
  @Test
  void aHandlerThatLeavesInputUnreadStillDeliversItsAnswer() throws Exception {
    for (String service : List.of("greeter", "greeter-hbone", "greeter-plain")) {
      try (MeshSocket s = connect(service, service.endsWith("plain") ? 9010 : 9007)) {
        // Far more than the five bytes it reads, and than the server's buffers hold: what it
        // leaves is read and dropped until our end, so these writes complete.
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 128; i++) {
          s.output().write(chunk);
        }
        String transport =
            service.endsWith("plain") ? "plaintext" : service.endsWith("hbone") ? "hbone" : "mtls";
        assertThat(readAll(s)).as(service).isEqualTo("hello " + transport);
      }
    }
  }

  /**
   * A TCP client (ALPN {@code istio-peer-exchange}) of a port the app serves as HTTP: after the
   * metadata exchange its bytes are HTTP, as they would reach an app behind a sidecar.
   */
  @Test
  void aTcpClientOfAnHttpPortSpeaksHttpAfterTheExchange() throws Exception {
    try (MeshSocket s = connect("http-as-tcp", 9011)) {
      s.output()
          .write(
              "GET / HTTP/1.1\r\nHost: http-as-tcp\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = readAll(s);
      assertThat(answer).startsWith("HTTP/1.1 200").endsWith("hi " + PRODUCTPAGE);
    }
  }

  @Test
  void aPortServedToHboneOnlyIsReachedThroughTunnels() throws Exception {
    try (MeshSocket s = connect("tunnelled-only", 9009)) {
      assertThat(readAll(s))
          .startsWith(PRODUCTPAGE + " hbone " + PRODUCTPAGE + " inbound|9009|| / ");
    }
  }
}
