package io.meshagent.netty.internal.admin;

import static io.meshagent.netty.internal.admin.AdminFixture.get;
import static io.meshagent.netty.internal.admin.AdminFixture.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.envoy.admin.v3.CertificateDetails;
import io.envoyproxy.envoy.admin.v3.Certificates;
import io.envoyproxy.envoy.admin.v3.ClusterStatus;
import io.envoyproxy.envoy.admin.v3.Clusters;
import io.envoyproxy.envoy.admin.v3.HostStatus;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.meshagent.MeshAgent;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.agent.AgentInternals;
import io.meshagent.core.internal.outlier.OutlierDetector;
import io.meshagent.core.internal.outlier.Result;
import io.meshagent.core.internal.traffic.ClusterState;
import io.meshagent.core.internal.traffic.Destination;
import io.meshagent.core.internal.traffic.Upstream;
import io.meshagent.snapshot.MeshSnapshot;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /certs}, {@code /ready}, {@code /clusters}, {@code /stats/prometheus}, and the server's
 * HTTP behaviour (404, 405, pipelining), compared with what the agent holds.
 */
class AdminServerTest extends AdminTestBase {
  @Test
  void certsShowTheWorkloadCertificate() throws Exception {
    HttpResponse<String> r = get(url + "/certs");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("PRIVATE");
    Certificates certs = parse(r.body(), Certificates.newBuilder()).build();
    WorkloadCertificate cert = AgentInternals.identity(agent).current();

    assertThat(certs.getCertificatesList()).hasSize(1);
    CertificateDetails leaf = certs.getCertificates(0).getCertChain(0);
    assertThat(leaf.getSubjectAltNamesList())
        .extracting(s -> s.getUri())
        .containsExactly("spiffe://cluster.local/ns/default/sa/bookinfo-productpage");
    assertThat(leaf.getSerialNumber()).isEqualTo(cert.leaf().getSerialNumber().toString(16));
    assertThat(leaf.getValidFrom()).isEqualTo(ConfigDumps.timestamp(cert.notBefore()));
    assertThat(leaf.getExpirationTime()).isEqualTo(ConfigDumps.timestamp(cert.notAfter()));
    long days = java.time.Duration.between(Instant.now(), cert.notAfter()).toDays();
    assertThat(leaf.getDaysUntilExpiration()).isBetween(days - 1, days);
    assertThat(certs.getCertificates(0).getCaCertList())
        .extracting(CertificateDetails::getSerialNumber)
        .containsExactly(cert.roots().get(0).getSerialNumber().toString(16));
  }

  @Test
  void readyOnceConfiguredWithACertificate() throws Exception {
    HttpResponse<String> r = get(url + "/ready");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("LIVE\n");
  }

  @Test
  void notReadyUntilTheInitialConfigurationArrives() throws Exception {
    Path yaml = dir.resolve("late.json");
    try (MeshAgent late = AdminFixture.agent(yaml, dir.resolve("ca"));
        AdminServer server =
            AdminServer.startAdmin(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                late,
                clusters,
                () -> "",
                group,
                worker)) {
      String ready = "http://127.0.0.1:" + server.address().getPort() + "/ready";
      HttpResponse<String> before = get(ready);
      assertThat(before.statusCode()).isEqualTo(503);
      assertThat(before.body())
          .startsWith("INITIALIZING: the initial configuration from file:" + yaml)
          .contains("is not complete");

      AdminFixture.write(yaml, AdminFixture.file("1", RATINGS_CLUSTER, RATINGS_ENDPOINTS));
      await()
          .atMost(java.time.Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(get(ready).statusCode()).isEqualTo(200));
      assertThat(get(ready).body()).isEqualTo("LIVE\n");
    }
  }

  @Test
  void clustersShowEdsHealthOutlierEjectionAndCircuitBreakers() throws Exception {
    MeshSnapshot snapshot = agent.snapshot();
    Destination original = new Destination("reviews", 9080);
    clusters.pick(snapshot, REVIEWS, 1, original); // creates the state; hosts go to the detector
    ClusterState state = clusters.state(REVIEWS);
    OutlierDetector od = state.outlierDetector();
    await().until(() -> od.status().hosts().size() == 3);
    Upstream target = null;
    for (int i = 0; i < 100 && target == null; i++) {
      Upstream u = clusters.pick(snapshot, REVIEWS, i, original);
      if (u.key().equals("10.0.0.1:9080")) {
        target = u;
      }
    }
    assertThat(target).as("10.0.0.1 picked").isNotNull();
    target.finished(Result.httpStatus(503));
    target.finished(Result.httpStatus(503));
    await().until(() -> od.isEjected("10.0.0.1:9080"));

    HttpResponse<String> r = get(url + "/clusters");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains(REVIEWS + "::observability_name::" + REVIEWS + "\n")
        .contains(REVIEWS + "::outlier::success_rate_average::-1\n")
        .contains(REVIEWS + "::default_priority::max_requests::100\n")
        .contains(REVIEWS + "::default_priority::max_connections::1024\n")
        .contains(REVIEWS + "::default_priority::remaining_rq::100\n")
        .contains(REVIEWS + "::added_via_api::true\n")
        .contains(REVIEWS + "::10.0.0.1:9080::health_flags::/failed_outlier_check\n")
        .contains(REVIEWS + "::10.0.0.2:9080::health_flags::healthy\n")
        .contains(REVIEWS + "::10.0.0.3:9080::health_flags::/failed_eds_health\n")
        .contains(REVIEWS + "::10.0.0.1:9080::weight::1\n")
        .contains(REVIEWS + "::10.0.0.1:9080::success_rate::-1\n")
        .contains(RATINGS + "::10.0.1.1:9080::health_flags::healthy\n")
        .doesNotContain(RATINGS + "::outlier");

    HttpResponse<String> json = get(url + "/clusters?format=json");
    assertThat(json.headers().firstValue("content-type")).hasValue("application/json");
    Clusters parsed = parse(json.body(), Clusters.newBuilder()).build();
    ClusterStatus reviews =
        parsed.getClusterStatusesList().stream()
            .filter(c -> c.getName().equals(REVIEWS))
            .findFirst()
            .orElseThrow();
    Map<String, HostStatus> hosts = new HashMap<>();
    for (HostStatus h : reviews.getHostStatusesList()) {
      hosts.put(h.getAddress().getSocketAddress().getAddress(), h);
    }
    assertThat(hosts.get("10.0.0.1").getHealthStatus().getFailedOutlierCheck()).isTrue();
    assertThat(hosts.get("10.0.0.2").getHealthStatus().getFailedOutlierCheck()).isFalse();
    assertThat(hosts.get("10.0.0.3").getHealthStatus().getEdsHealthStatus())
        .isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(reviews.getCircuitBreakers().getThresholds(0).getMaxRequests().getValue())
        .isEqualTo(100);
  }

  @Test
  void statsPassTheMetricsText() throws Exception {
    HttpResponse<String> r = get(url + "/stats/prometheus");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body()).isEqualTo(STATS);
  }

  @Test
  void unknownPathsAre404AndOtherMethods405() throws Exception {
    assertThat(get(url + "/quitquitquit").statusCode()).isEqualTo(404);

    HttpResponse<String> post =
        AdminFixture.HTTP.send(
            HttpRequest.newBuilder(java.net.URI.create(url + "/config_dump"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).hasValue("GET");
  }

  @Test
  void pipelinedResponsesComeInRequestOrder() throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), admin.address().getPort())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      // The dump is built on the worker, /ready at once: the dump must still come first.
      out.write(
          ("GET /config_dump?include_eds HTTP/1.1\r\nHost: admin\r\n\r\n"
                  + "GET /ready HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int dump = all.indexOf("\"configs\"");
      int live = all.indexOf("LIVE");
      assertThat(dump).isPositive();
      assertThat(live).isGreaterThan(dump);
    }
  }
}
