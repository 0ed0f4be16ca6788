package io.meshagent.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.meshagent.traffic.MeshSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Telemetry between the two agents of {@link TwoAgents}: Istio's metrics from both reporters, the
 * flags and labels of local answers, the metadata exchange, and the admin server.
 */
class TwoAgentsTelemetryTest extends TwoAgents {
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

    Map<String, String> tcp =
        Map.of(
            "source_principal",
            "spiffe://" + PRODUCTPAGE_ID,
            "destination_principal",
            REVIEWS_ID.toString(),
            "request_protocol",
            "tcp");
    // The connection's close is recorded on each side as it sees it, after the client's.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(
            () ->
                Metrics.value(
                            productpage.prometheusText(),
                            "istio_tcp_connections_closed_total",
                            with(tcp, "reporter", "source"))
                        > 0
                    && Metrics.value(
                            reviews.prometheusText(),
                            "istio_tcp_connections_closed_total",
                            with(tcp, "reporter", "destination"))
                        > 0);
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
}
