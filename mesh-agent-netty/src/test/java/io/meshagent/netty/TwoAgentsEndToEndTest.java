package io.meshagent.netty;

import static io.meshagent.netty.MeshYaml.inboundHttpChain;
import static io.meshagent.netty.MeshYaml.inboundTcpChain;
import static io.meshagent.netty.MeshYaml.route;
import static io.meshagent.netty.MeshYaml.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshagent.MeshAgent;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.identity.SpiffeId;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.meshagent.traffic.MeshSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents, each with its data plane, on the embedded default (a {@code file:} source with the
 * resources istiod would send, and the dev CA): productpage calls reviews over Istio mTLS and over
 * HBONE, HTTP and TCP, through the public API only. The server's inbound chain is STRICT with
 * istiod's RBAC for an AuthorizationPolicy allowing productpage on all paths but {@code /admin}.
 */
class TwoAgentsEndToEndTest {
  static final String REVIEWS_IP = "127.0.0.2";
  static final String PRODUCTPAGE_ID = "cluster.local/ns/default/sa/bookinfo-productpage";
  static final SpiffeId REVIEWS_ID =
      SpiffeId.parse("spiffe://cluster.local/ns/default/sa/bookinfo-reviews");
  static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";
  static final String REVIEWS_HBONE = "outbound|9080||reviews-hbone.default.svc.cluster.local";
  static final String RETRYING = "outbound|9080||flaky.default.svc.cluster.local";
  static final String SLOW = "outbound|9080||slow.default.svc.cluster.local";
  static final String NO_RETRIES = "outbound|9080||overflow.default.svc.cluster.local";
  static final String ECHO = "outbound|9000||echo.default.svc.cluster.local";
  static final String ECHO_HBONE = "outbound|9000||echo-hbone.default.svc.cluster.local";
  static final String UNSERVED = "outbound|7777||unserved.default.svc.cluster.local";

  static final String ISSUER = "https://issuer.test";
  static final java.security.KeyPair JWT_KEY = Tokens.rsaKey();

  @TempDir static Path dir;
  static EchoServer echo;
  static MeshAgent reviewsAgent;
  static MeshAgent productpageAgent;
  static MeshDataPlane reviews;
  static MeshDataPlane productpage;
  static MeshClient client;
  static ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

  @BeforeAll
  static void start() throws Exception {
    Path ca = dir.resolve("ca");
    echo = new EchoServer();
    Path reviewsYaml = dir.resolve("reviews.json");
    Files.writeString(
        reviewsYaml,
        new MeshYaml()
            .virtualInbound(
                inboundHttpChain(
                    9080, true, PRODUCTPAGE_ID, MeshYaml.jwtAuthn(ISSUER, Tokens.jwks(JWT_KEY))),
                inboundTcpChain(9000, true))
            .render());
    reviewsAgent = agent(reviewsYaml, "reviews-v1", "bookinfo-reviews", ca);
    reviews =
        MeshDataPlane.start(reviewsAgent, DataPlaneOptions.defaults().withEventLoopThreads(2));
    InetSocketAddress http =
        reviews.serveHttp(new InetSocketAddress(REVIEWS_IP, 0), 9080, TwoAgentsEndToEndTest::serve);
    InetSocketAddress tcp =
        reviews.forward(new InetSocketAddress(REVIEWS_IP, 0), 9000, echo.address());
    InetSocketAddress hbone = reviews.startHbone(new InetSocketAddress(REVIEWS_IP, 0));

    String mtls = "\"tlsMode\": \"istio\"";
    String san = "spiffe://" + REVIEWS_ID.toString().substring("spiffe://".length());
    String retry =
        ", \"retry_policy\": { \"retry_on\": \"connect-failure,5xx\", \"num_retries\": 2,"
            + " \"retry_host_predicate\": [{ \"name\": \"envoy.retry_host_predicates.previous_hosts\","
            + " \"typed_config\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate\""
            + " } }], \"host_selection_retry_max_attempts\": \"5\" }";
    String abort =
        ", \"typed_per_filter_config\": { \"envoy.filters.http.fault\": { \"@type\":"
            + " \"type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault\", \"abort\":"
            + " { \"http_status\": 418, \"percentage\": { \"numerator\": 100, \"denominator\":"
            + " \"HUNDRED\" } } } }";
    Path productpageYaml = dir.resolve("productpage.json");
    Files.writeString(
        productpageYaml,
        new MeshYaml()
            .cluster(REVIEWS, san, "")
            .endpoints(REVIEWS, mtls, REVIEWS_IP + ":" + http.getPort())
            .cluster(REVIEWS_HBONE, san, "")
            .hboneEndpoint(REVIEWS_HBONE, REVIEWS_IP + ":9080", REVIEWS_IP + ":" + hbone.getPort())
            .cluster(RETRYING, san, "")
            // 127.0.0.3:1 refuses connections: the retry goes to the other host.
            .endpoints(RETRYING, mtls, "127.0.0.3:1", REVIEWS_IP + ":" + http.getPort())
            .cluster(SLOW, san, "")
            .endpoints(SLOW, mtls, REVIEWS_IP + ":" + http.getPort())
            // No retry may be in flight: the retry circuit breaker refuses every one.
            .cluster(
                NO_RETRIES,
                san,
                ", \"circuit_breakers\": { \"thresholds\": [{ \"max_retries\": 0 }] }")
            .endpoints(NO_RETRIES, mtls, REVIEWS_IP + ":" + http.getPort())
            .cluster(ECHO, san, "")
            .endpoints(ECHO, mtls, REVIEWS_IP + ":" + tcp.getPort())
            .cluster(ECHO_HBONE, san, "")
            .hboneEndpoint(ECHO_HBONE, REVIEWS_IP + ":9000", REVIEWS_IP + ":" + hbone.getPort())
            .cluster(UNSERVED, san, "")
            .hboneEndpoint(UNSERVED, REVIEWS_IP + ":7777", REVIEWS_IP + ":" + hbone.getPort())
            .httpListener(9080)
            .routes(
                9080,
                vhost(
                    "reviews",
                    List.of("reviews", "reviews:9080"),
                    route("/", "\"cluster\": \"" + REVIEWS + "\", \"timeout\": \"0s\"", "")),
                vhost(
                    "reviews-hbone",
                    List.of("reviews-hbone:9080"),
                    route("/", "\"cluster\": \"" + REVIEWS_HBONE + "\", \"timeout\": \"0s\"", "")),
                vhost(
                    "flaky",
                    List.of("flaky:9080"),
                    route("/", "\"cluster\": \"" + RETRYING + "\"" + retry, "")),
                vhost(
                    "slow",
                    List.of("slow:9080"),
                    route("/", "\"cluster\": \"" + SLOW + "\", \"timeout\": \"0.3s\"", "")),
                vhost(
                    "stale",
                    List.of("stale:9080"),
                    route(
                        "/",
                        "\"cluster\": \""
                            + SLOW
                            + "\", \"timeout\": \"1s\","
                            + " \"retry_policy\": { \"retry_on\": \"5xx\", \"num_retries\": 1 }",
                        "")),
                vhost(
                    "overflow",
                    List.of("overflow:9080"),
                    route(
                        "/",
                        "\"cluster\": \""
                            + NO_RETRIES
                            + "\", \"retry_policy\": { \"retry_on\": \"5xx\", \"num_retries\": 2 }",
                        "")),
                vhost(
                    "teapot",
                    List.of("teapot:9080"),
                    route("/", "\"cluster\": \"" + REVIEWS + "\"", abort)))
            .render());
    productpageAgent = agent(productpageYaml, "productpage-v1", "bookinfo-productpage", ca);
    productpage =
        MeshDataPlane.start(
            productpageAgent,
            // No HBONE port option: every tunnel's next hop comes from istiod's endpoint metadata
            // (the pod's or its waypoint's address), as it does for Envoy.
            DataPlaneOptions.defaults().withEventLoopThreads(2));
    client = productpage.client();
  }

  static MeshAgent agent(Path yaml, String pod, String sa, Path ca) throws Exception {
    MeshAgent a =
        MeshAgent.builder()
            .xdsFile(yaml)
            .podName(pod)
            .namespace("default")
            .serviceAccount(sa)
            .identityProvider(IdentityProvider.DEV)
            .devCaDir(ca)
            // Bookinfo's labels: Istio's metrics label both sides with app and version.
            .label("app", pod.substring(0, pod.lastIndexOf('-')))
            .label("version", pod.substring(pod.lastIndexOf('-') + 1))
            .build();
    a.awaitInitialConfig(Duration.ofSeconds(20));
    a.awaitIdentity(Duration.ofSeconds(20));
    return a;
  }

  /** The app behind reviews: echoes /echo, stalls /slow, says who called otherwise. */
  static CompletableFuture<MeshHttpResponse> serve(
      MeshHttpRequest request, io.meshagent.traffic.InboundContext context) {
    if (request.path().startsWith("/echo")) {
      return CompletableFuture.completedFuture(
          new MeshHttpResponse(200, List.of(), request.body()));
    }
    if (request.path().startsWith("/headers")) {
      StringBuilder names = new StringBuilder();
      for (HttpHeader h : request.headers()) {
        names.append(h.name()).append('\n');
      }
      // The app's own (forged) exchange field: the server agent sends its own instead.
      return CompletableFuture.completedFuture(
          MeshHttpResponse.of(200, names.toString())
              .withHeaders(List.of(new HttpHeader("x-envoy-peer-metadata", "forged-response"))));
    }
    if (request.path().startsWith("/grpc.Echo/")) {
      // gRPC's shape: the status in trailers; /grpc.Echo/Missing answers NOT_FOUND, and
      // /grpc.Echo/Down a 503 with no gRPC status at all.
      if (request.path().endsWith("/Down")) {
        return CompletableFuture.completedFuture(MeshHttpResponse.of(503, "down"));
      }
      String status = request.path().endsWith("/Missing") ? "5" : "0";
      return CompletableFuture.completedFuture(
          new MeshHttpResponse(
                  200, List.of(new HttpHeader("content-type", "application/grpc")), request.body())
              .withTrailers(
                  List.of(
                      new HttpHeader("grpc-status", status),
                      new HttpHeader("grpc-message", status.equals("0") ? "" : "missing"))));
    }
    if (request.path().startsWith("/unavailable")) {
      return CompletableFuture.completedFuture(MeshHttpResponse.of(503, "always"));
    }
    if (request.path().startsWith("/fail-once") && !failedOnce.getAndSet(true)) {
      return CompletableFuture.completedFuture(MeshHttpResponse.of(503, "once"));
    }
    if (request.path().startsWith("/slow") || request.path().startsWith("/fail-once")) {
      CompletableFuture<MeshHttpResponse> f = new CompletableFuture<>();
      later.schedule(() -> f.complete(MeshHttpResponse.of(200, "late")), 3, TimeUnit.SECONDS);
      return f;
    }
    return CompletableFuture.completedFuture(
        MeshHttpResponse.of(200, "reviews saw " + context.peer() + " via " + context.transport()));
  }

  @AfterAll
  static void stop() throws Exception {
    productpage.close();
    reviews.close();
    productpageAgent.close();
    reviewsAgent.close();
    echo.close();
    later.shutdownNow();
  }

  static MeshHttpResponse send(MeshHttpRequest r) throws Exception {
    return client.send(r).get(20, TimeUnit.SECONDS);
  }

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

  /**
   * A gRPC call's status travels in the trailers, through both agents, and labels both reporters'
   * {@code grpc_response_status} as Istio's stats filter does: from the trailers, else from the
   * HTTP status (503 is UNAVAILABLE, 14).
   */
  @Test
  void grpcTrailersCarryTheStatusToTheCallerAndToBothReporters() throws Exception {
    Map<String, String> labels =
        Map.of(
            "request_protocol", "grpc",
            "destination_workload", "reviews-v1",
            "source_workload", "productpage-v1");
    Map<String, String> want = new java.util.LinkedHashMap<>();
    want.put("Say", "0");
    want.put("Missing", "5");
    want.put("Down", "14");
    for (String host : List.of("reviews:9080", "reviews-hbone:9080")) {
      for (Map.Entry<String, String> call : want.entrySet()) {
        Map<String, String> source = with(labels, "reporter", "source");
        Map<String, String> destination = with(labels, "reporter", "destination");
        for (Map<String, String> m : List.of(source, destination)) {
          m.put("grpc_response_status", call.getValue());
        }
        double sourceBefore =
            Metrics.value(productpage.prometheusText(), "istio_requests_total", source);
        double destBefore =
            Metrics.value(reviews.prometheusText(), "istio_requests_total", destination);
        byte[] message = {0, 0, 0, 0, 2, 8, 1}; // a length-prefixed gRPC message
        MeshHttpResponse r =
            send(
                MeshHttpRequest.builder("POST", host, "/grpc.Echo/" + call.getKey())
                    .protocol(HttpProtocol.HTTP_2)
                    .header("content-type", "application/grpc")
                    .header("te", "trailers")
                    .body(message)
                    .build());
        if (call.getKey().equals("Down")) {
          assertThat(r.status()).isEqualTo(503);
          assertThat(r.trailers()).isEmpty();
        } else {
          assertThat(r.status()).as(host).isEqualTo(200);
          assertThat(r.body()).isEqualTo(message);
          assertThat(r.trailer("grpc-status")).as(host).isEqualTo(call.getValue());
        }
        assertThat(Metrics.value(productpage.prometheusText(), "istio_requests_total", source))
            .as(host + " " + call.getKey() + " source")
            .isEqualTo(sourceBefore + 1);
        assertThat(Metrics.value(reviews.prometheusText(), "istio_requests_total", destination))
            .as(host + " " + call.getKey() + " destination")
            .isEqualTo(destBefore + 1);
      }
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

  private static final java.util.concurrent.atomic.AtomicBoolean failedOnce =
      new java.util.concurrent.atomic.AtomicBoolean();

  @Test
  void aRouteTimeoutAfterARetriedAnswerIsLabelledAsTheLocalAnswerItIs() throws Exception {
    // The first try's 503 (with the server's metadata) is retried; the retry stalls; the route
    // timeout answers. Only the answer given is recorded, and it came from no peer: over no
    // connection's certificates, so both principals are unknown, as Istio's stats filter has them.
    Map<String, String> timedOut =
        Map.of(
            "reporter", "source",
            "response_code", "504",
            "response_flags", "UT",
            "destination_workload", "unknown",
            "source_principal", "unknown",
            "destination_principal", "unknown");
    double before = Metrics.value(productpage.prometheusText(), "istio_requests_total", timedOut);

    MeshHttpResponse r =
        send(
            MeshHttpRequest.builder("GET", "stale:9080", "/fail-once")
                .protocol(HttpProtocol.HTTP_2)
                .build());

    assertThat(r.status()).isEqualTo(504);
    assertThat(r.responseFlags()).isEqualTo("UT"); // after the 503, retried: a 504 of its own
    assertThat(Metrics.value(productpage.prometheusText(), "istio_requests_total", timedOut))
        .isEqualTo(before + 1);
  }

  @Test
  void aRetriableAnswerWithNoRetriesLeftIsFlaggedUrx() throws Exception {
    // Envoy's router: the retry policy would retry this 503, but its one retry is spent.
    Map<String, String> exhausted =
        Map.of("reporter", "source", "response_code", "503", "response_flags", "URX");
    double before = Metrics.value(productpage.prometheusText(), "istio_requests_total", exhausted);

    MeshHttpResponse r = send(MeshHttpRequest.get("stale:9080", "/unavailable"));

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.bodyText()).isEqualTo("always"); // the upstream's answer, passed on
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(r.responseFlags()).isEqualTo("URX");
    assertThat(Metrics.value(productpage.prometheusText(), "istio_requests_total", exhausted))
        .isEqualTo(before + 1);
  }

  @Test
  void aRetryTheRetryCircuitBreakerRefusesIsFlaggedUo() throws Exception {
    MeshHttpResponse r = send(MeshHttpRequest.get("overflow:9080", "/unavailable"));

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.bodyText()).isEqualTo("always");
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.responseFlags()).isEqualTo("UO");
  }

  @Test
  void neitherAppSeesTheMetadataExchangeFields() throws Exception {
    for (String host : List.of("reviews:9080", "reviews-hbone:9080")) {
      for (HttpProtocol p : HttpProtocol.values()) {
        MeshHttpResponse r =
            send(
                MeshHttpRequest.builder("GET", host, "/headers")
                    .protocol(p)
                    .header("x-envoy-peer-metadata", "forged-by-the-app")
                    .header("x-envoy-peer-metadata-id", "forged-id")
                    .build());
        assertThat(r.status()).as(host + " " + p).isEqualTo(200);
        // The server's app: the client agent sent its own fields in place of the app's, and the
        // server agent took them out.
        assertThat(r.bodyText()).as(host + " " + p).doesNotContain("x-envoy-peer");
        // The client's app: the server agent's fields were taken out of the response.
        assertThat(r.headers())
            .as(host + " " + p)
            .extracting(HttpHeader::name)
            .noneMatch(n -> n.startsWith("x-envoy-peer"));
      }
    }
  }

  @Test
  void istioMetricsFromBothReporters() throws Exception {
    // Every label of istio_requests_total, as Istio's stats filter sets them for this call.
    Map<String, String> http = new java.util.LinkedHashMap<>();
    http.put("source_workload", "productpage-v1");
    http.put("source_canonical_service", "productpage");
    http.put("source_canonical_revision", "v1");
    http.put("source_workload_namespace", "default");
    http.put("source_principal", "spiffe://" + PRODUCTPAGE_ID);
    http.put("source_app", "productpage");
    http.put("source_version", "v1");
    http.put("source_cluster", "Kubernetes");
    http.put("destination_workload", "reviews-v1");
    http.put("destination_workload_namespace", "default");
    http.put("destination_principal", REVIEWS_ID.toString());
    http.put("destination_app", "reviews");
    http.put("destination_version", "v1");
    http.put("destination_canonical_service", "reviews");
    http.put("destination_canonical_revision", "v1");
    http.put("destination_service_name", "reviews");
    http.put("destination_service_namespace", "default");
    http.put("destination_cluster", "Kubernetes");
    http.put("request_protocol", "http");
    http.put("response_code", "200");
    http.put("grpc_response_status", "");
    http.put("response_flags", "-");
    Map<String, String> source =
        with(
            http,
            "reporter",
            "source",
            "destination_service",
            "reviews.default.svc.cluster.local",
            "connection_security_policy",
            "unknown");
    // Without inbound cluster metadata the server labels its own canonical service (istiod turns
    // the Host fallback off inbound), whatever host the request named.
    Map<String, String> destination =
        with(
            http,
            "reporter",
            "destination",
            "destination_service",
            "reviews",
            "connection_security_policy",
            "mutual_tls");
    double sourceBefore =
        Metrics.value(productpage.prometheusText(), "istio_requests_total", source);
    double destBefore =
        Metrics.value(reviews.prometheusText(), "istio_requests_total", destination);

    send(MeshHttpRequest.get("reviews:9080", "/metrics-probe"));
    send(
        MeshHttpRequest.builder("GET", "reviews:9080", "/metrics-probe")
            .protocol(HttpProtocol.HTTP_2)
            .build());
    try (MeshSocket s =
        client.connect("echo.default.svc.cluster.local", 9000).get(20, TimeUnit.SECONDS)) {
      assertThat(roundTrip(s, 1000, 3)).isTrue();
    }

    String src = productpage.prometheusText();
    String dst = reviews.prometheusText();
    assertThat(Metrics.labelCount(src, "istio_requests_total")).isEqualTo(source.size());
    // One over HTTP/1.1 and one over HTTP/2: both codecs carry the peers' metadata.
    assertThat(Metrics.value(src, "istio_requests_total", source)).isEqualTo(sourceBefore + 2);
    assertThat(Metrics.value(dst, "istio_requests_total", destination)).isEqualTo(destBefore + 2);
    for (String histogram :
        List.of(
            "istio_request_duration_milliseconds_count",
            "istio_request_bytes_count",
            "istio_response_bytes_count")) {
      assertThat(Metrics.value(src, histogram, source)).as(histogram).isEqualTo(sourceBefore + 2);
      assertThat(Metrics.value(dst, histogram, destination))
          .as(histogram)
          .isEqualTo(destBefore + 2);
    }
    assertThat(Metrics.value(src, "istio_request_duration_milliseconds_sum", source)).isPositive();
    Map<String, String> tcp =
        Map.of(
            "source_principal",
            "spiffe://" + PRODUCTPAGE_ID,
            "destination_principal",
            REVIEWS_ID.toString(),
            "request_protocol",
            "tcp");
    for (String m :
        List.of(
            "istio_tcp_connections_opened_total",
            "istio_tcp_connections_closed_total",
            "istio_tcp_sent_bytes_total",
            "istio_tcp_received_bytes_total")) {
      assertThat(Metrics.value(src, m, with(tcp, "reporter", "source"))).as(m).isPositive();
      assertThat(
              Metrics.value(
                  dst,
                  m,
                  with(tcp, "reporter", "destination", "connection_security_policy", "mutual_tls")))
          .as(m)
          .isPositive();
    }
    assertThat(
            Metrics.value(src, "istio_tcp_received_bytes_total", with(tcp, "reporter", "source")))
        .isGreaterThanOrEqualTo(1000); // what the client sent: the request direction
    assertThat(
            Metrics.value(dst, "istio_tcp_sent_bytes_total", with(tcp, "reporter", "destination")))
        .isGreaterThanOrEqualTo(1000); // the echo back: the response direction
  }

  @Test
  void hboneConnectCarriesBaggageSoTheServerKnowsTheCallersWorkload() throws Exception {
    Map<String, String> tcp =
        Map.of(
            "reporter", "destination",
            "source_workload", "productpage-v1",
            "source_app", "productpage",
            "source_principal", "spiffe://" + PRODUCTPAGE_ID,
            "request_protocol", "tcp");
    double before =
        Metrics.value(reviews.prometheusText(), "istio_tcp_connections_opened_total", tcp);
    try (MeshSocket s =
        client.connect("echo-hbone.default.svc.cluster.local", 9000).get(20, TimeUnit.SECONDS)) {
      assertThat(roundTrip(s, 100, 5)).isTrue();
    }
    // TCP has no headers: the workload comes from the CONNECT's baggage, as ztunnel sends it.
    assertThat(Metrics.value(reviews.prometheusText(), "istio_tcp_connections_opened_total", tcp))
        .isEqualTo(before + 1);
  }

  static Map<String, String> with(Map<String, String> base, String... more) {
    Map<String, String> m = new java.util.HashMap<>(base);
    for (int i = 0; i < more.length; i += 2) {
      m.put(more[i], more[i + 1]);
    }
    return m;
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

  /** Writes {@code size} random bytes, half-closes, reads the echo to EOF; true if identical. */
  static boolean roundTrip(MeshSocket s, int size, long seed) throws Exception {
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try (OutputStream out = s.output()) {
                Random random = new Random(seed);
                byte[] chunk = new byte[64 * 1024];
                for (int left = size; left > 0; left -= chunk.length) {
                  random.nextBytes(chunk);
                  int n = Math.min(left, chunk.length);
                  out.write(chunk, 0, n);
                  sent.update(chunk, 0, n);
                }
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    MessageDigest received = MessageDigest.getInstance("SHA-256");
    InputStream in = s.input();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = in.read(buf)) >= 0; ) {
      received.update(buf, 0, n);
      total += n;
    }
    writer.get(60, TimeUnit.SECONDS);
    return total == size && MessageDigest.isEqual(sent.digest(), received.digest());
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
  void adminServerShowsWhatTheAgentRuns() throws Exception {
    // Where Envoy's admin listens in a sidecar, by default: loopback, 15000.
    InetSocketAddress admin = reviews.startAdmin();
    assertThat(admin.getAddress().isLoopbackAddress()).isTrue();
    assertThat(admin.getPort()).isEqualTo(15000);
    send(MeshHttpRequest.get("reviews:9080", "/admin-probe"));
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + admin.getPort();
    java.util.function.Function<String, java.net.http.HttpResponse<String>> get =
        path -> {
          try {
            return http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        };
    var dump = get.apply("/config_dump");
    assertThat(dump.statusCode()).isEqualTo(200);
    assertThat(dump.body())
        .contains("type.googleapis.com/envoy.admin.v3.ListenersConfigDump", "virtualInbound")
        .contains("\"private_key\"") // present, as "[redacted]" (base64 for bytes)
        .doesNotContain("PRIVATE KEY");
    assertThat(get.apply("/ready").statusCode()).isEqualTo(200);
    assertThat(get.apply("/certs").body())
        .contains("spiffe://cluster.local/ns/default/sa/bookinfo-reviews");
    assertThat(get.apply("/stats/prometheus").body())
        .contains("istio_requests_total{reporter=\"destination\"");
  }

  @Test
  void tcpToAnUnknownDestinationFailsWithTheReason() {
    assertThatThrownBy(() -> client.connect("nowhere", 9000).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("outbound|9000||nowhere");
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
