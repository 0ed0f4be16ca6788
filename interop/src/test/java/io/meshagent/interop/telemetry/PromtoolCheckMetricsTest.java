package io.meshagent.interop.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.WorkloadType;
import io.meshagent.core.internal.telemetry.metrics.ConnectionRecord;
import io.meshagent.core.internal.telemetry.metrics.DestinationService;
import io.meshagent.core.internal.telemetry.metrics.IstioMetrics;
import io.meshagent.core.internal.telemetry.metrics.Reporter;
import io.meshagent.core.internal.telemetry.metrics.RequestProtocol;
import io.meshagent.core.internal.telemetry.metrics.RequestRecord;
import io.meshagent.core.internal.telemetry.metrics.SecurityPolicy;
import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.interop.GoPeers;
import io.meshagent.interop.GoPeers.Result;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent's Istio metrics exposition, validated by Prometheus' own {@code promtool check metrics}
 * (built from the Go module proxy at the version {@code interop/promtool/go.mod} pins): it must
 * parse, and lint must find nothing but the one finding Istio's own name carries.
 */
class PromtoolCheckMetricsTest {
  private static final Path PROMTOOL_MODULE =
      Path.of(System.getProperty("interop.promtool.dir", "promtool"));

  /**
   * Istio named its duration histogram before Prometheus' base-unit convention; the name is the
   * contract with every Istio dashboard, so this lint finding is inherent and accepted. Any other
   * finding fails the test.
   */
  private static final String ISTIO_NAMING_FINDING =
      "istio_request_duration_milliseconds use base unit \"seconds\" instead of \"milliseconds\"";

  private static final List<String> FAMILIES =
      List.of(
          "istio_requests_total",
          "istio_request_duration_milliseconds",
          "istio_request_bytes",
          "istio_response_bytes",
          "istio_tcp_sent_bytes_total",
          "istio_tcp_received_bytes_total",
          "istio_tcp_connections_opened_total",
          "istio_tcp_connections_closed_total");

  private static WorkloadMetadata workload(String app, String version, String sa) {
    return WorkloadMetadata.builder()
        .name(app + "-" + version + "-6b746f74dc-9stvs")
        .namespace("bookinfo")
        .workload(app + "-" + version)
        .workloadType(WorkloadType.DEPLOYMENT)
        .canonicalService(app)
        .canonicalRevision(version)
        .app(app)
        .version(version)
        .cluster("Kubernetes")
        .principal("spiffe://cluster.local/ns/bookinfo/sa/" + sa)
        .build();
  }

  /** A realistic mix: both reporters, HTTP, gRPC, TCP, failures, unknown peers, odd hosts. */
  private static String exposition() {
    WorkloadMetadata productpage = workload("productpage", "v1", "bookinfo-productpage");
    WorkloadMetadata ratings = workload("ratings", "v1", "bookinfo-ratings");
    DestinationService reviewsSvc = DestinationService.ofHost("reviews.bookinfo.svc.cluster.local");
    try (IstioMetrics m = IstioMetrics.create()) {
      for (String v : List.of("v1", "v2", "v3")) {
        WorkloadMetadata reviews = workload("reviews", v, "bookinfo-reviews");
        for (int i = 0; i < 50; i++) {
          int code = i % 10 == 0 ? 503 : 200;
          String flags = code == 503 ? "UF,URX" : "-";
          // Outbound from productpage and the same request inbound at reviews.
          m.recordRequest(
              new RequestRecord(
                  Reporter.SOURCE,
                  productpage,
                  reviews,
                  reviewsSvc,
                  RequestProtocol.HTTP,
                  code,
                  -1,
                  flags,
                  SecurityPolicy.UNKNOWN,
                  1_000_000L * i + 250_000,
                  180 + i,
                  900 * i));
          m.recordRequest(
              new RequestRecord(
                  Reporter.DESTINATION,
                  productpage,
                  reviews,
                  reviewsSvc,
                  RequestProtocol.HTTP,
                  code,
                  -1,
                  flags,
                  SecurityPolicy.MUTUAL_TLS,
                  900_000L * i,
                  180 + i,
                  900 * i));
        }
      }
      DestinationService ratingsSvc =
          DestinationService.ofHost("ratings.bookinfo.svc.cluster.local");
      for (int status : new int[] {0, 0, 0, 14, 4}) {
        m.recordRequest(
            new RequestRecord(
                Reporter.SOURCE,
                productpage,
                ratings,
                ratingsSvc,
                RequestProtocol.GRPC,
                200,
                status,
                "-",
                SecurityPolicy.UNKNOWN,
                2_000_000,
                95,
                60));
      }
      // Plaintext from outside the mesh, and a Host header nobody sanitized.
      m.recordRequest(
          new RequestRecord(
              Reporter.DESTINATION,
              WorkloadMetadata.UNKNOWN,
              ratings,
              DestinationService.ofHost("we\"ird\\host\nname"),
              RequestProtocol.HTTP,
              404,
              -1,
              "NR",
              SecurityPolicy.NONE,
              120_000,
              77,
              0));
      m.recordRequest(
          new RequestRecord(
              Reporter.SOURCE,
              productpage,
              WorkloadMetadata.UNKNOWN,
              DestinationService.ofHost("api.example.com"),
              RequestProtocol.HTTP,
              0,
              -1,
              "UH",
              SecurityPolicy.UNKNOWN,
              5_000_000_000L,
              0,
              0));
      TcpConnectionMetrics mysql =
          m.tcpConnection(
              new ConnectionRecord(
                  Reporter.SOURCE,
                  ratings,
                  workload("mysqldb", "v1", "bookinfo-mysql"),
                  DestinationService.ofHost("mysqldb.bookinfo.svc.cluster.local"),
                  "-",
                  SecurityPolicy.UNKNOWN));
      mysql.recordOpen();
      mysql.recordBytes(4096, 512);
      mysql.recordBytes(0, 128);
      mysql.recordClose();
      TcpConnectionMetrics inbound =
          m.tcpConnection(
              new ConnectionRecord(
                  Reporter.DESTINATION,
                  WorkloadMetadata.UNKNOWN,
                  ratings,
                  DestinationService.UNKNOWN,
                  "",
                  SecurityPolicy.NONE));
      inbound.recordOpen();
      inbound.recordBytes(10, 20);
      return m.prometheusText();
    }
  }

  @Test
  void promtoolAcceptsTheExposition() throws Exception {
    Path promtool =
        GoPeers.tool(PROMTOOL_MODULE, "github.com/prometheus/prometheus/cmd/promtool", "promtool");
    String text = exposition();
    for (String family : FAMILIES) {
      assertThat(text).contains("# TYPE " + family + " ");
    }

    Result lint =
        GoPeers.runWithInput(PROMTOOL_MODULE, 2, text, promtool.toString(), "check", "metrics");
    List<String> findings = lint.output().lines().filter(l -> !l.isBlank()).toList();
    // Exit 0: clean; 3: lint findings only; anything else (1: unparsable) fails here.
    assertThat(lint.exit()).as("promtool check metrics:\n%s", lint.output()).isIn(0, 3);
    assertThat(findings).as("promtool lint findings").containsOnly(ISTIO_NAMING_FINDING);

    // A clean lint would also follow from reading nothing; the cardinality report shows that
    // promtool parsed every family.
    Result extended =
        GoPeers.runWithInput(
            PROMTOOL_MODULE,
            2,
            text,
            promtool.toString(),
            "check",
            "metrics",
            "--lint=none",
            "--extended");
    assertThat(extended.exit()).as("promtool --extended:\n%s", extended.output()).isZero();
    for (String family : FAMILIES) {
      assertThat(extended.output()).contains(family);
    }
  }
}
