package io.meshagent.core.internal.telemetry.metrics;

import static io.meshagent.core.internal.telemetry.metrics.Bookinfo.PRODUCTPAGE;
import static io.meshagent.core.internal.telemetry.metrics.Bookinfo.REVIEWS;
import static io.meshagent.core.internal.telemetry.metrics.Bookinfo.REVIEWS_SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Istio's standard metrics, checked in the exact Prometheus text a scrape returns. */
class IstioMetricsTest {
  private final IstioMetrics metrics = IstioMetrics.create();

  @AfterEach
  void close() {
    metrics.close();
  }

  /** The labels of productpage → reviews as reviews reports it, in Istio's order. */
  private static final String INBOUND_LABELS =
      "reporter=\"destination\","
          + "source_workload=\"productpage-v1\","
          + "source_canonical_service=\"productpage\","
          + "source_canonical_revision=\"v1\","
          + "source_workload_namespace=\"bookinfo\","
          + "source_principal=\"spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage\","
          + "source_app=\"productpage\","
          + "source_version=\"v1\","
          + "source_cluster=\"Kubernetes\","
          + "destination_workload=\"reviews-v2\","
          + "destination_workload_namespace=\"bookinfo\","
          + "destination_principal=\"spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews\","
          + "destination_app=\"reviews\","
          + "destination_version=\"v2\","
          + "destination_service=\"reviews.bookinfo.svc.cluster.local\","
          + "destination_canonical_service=\"reviews\","
          + "destination_canonical_revision=\"v2\","
          + "destination_service_name=\"reviews\","
          + "destination_service_namespace=\"bookinfo\","
          + "destination_cluster=\"Kubernetes\","
          + "request_protocol=\"http\","
          + "response_code=\"200\","
          + "grpc_response_status=\"\","
          + "response_flags=\"-\","
          + "connection_security_policy=\"mutual_tls\"";

  private static final String[] BOUNDS = {
    "0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000", "10000",
    "30000", "60000", "300000", "600000", "1800000", "3600000"
  };

  /** A histogram's lines for one series whose observations all fall in the bucket {@code from}. */
  private static String histogram(String name, String labels, String from, int count, String sum) {
    StringBuilder b = new StringBuilder();
    boolean reached = false;
    for (String le : BOUNDS) {
      reached |= le.equals(from);
      b.append(name + "_bucket{" + labels + ",le=\"" + le + "\"} " + (reached ? count : 0) + "\n");
    }
    b.append(name + "_bucket{" + labels + ",le=\"+Inf\"} " + count + "\n");
    b.append(name + "_sum{" + labels + "} " + sum + "\n");
    b.append(name + "_count{" + labels + "} " + count + "\n");
    return b.toString();
  }

  @Test
  void anInboundRequestInPrometheusText() {
    metrics.recordRequest(Bookinfo.inbound(200, 2_000_000, 300, 1500));
    metrics.recordRequest(Bookinfo.inbound(200, 2_500_000, 400, 2000));

    assertThat(metrics.prometheusText())
        .isEqualTo(
            "# HELP istio_request_bytes Request size in bytes, headers included.\n"
                + "# TYPE istio_request_bytes histogram\n"
                + histogram("istio_request_bytes", INBOUND_LABELS, "500", 2, "700")
                + "# HELP istio_request_duration_milliseconds Request duration in milliseconds.\n"
                + "# TYPE istio_request_duration_milliseconds histogram\n"
                + histogram("istio_request_duration_milliseconds", INBOUND_LABELS, "5", 2, "4.5")
                + "# HELP istio_requests_total Requests handled.\n"
                + "# TYPE istio_requests_total counter\n"
                + "istio_requests_total{"
                + INBOUND_LABELS
                + "} 2\n"
                + "# HELP istio_response_bytes Response size in bytes, headers included.\n"
                + "# TYPE istio_response_bytes histogram\n"
                + histogram("istio_response_bytes", INBOUND_LABELS, "2500", 2, "3500"));
  }

  @Test
  void histogramBucketsAreCumulative() {
    metrics.recordRequest(Bookinfo.inbound(200, 300_000, 0, 0)); // 0.3 ms
    metrics.recordRequest(Bookinfo.inbound(200, 7_000_000, 0, 0)); // 7 ms
    metrics.recordRequest(Bookinfo.inbound(200, 4_000_000_000_000L, 0, 0)); // past the last bound

    String text = metrics.prometheusText();
    String d = "istio_request_duration_milliseconds_bucket{" + INBOUND_LABELS;
    assertThat(text)
        .contains(d + ",le=\"0.5\"} 1\n")
        .contains(d + ",le=\"5\"} 1\n")
        .contains(d + ",le=\"10\"} 2\n")
        .contains(d + ",le=\"3600000\"} 2\n")
        .contains(d + ",le=\"+Inf\"} 3\n")
        .contains("istio_request_duration_milliseconds_sum{" + INBOUND_LABELS + "} 4000007.3\n");
    // Zero-byte requests land in the first bucket, as Envoy counts them.
    assertThat(text).contains("istio_request_bytes_bucket{" + INBOUND_LABELS + ",le=\"0.5\"} 3\n");
  }

  @Test
  void aTcpConnectionInPrometheusText() {
    // Outbound from productpage; the peer known only from its certificate.
    WorkloadMetadata peer =
        WorkloadMetadata.UNKNOWN.withPrincipal(
            io.meshagent.identity.SpiffeId.parse(
                "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews"));
    TcpConnectionMetrics c =
        metrics.tcpConnection(
            new ConnectionRecord(
                Reporter.SOURCE,
                PRODUCTPAGE,
                peer,
                DestinationService.UNKNOWN,
                "",
                SecurityPolicy.UNKNOWN));
    c.recordOpen();
    c.recordBytes(100, 2000);
    c.recordBytes(20, 0);
    c.recordClose();

    String labels =
        "reporter=\"source\","
            + "source_workload=\"productpage-v1\","
            + "source_canonical_service=\"productpage\","
            + "source_canonical_revision=\"v1\","
            + "source_workload_namespace=\"bookinfo\","
            + "source_principal=\"spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage\","
            + "source_app=\"productpage\","
            + "source_version=\"v1\","
            + "source_cluster=\"Kubernetes\","
            + "destination_workload=\"unknown\","
            + "destination_workload_namespace=\"bookinfo\","
            + "destination_principal=\"spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews\","
            + "destination_app=\"unknown\","
            + "destination_version=\"unknown\","
            + "destination_service=\"unknown\","
            + "destination_canonical_service=\"unknown\","
            + "destination_canonical_revision=\"latest\","
            + "destination_service_name=\"unknown\","
            + "destination_service_namespace=\"bookinfo\","
            + "destination_cluster=\"unknown\","
            + "request_protocol=\"tcp\","
            + "response_flags=\"-\","
            + "connection_security_policy=\"unknown\"";
    assertThat(metrics.prometheusText())
        .isEqualTo(
            "# HELP istio_tcp_connections_closed_total TCP connections closed.\n"
                + "# TYPE istio_tcp_connections_closed_total counter\n"
                + "istio_tcp_connections_closed_total{"
                + labels
                + "} 1\n"
                + "# HELP istio_tcp_connections_opened_total TCP connections opened.\n"
                + "# TYPE istio_tcp_connections_opened_total counter\n"
                + "istio_tcp_connections_opened_total{"
                + labels
                + "} 1\n"
                + "# HELP istio_tcp_received_bytes_total Bytes received in the request direction"
                + " of TCP connections.\n"
                + "# TYPE istio_tcp_received_bytes_total counter\n"
                + "istio_tcp_received_bytes_total{"
                + labels
                + "} 2000\n"
                + "# HELP istio_tcp_sent_bytes_total Bytes sent in the response direction of TCP"
                + " connections.\n"
                + "# TYPE istio_tcp_sent_bytes_total counter\n"
                + "istio_tcp_sent_bytes_total{"
                + labels
                + "} 120\n");
  }

  /** The access log's TCP line is told a connection's totals, with metrics or without. */
  @Test
  void aCloseListenerIsToldTheTotalsOnceTheConnectionCloses() {
    TcpConnectionMetrics counted =
        metrics.tcpConnection(
            new ConnectionRecord(
                Reporter.SOURCE,
                PRODUCTPAGE,
                WorkloadMetadata.UNKNOWN,
                DestinationService.UNKNOWN,
                "",
                SecurityPolicy.UNKNOWN));
    for (TcpConnectionMetrics m : List.of(counted, TcpConnectionMetrics.NOOP)) {
      List<String> told = new ArrayList<>();
      TcpConnectionMetrics logged =
          m.withCloseListener((sent, received) -> told.add(sent + "/" + received));
      logged.recordOpen();
      logged.recordBytes(100, 2000);
      logged.recordBytes(20, 0);
      assertThat(told).isEmpty();
      logged.recordClose();
      assertThat(told).containsExactly("120/2000");
    }
    // The metrics themselves were recorded through the listening copy.
    assertThat(metrics.prometheusText()).contains("} 2000\n").contains("} 120\n");
  }

  @Test
  void eachLabelSetIsItsOwnSeries() {
    metrics.recordRequest(Bookinfo.inbound(200, 1, 1, 1));
    metrics.recordRequest(Bookinfo.inbound(503, 1, 1, 1));
    metrics.recordRequest(Bookinfo.inbound(200, 1, 1, 1));

    String text = metrics.prometheusText();
    assertThat(text).contains("istio_requests_total{" + INBOUND_LABELS + "} 2\n");
    assertThat(text)
        .contains(
            "istio_requests_total{"
                + INBOUND_LABELS.replace("response_code=\"200\"", "response_code=\"503\"")
                + "} 1\n");
  }

  @Test
  void grpcRequestsCarryTheirStatus() {
    metrics.recordRequest(
        new RequestRecord(
            Reporter.SOURCE,
            PRODUCTPAGE,
            REVIEWS,
            REVIEWS_SERVICE,
            RequestProtocol.GRPC,
            200,
            14,
            "",
            SecurityPolicy.UNKNOWN,
            1,
            1,
            1));
    assertThat(metrics.prometheusText())
        .contains("request_protocol=\"grpc\",response_code=\"200\",grpc_response_status=\"14\",");
  }

  @Test
  void concurrentRecordingLosesNothing() throws Exception {
    int threads = 4;
    int perThread = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int code = t % 2 == 0 ? 200 : 404;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    metrics.recordRequest(Bookinfo.inbound(code, 1_000_000, 10, 10));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    String text = metrics.prometheusText();
    assertThat(text).contains("istio_requests_total{" + INBOUND_LABELS + "} 40000\n");
    assertThat(text)
        .contains(
            "istio_request_duration_milliseconds_count{"
                + INBOUND_LABELS.replace("\"200\"", "\"404\"")
                + "} 40000\n");
  }

  @Test
  void seriesPastTheLimitFoldIntoOneOverflowSeries() {
    try (IstioMetrics small = IstioMetrics.create(3)) {
      for (int code = 200; code < 210; code++) {
        small.recordRequest(Bookinfo.inbound(code, 1, 1, 1));
      }
      String text = small.prometheusText();
      assertThat(text).contains("istio_requests_total{otel_metric_overflow=\"true\"}");
      assertThat(text.lines().filter(l -> l.startsWith("istio_requests_total{"))).hasSize(3);
    }
  }
}
