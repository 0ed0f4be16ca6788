package io.meshagent.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.meshagent.traffic.MeshSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** End to end between the two agents of {@link TwoAgents}: transports, routing, security. */
class TwoAgentsEndToEndTest extends TwoAgents {
  @Test
  void httpOverIstioMtlsCarriesBothIdentities() throws Exception {
    MeshHttpResponse r = send(MeshHttpRequest.get("reviews:9080", "/reviews/1"));

    assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo("reviews saw spiffe://" + PRODUCTPAGE_ID + " via mtls");
    assertThat(r.peer()).isEqualTo(REVIEWS_ID);
    assertThat(r.upstreamCluster()).isEqualTo(REVIEWS);
    assertThat(r.attempts()).isEqualTo(1);
  }

  @Test
  void httpOverHboneCarriesBothIdentities() throws Exception {
    MeshHttpResponse r = send(MeshHttpRequest.get("reviews-hbone:9080", "/reviews/1"));

    assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo("reviews saw spiffe://" + PRODUCTPAGE_ID + " via hbone");
    assertThat(r.peer()).isEqualTo(REVIEWS_ID);
  }

  @Test
  void http2OverBothTransports() throws Exception {
    for (String host : List.of("reviews:9080", "reviews-hbone:9080")) {
      MeshHttpResponse r =
          send(MeshHttpRequest.builder("GET", host, "/h2").protocol(HttpProtocol.HTTP_2).build());
      assertThat(r.status()).as(host + ": " + r.bodyText()).isEqualTo(200);
      assertThat(r.bodyText()).startsWith("reviews saw spiffe://" + PRODUCTPAGE_ID);
    }
  }

  /** A port the server agent forwards to its app over loopback, as a sidecar does. */
  @Test
  void anAppBehindAForwardedPortAnswersOverBothTransportsAndProtocols() throws Exception {
    byte[] body = random(100_000, 7);
    for (String host : List.of("details:9081", "details-hbone:9081")) {
      for (HttpProtocol p : HttpProtocol.values()) {
        MeshHttpResponse r =
            send(
                MeshHttpRequest.builder("POST", host, "/details/1?x=y")
                    .protocol(p)
                    .body(body)
                    .build());
        assertThat(r.status()).as(host + " " + p).isEqualTo(200);
        assertThat(r.header("x-details-saw")).as(host + " " + p).isEqualTo("POST /details/1?x=y");
        assertThat(r.body()).as(host + " " + p).isEqualTo(body);
        assertThat(r.peer()).isEqualTo(REVIEWS_ID);
      }
      // Policy is applied before the forward: the app never sees what RBAC refuses.
      assertThat(send(MeshHttpRequest.get(host, "/admin/x")).status()).as(host).isEqualTo(403);
    }
  }

  @Test
  void rbacDeniesWhatThePolicyDoesNotAllow() throws Exception {
    for (String host : List.of("reviews:9080", "reviews-hbone:9080")) {
      MeshHttpResponse r = send(MeshHttpRequest.get(host, "/admin/drop"));
      assertThat(r.status()).as(host).isEqualTo(403);
      assertThat(r.bodyText()).isEqualTo("RBAC: access denied");
    }
  }

  @Test
  void jwtFromRequestAuthenticationIsVerifiedInbound() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String valid = Tokens.sign(JWT_KEY, ISSUER, "alice", now + 600);
    String expired = Tokens.sign(JWT_KEY, ISSUER, "alice", now - 600);
    String forged = Tokens.sign(Tokens.rsaKey(), ISSUER, "mallory", now + 600);
    for (String host : List.of("reviews:9080", "reviews-hbone:9080")) {
      MeshHttpResponse ok =
          send(
              MeshHttpRequest.builder("GET", host, "/")
                  .header("authorization", "Bearer " + valid)
                  .build());
      assertThat(ok.status()).as(host + " " + ok.bodyText()).isEqualTo(200);
      // No token: jwt_authn lets it through (allow_missing) and RBAC decides.
      assertThat(send(MeshHttpRequest.get(host, "/")).status()).isEqualTo(200);
      for (String bad : List.of(expired, forged, "not.a.jwt")) {
        MeshHttpResponse r =
            send(
                MeshHttpRequest.builder("GET", host, "/")
                    .header("authorization", "Bearer " + bad)
                    .build());
        assertThat(r.status()).as(host + " " + bad).isEqualTo(401);
        assertThat(r.header("www-authenticate")).startsWith("Bearer");
      }
    }
  }

  @Test
  void oneMebibyteBodiesArriveByteExact() throws Exception {
    byte[] body = random(1 << 20, 1);
    for (String host : List.of("reviews:9080", "reviews-hbone:9080")) {
      for (HttpProtocol p : HttpProtocol.values()) {
        MeshHttpResponse r =
            send(MeshHttpRequest.builder("POST", host, "/echo").protocol(p).body(body).build());
        assertThat(r.status()).as(host + " " + p).isEqualTo(200);
        assertThat(r.body()).as(host + " " + p).isEqualTo(body);
      }
    }
  }

  @Test
  void aThousandConcurrentRequests() throws Exception {
    for (String host : List.of("reviews:9080", "reviews-hbone:9080")) {
      for (HttpProtocol p : HttpProtocol.values()) {
        List<CompletableFuture<MeshHttpResponse>> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          all.add(client.send(MeshHttpRequest.builder("GET", host, "/r/" + i).protocol(p).build()));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        for (CompletableFuture<MeshHttpResponse> f : all) {
          assertThat(f.join().status())
              .as(host + " " + p + " " + f.join().bodyText())
              .isEqualTo(200);
        }
      }
    }
  }

  @Test
  void tcpOverBothTransportsWithHalfClose() throws Exception {
    for (String host :
        List.of("echo.default.svc.cluster.local", "echo-hbone.default.svc.cluster.local")) {
      // One byte: half-closed before the inbound side could tell the protocol.
      for (int size : new int[] {1, 1 << 20, 100 << 20}) {
        try (MeshSocket s = client.connect(host, 9000).get(20, TimeUnit.SECONDS)) {
          assertThat(s.peer()).isEqualTo(REVIEWS_ID);
          assertThat(roundTrip(s, size, size)).as(host + " " + size).isTrue();
        }
      }
    }
  }

  @Test
  void plaintextIsRefusedOnAStrictPort() throws Exception {
    InetSocketAddress http = (InetSocketAddress) null;
    // The STRICT chain set has no plaintext chain: the agent closes the connection.
    MeshHttpResponse ok = send(MeshHttpRequest.get("reviews:9080", "/"));
    String port = ok.upstreamHost().substring(ok.upstreamHost().lastIndexOf(':') + 1);
    try (Socket s = new Socket(REVIEWS_IP, Integer.parseInt(port))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nhost: reviews\r\n\r\n".getBytes());
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(http).isNull();
  }

  @Test
  void unknownHostsAreNotRouted() throws Exception {
    MeshHttpResponse r = send(MeshHttpRequest.get("nowhere:9080", "/"));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.responseFlags()).isEqualTo("NR");

    MeshHttpResponse noListener = send(MeshHttpRequest.get("reviews:9999", "/"));
    assertThat(noListener.status()).isEqualTo(503);
    assertThat(noListener.responseFlags()).isEqualTo("NR");
    assertThat(noListener.bodyText()).contains("no listener for reviews:9999");
  }

  @Test
  void retriesGoToAnotherHostAfterAConnectFailure() throws Exception {
    for (int i = 0; i < 10; i++) {
      MeshHttpResponse r = send(MeshHttpRequest.get("flaky:9080", "/"));
      assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
      assertThat(r.upstreamHost()).startsWith(REVIEWS_IP);
      // Round robin over {dead, live}: every request's first pick is the dead host (the retry
      // took the live one), and previous_hosts keeps the retry off the dead one.
      assertThat(r.attempts()).isEqualTo(2);
    }
  }

  @Test
  void faultsAbortWithTheConfiguredStatus() throws Exception {
    MeshHttpResponse r = send(MeshHttpRequest.get("teapot:9080", "/"));
    assertThat(r.status()).isEqualTo(418);
    assertThat(r.responseFlags()).isEqualTo("FI");
    assertThat(r.attempts()).isZero();
  }

  @Test
  void theRouteTimeoutAnswers504() throws Exception {
    long start = System.nanoTime();
    MeshHttpResponse r = send(MeshHttpRequest.get("slow:9080", "/slow"));
    assertThat(r.status()).isEqualTo(504);
    assertThat(r.responseFlags()).isEqualTo("UT");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void hboneTunnelsOnlyReachServedPorts() {
    // 7777 is not a port the reviews data plane serves: its HBONE server refuses with 401.
    assertThatThrownBy(
            () ->
                client
                    .connect("unserved.default.svc.cluster.local", 7777)
                    .get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("401");
  }

  @Test
  void tcpToAnUnknownDestinationFailsWithTheReason() {
    assertThatThrownBy(() -> client.connect("nowhere", 9000).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("outbound|9000||nowhere");
  }
}
