package io.meshagent.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.meshagent.MeshAgent;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.meshagent.traffic.MeshSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data plane under change and failure: certificates rotating under live connections, a peer
 * that dies mid-transfer, and a port with no inbound configuration served in the PERMISSIVE
 * fallback mode.
 */
class DataPlaneResilienceTest {
  static final String SERVER_IP = "127.0.0.4";
  static final String SAN = "spiffe://cluster.local/ns/default/sa/ratings";
  static final String RATINGS = "outbound|9080||ratings.default.svc.cluster.local";
  static final String RATINGS_TCP = "outbound|9000||ratings.default.svc.cluster.local";
  static final String RATINGS_HBONE = "outbound|9000||ratings-hbone.default.svc.cluster.local";
  // Over HBONE to the port whose app outlives the first one.
  static final String RATINGS_TUNNEL = "outbound|9000||ratings-tunnel.default.svc.cluster.local";

  @TempDir Path dir;
  EchoServer echo;
  EchoServer echo2;
  MeshAgent serverAgent;
  MeshAgent clientAgent;
  MeshDataPlane server;
  MeshDataPlane clientPlane;
  MeshClient client;
  InetSocketAddress http;

  /** A ratings server without any inbound listener (fallback PERMISSIVE) and a client. */
  void start(Duration certTtl) throws Exception {
    start(certTtl, DataPlaneOptions.defaults().maxBodyBytes());
  }

  void start(Duration certTtl, int maxBody) throws Exception {
    Path ca = dir.resolve("ca");
    echo = new EchoServer();
    echo2 = new EchoServer();
    Path serverYaml = dir.resolve("ratings.json");
    Files.writeString(serverYaml, new MeshYaml().render());
    serverAgent = agent(serverYaml, "ratings-v1", "ratings", ca, certTtl);
    server =
        MeshDataPlane.start(
            serverAgent,
            DataPlaneOptions.defaults()
                .withEventLoopThreads(1)
                .withInboundFallback("PERMISSIVE")
                .withMaxBodyBytes(maxBody));
    http =
        server.serveHttp(new InetSocketAddress(SERVER_IP, 0), 9080, DataPlaneResilienceTest::serve);
    InetSocketAddress tcp =
        server.forward(new InetSocketAddress(SERVER_IP, 0), 9000, echo.address());
    server.forward(new InetSocketAddress(SERVER_IP, 0), 9001, echo2.address());
    InetSocketAddress hbone = server.startHbone(new InetSocketAddress(SERVER_IP, 0));
    startClient(ca, certTtl, maxBody, http.getPort(), tcp.getPort(), hbone.getPort());
  }

  /** The productpage client of a ratings server with these ports. */
  void startClient(Path ca, Duration certTtl, int maxBody, int httpPort, int tcpPort, int hbonePort)
      throws Exception {
    Path clientYaml = dir.resolve("client.json");
    Files.writeString(
        clientYaml,
        new MeshYaml()
            .cluster(RATINGS, SAN, "")
            .endpoints(RATINGS, "\"tlsMode\": \"istio\"", SERVER_IP + ":" + httpPort)
            .cluster(RATINGS_TCP, SAN, "")
            .endpoints(RATINGS_TCP, "\"tlsMode\": \"istio\"", SERVER_IP + ":" + tcpPort)
            .cluster(RATINGS_HBONE, SAN, "")
            .endpoints(RATINGS_HBONE, "\"tunnel\": \"http\"", SERVER_IP + ":9001")
            .cluster(RATINGS_TUNNEL, SAN, "")
            .endpoints(RATINGS_TUNNEL, "\"tunnel\": \"http\"", SERVER_IP + ":9000")
            .httpListener(9080)
            .routes(
                9080,
                MeshYaml.vhost(
                    "ratings",
                    List.of("ratings:9080"),
                    MeshYaml.route(
                        "/", "\"cluster\": \"" + RATINGS + "\", \"timeout\": \"0s\"", "")))
            .render());
    clientAgent = agent(clientYaml, "productpage-v1", "productpage", ca, certTtl);
    clientPlane =
        MeshDataPlane.start(
            clientAgent,
            DataPlaneOptions.defaults()
                .withEventLoopThreads(1)
                .withHbonePort(hbonePort)
                .withMaxBodyBytes(maxBody));
    client = clientPlane.client();
  }

  static MeshAgent agent(Path yaml, String pod, String sa, Path ca, Duration ttl) throws Exception {
    MeshAgent a =
        MeshAgent.builder()
            .xdsFile(yaml)
            .podName(pod)
            .namespace("default")
            .serviceAccount(sa)
            .identityProvider(IdentityProvider.DEV)
            .devCaDir(ca)
            .certTtl(ttl)
            .build();
    a.awaitInitialConfig(Duration.ofSeconds(20));
    a.awaitIdentity(Duration.ofSeconds(20));
    return a;
  }

  static CompletableFuture<MeshHttpResponse> serve(
      MeshHttpRequest request, InboundContext context) {
    if (request.path().equals("/headers")) {
      StringBuilder b = new StringBuilder();
      for (io.meshagent.traffic.HttpHeader h : request.headers()) {
        b.append(h.name()).append('=').append(h.value()).append('\n');
      }
      return CompletableFuture.completedFuture(MeshHttpResponse.of(200, b.toString()));
    }
    if (request.path().equals("/late")) {
      return CompletableFuture.supplyAsync(
          () -> MeshHttpResponse.of(200, "late"),
          CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS));
    }
    if (request.path().equals("/big")) {
      return CompletableFuture.completedFuture(
          new MeshHttpResponse(200, List.of(), new byte[100 * 1024]));
    }
    return CompletableFuture.completedFuture(
        MeshHttpResponse.of(200, "ratings saw " + context.peer() + " via " + context.transport()));
  }

  @AfterEach
  void stop() throws Exception {
    if (clientPlane != null) {
      clientPlane.close();
      clientAgent.close();
    }
    if (server != null) {
      server.close();
      serverAgent.close();
      echo.close();
      echo2.close();
    }
  }

  @Test
  void liveConnectionsSurviveRotationAndNewOnesUseTheNewCertificate() throws Exception {
    start(Duration.ofSeconds(4)); // renewed at about 2 s
    Instant firstNotAfter = serverAgent.identityStatus().notAfter();
    try (MeshSocket mtls =
            client.connect("ratings.default.svc.cluster.local", 9000).get(20, TimeUnit.SECONDS);
        MeshSocket hbone =
            client
                .connect("ratings-hbone.default.svc.cluster.local", 9000)
                .get(20, TimeUnit.SECONDS)) {
      // Trickle bytes through both for 5 s, across at least two renewals on each side.
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      byte[] chunk = new byte[16 * 1024];
      Random random = new Random(7);
      for (int i = 0; System.nanoTime() < end && i < 1000; i++) {
        random.nextBytes(chunk);
        for (MeshSocket s : List.of(mtls, hbone)) {
          s.output().write(chunk);
          byte[] back = s.input().readNBytes(chunk.length);
          assertThat(back).isEqualTo(chunk);
        }
        Thread.sleep(50);
      }
    }
    assertThat(serverAgent.identityStatus().notAfter()).isAfter(firstNotAfter);
    assertThat(clientAgent.identityStatus().notAfter()).isAfter(firstNotAfter);
    // After the first certificates expired, new connections handshake with the current ones.
    MeshHttpResponse r =
        client.send(MeshHttpRequest.get("ratings:9080", "/")).get(20, TimeUnit.SECONDS);
    assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
    assertThat(r.bodyText())
        .isEqualTo("ratings saw spiffe://cluster.local/ns/default/sa/productpage via mtls");
  }

  @Test
  void aPeerStoppedMidTransferIsACleanErrorAndNothingHangs() throws Exception {
    start(Duration.ofHours(1));
    // First the app behind the peer dies, under an HBONE tunnel.
    MeshSocket toApp = transferring("ratings-hbone.default.svc.cluster.local");
    echo2.close();
    assertEndsCleanly(toApp);
    // Then the peer itself, under an HBONE tunnel and an mTLS connection at once.
    MeshSocket tunnel = transferring("ratings-tunnel.default.svc.cluster.local");
    MeshSocket mtls = transferring("ratings.default.svc.cluster.local");
    server.close();
    assertEndsCleanly(tunnel);
    assertEndsCleanly(mtls);
    // With the server gone, a request is Envoy's upstream connect failure, answered at once.
    MeshHttpResponse r =
        client.send(MeshHttpRequest.get("ratings:9080", "/")).get(20, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.responseFlags()).isEqualTo("UF");
    assertThat(r.bodyText()).contains("connect failed");
  }

  /**
   * The same when the peer crashes: its process SIGKILLed under an HBONE tunnel, an mTLS connection
   * and two requests waiting for their answers, so nothing is closed gracefully and the kernel
   * resets its connections.
   */
  @Test
  void aPeerProcessKilledMidTransferIsACleanErrorAndNothingHangs() throws Exception {
    Path ca = dir.resolve("ca");
    try (PeerProcess peer = PeerProcess.start(dir, SERVER_IP)) {
      startClient(
          ca,
          Duration.ofHours(1),
          DataPlaneOptions.defaults().maxBodyBytes(),
          peer.httpPort(),
          peer.tcpPort(),
          peer.hbonePort());
      MeshSocket tunnel = transferring("ratings-tunnel.default.svc.cluster.local");
      MeshSocket mtls = transferring("ratings.default.svc.cluster.local");
      List<CompletableFuture<MeshHttpResponse>> waiting = new java.util.ArrayList<>();
      for (HttpProtocol p : HttpProtocol.values()) {
        waiting.add(
            client.send(
                MeshHttpRequest.builder("GET", "ratings:9080", "/hang").protocol(p).build()));
      }
      // Both requests reached the peer's app, which holds them.
      peer.awaitLine("HANG ", Duration.ofSeconds(20));
      peer.awaitLine("HANG ", Duration.ofSeconds(20));
      assertThat(waiting).noneMatch(CompletableFuture::isDone);

      peer.kill();

      assertEndsCleanly(tunnel);
      assertEndsCleanly(mtls);
      for (CompletableFuture<MeshHttpResponse> w : waiting) {
        MeshHttpResponse r = w.get(15, TimeUnit.SECONDS);
        // The connection under the request ended before any answer: Envoy's 503 UC.
        assertThat(r.status()).as(r.bodyText()).isEqualTo(503);
        assertThat(r.responseFlags()).isEqualTo("UC");
      }
      MeshHttpResponse after =
          client.send(MeshHttpRequest.get("ratings:9080", "/")).get(20, TimeUnit.SECONDS);
      assertThat(after.status()).isEqualTo(503);
      assertThat(after.responseFlags()).isEqualTo("UF");
    }
  }

  /**
   * An app that cannot be reached behind an inbound TCP port: the caller's connection ends, and the
   * server records it as Envoy's inbound tcp_proxy does, opened and closed with {@code UF,URX} and
   * the caller's identity.
   */
  @Test
  void anUnreachableAppIsAnInboundConnectFailureWithTheCaller() throws Exception {
    start(Duration.ofHours(1));
    echo2.close(); // the app behind port 9001
    MeshSocket s = client.connect("ratings-hbone.default.svc.cluster.local", 9000).get(20, SECONDS);
    assertTimeoutPreemptively(
        Duration.ofSeconds(15),
        () -> {
          try {
            assertThat(s.input().read()).isEqualTo(-1);
          } catch (IOException expected) {
            // a reset is as good an end as EOF
          }
        });
    s.close();
    Map<String, String> failed =
        Map.of(
            "reporter", "destination",
            "response_flags", "UF,URX",
            "source_principal", "spiffe://cluster.local/ns/default/sa/productpage");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Metrics.value(server.prometheusText(), "istio_tcp_connections_closed_total", failed)
                    == 1);
    assertThat(Metrics.value(server.prometheusText(), "istio_tcp_connections_opened_total", failed))
        .isEqualTo(1);
  }

  /** A TCP connection to {@code host}:9000 with 64 KiB echoed through it. */
  private MeshSocket transferring(String host) throws Exception {
    MeshSocket s = client.connect(host, 9000).get(20, TimeUnit.SECONDS);
    byte[] chunk = new byte[64 * 1024];
    s.output().write(chunk);
    assertThat(s.input().readNBytes(chunk.length)).hasSize(chunk.length);
    return s;
  }

  /** Writing and reading on {@code s} end (EOF or an error naming the upstream), never hang. */
  private static void assertEndsCleanly(MeshSocket s) throws Exception {
    byte[] chunk = new byte[64 * 1024];
    assertTimeoutPreemptively(
        Duration.ofSeconds(15),
        () -> {
          CompletableFuture<Void> reader =
              CompletableFuture.runAsync(
                  () -> {
                    byte[] buf = new byte[64 * 1024];
                    try {
                      while (s.input().read(buf) >= 0) {
                        // what was echoed before the end
                      }
                    } catch (IOException expected) {
                      assertThat(expected.getMessage()).contains("ratings");
                    }
                  });
          try {
            for (int i = 0; i < 1000 && !reader.isDone(); i++) {
              s.output().write(chunk);
            }
          } catch (IOException expected) {
            assertThat(expected.getMessage()).contains("ratings");
          }
          reader.get();
        });
    s.close();
  }

  @Test
  void permissiveFallbackServesPlaintextAndMtlsOnOnePort() throws Exception {
    start(Duration.ofHours(1));
    MeshHttpResponse viaMesh =
        client.send(MeshHttpRequest.get("ratings:9080", "/")).get(20, TimeUnit.SECONDS);
    assertThat(viaMesh.bodyText()).endsWith("via mtls");

    try (Socket s = new Socket(http.getAddress(), http.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              "GET / HTTP/1.1\r\nhost: ratings\r\nconnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 200").endsWith("ratings saw null via plaintext");
    }
  }

  @Test
  void http2BodiesOverTheLimitAreRefusedAndTheConnectionGoesOn() throws Exception {
    start(Duration.ofHours(1), 64 * 1024);
    MeshHttpRequest.Builder h2 =
        MeshHttpRequest.builder("POST", "ratings:9080", "/").protocol(HttpProtocol.HTTP_2);

    MeshHttpResponse tooBig = client.send(h2.body(new byte[100 * 1024]).build()).get(20, SECONDS);
    assertThat(tooBig.status()).as(tooBig.bodyText()).isEqualTo(413);

    MeshHttpResponse bigAnswer =
        client.send(h2.path("/big").body(new byte[0]).build()).get(20, SECONDS);
    assertThat(bigAnswer.status()).as(bigAnswer.bodyText()).isEqualTo(503);
    assertThat(bigAnswer.responseFlags()).isEqualTo("UR");

    MeshHttpResponse ok = client.send(h2.path("/").build()).get(20, SECONDS);
    assertThat(ok.status()).as(ok.bodyText()).isEqualTo(200);
  }

  @Test
  void http2ExpectContinueIsAnsweredAndCookiesArriveJoined() throws Exception {
    start(Duration.ofHours(1));
    MeshHttpResponse r =
        client
            .send(
                MeshHttpRequest.builder("POST", "ratings:9080", "/headers")
                    .protocol(HttpProtocol.HTTP_2)
                    .header("expect", "100-continue")
                    .header("cookie", "a=1")
                    .header("cookie", "b=2")
                    .body("payload")
                    .build())
            .get(20, SECONDS);

    assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
    assertThat(r.bodyText())
        .contains("cookie=a=1; b=2\n")
        .contains("content-length=7\n")
        .doesNotContain("expect=");
  }

  /** A client's FIN ends its keep-alive connection: the server does not sit in CLOSE-WAIT. */
  @Test
  void anInboundConnectionWhoseClientHalfClosedIsClosed() throws Exception {
    start(Duration.ofHours(1));
    try (Socket s = new Socket(http.getAddress(), http.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nhost: ratings\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] head = new byte[12];
      assertThat(s.getInputStream().readNBytes(head, 0, head.length)).isEqualTo(head.length);
      assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
      s.shutdownOutput();
      // The rest of the answer, then EOF: without the close, this read would time out.
      s.getInputStream().readAllBytes();
    }
  }

  /**
   * A caller that leaves before its answer: nothing is sent, and the request counts as Envoy counts
   * it, response code 0 with {@code DC}, not as the app's 200.
   */
  @Test
  void aRequestWhoseCallerLeftIsRecordedAsADownstreamDisconnect() throws Exception {
    start(Duration.ofHours(1));
    Map<String, String> dc =
        Map.of("reporter", "destination", "response_code", "0", "response_flags", "DC");
    try (Socket s = new Socket(http.getAddress(), http.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write("GET /late HTTP/1.1\r\nhost: ratings\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
      assertThat(s.getInputStream().readAllBytes()).isEmpty();
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Metrics.value(server.prometheusText(), "istio_requests_total", dc) == 1);
    assertThat(
            Metrics.value(
                server.prometheusText(),
                "istio_requests_total",
                Map.of("reporter", "destination", "response_code", "200")))
        .isZero();
  }

  @Test
  void aClientSlowerThanProtocolDetectionIsStillServed() throws Exception {
    start(Duration.ofHours(1));
    try (Socket s = new Socket(http.getAddress(), http.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GE".getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(1_500); // past the 1 s detection timeout: taken as plaintext (PERMISSIVE)
      s.getOutputStream()
          .write(
              "T / HTTP/1.1\r\nhost: ratings\r\nconnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void garbageOnAnInboundPortEndsOnlyThatConnection() throws Exception {
    start(Duration.ofHours(1));
    // A TLS record header followed by junk: the handshake fails and the connection closes.
    byte[] tlsJunk = new byte[512];
    Arrays.fill(tlsJunk, (byte) 0x42);
    tlsJunk[0] = 0x16;
    tlsJunk[1] = 0x03;
    tlsJunk[2] = 0x01;
    tlsJunk[3] = 0x01;
    tlsJunk[4] = (byte) 0xfb;
    try (Socket s = new Socket(http.getAddress(), http.getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(tlsJunk);
      byte[] answer = s.getInputStream().readAllBytes(); // then EOF
      if (answer.length > 0) {
        assertThat(answer[0]).as("a TLS alert record").isEqualTo((byte) 0x15);
      }
    }
    // Plaintext junk on the PERMISSIVE port is not HTTP: 400, then the connection closes.
    try (Socket s = new Socket(http.getAddress(), http.getPort())) {
      s.setSoTimeout(10_000);
      byte[] junk = new byte[600];
      Arrays.fill(junk, (byte) 0x01);
      s.getOutputStream().write(junk);
      s.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 400");
    }
    MeshHttpResponse r =
        client.send(MeshHttpRequest.get("ratings:9080", "/")).get(20, TimeUnit.SECONDS);
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void theDataPlaneNeedsAnIdentity() throws Exception {
    Path yaml = dir.resolve("none.json");
    Files.writeString(yaml, new MeshYaml().render());
    try (MeshAgent a =
        MeshAgent.builder().xdsFile(yaml).podName("p").namespace("default").build()) {
      assertThatThrownBy(() -> MeshDataPlane.start(a))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("identity provider");
    }
  }
}
