package io.meshagent.netty.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshagent.MeshAgent;
import io.meshagent.ProxyProfile;
import io.meshagent.core.internal.node.IstioNodeFactory;
import io.meshagent.core.internal.telemetry.accesslog.AccessLog;
import io.meshagent.core.internal.telemetry.metrics.IstioMetrics;
import io.meshagent.core.internal.telemetry.peer.LocalPeerMetadata;
import io.meshagent.core.internal.telemetry.tracing.RequestSpans;
import io.meshagent.core.internal.telemetry.tracing.TracePropagation;
import io.meshagent.identity.SpiffeId;
import io.meshagent.model.cluster.CircuitBreakerThresholds;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.DiscoveryType;
import io.meshagent.model.cluster.IstioService;
import io.meshagent.model.cluster.LbPolicy;
import io.meshagent.model.cluster.UpstreamTransport;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Where {@code destination_service} comes from, as Istio's stats filter takes it ({@code
 * istio_stats.cc}): the first service of the {@code istio} metadata of the cluster the request went
 * through; else, on the client side, the request's {@code Host} as it came, and on the server side
 * (istiod turns the {@code Host} fallback off there) the local canonical service.
 */
class TelemetryServiceLabelsTest {
  private static final String INBOUND = "inbound|9080||";

  private static Cluster inbound(List<IstioService> services) {
    return new Cluster(
        INBOUND,
        DiscoveryType.ORIGINAL_DST,
        INBOUND,
        LbPolicy.CLUSTER_PROVIDED,
        Duration.ofSeconds(10),
        null,
        List.of(),
        UpstreamTransport.Plaintext.INSTANCE,
        null,
        CircuitBreakerThresholds.DEFAULTS,
        services);
  }

  /** A service of the bookinfo namespace, as istiod names it in the cluster's metadata. */
  private static IstioService bookinfo(String name) {
    return new IstioService(name + ".bookinfo.svc.cluster.local", name, "bookinfo");
  }

  static Telemetry telemetry(Map<String, Cluster> clusters) {
    return telemetry(clusters::get, () -> clusters);
  }

  private static Telemetry telemetry(
      Function<String, @Nullable Cluster> clusters, Supplier<?> generation) {
    Node node =
        IstioNodeFactory.build(
            MeshAgent.builder()
                .xdsAddress("istiod.istio-system.svc:15012")
                .podName("reviews-v1-0")
                .namespace("bookinfo")
                .serviceAccount("reviews")
                .buildConfig()
                .node(),
            ProxyProfile.SIDECAR);
    LocalPeerMetadata me =
        LocalPeerMetadata.of(node, SpiffeId.ofIstio("cluster.local", "bookinfo", "reviews"));
    return new Telemetry(
        IstioMetrics.create(),
        () -> me,
        AccessLog.create(false),
        RequestSpans.create(OpenTelemetry.noop()),
        TracePropagation.defaults(),
        clusters,
        generation);
  }

  private static String serve(Telemetry t, String authority) {
    MeshHttpRequest r = MeshHttpRequest.get(authority, "/reviews/1");
    InboundContext from =
        new InboundContext(
            SpiffeId.ofIstio("cluster.local", "bookinfo", "productpage"), "10.0.0.1:4000", "mtls");
    t.inbound(r, from, null, INBOUND).finish(MeshHttpResponse.of(200, "ok"), "");
    return t.prometheusText();
  }

  @Test
  void theInboundClustersMetadataNamesTheService() {
    Telemetry t = telemetry(Map.of(INBOUND, inbound(List.of(bookinfo("reviews")))));

    String text = serve(t, "10.0.0.2:9080"); // a pod IP: the host alone would name no service

    assertThat(text)
        .contains("destination_service=\"reviews.bookinfo.svc.cluster.local\"")
        .contains("destination_service_name=\"reviews\"")
        .contains("destination_service_namespace=\"bookinfo\"");
  }

  @Test
  void ofSeveralServicesTheFirstIsTaken() {
    Telemetry t =
        telemetry(
            Map.of(INBOUND, inbound(List.of(bookinfo("reviews"), bookinfo("reviews-canary")))));

    String text = serve(t, "reviews-canary.bookinfo.svc.cluster.local:9080");

    assertThat(text).contains("destination_service_name=\"reviews\"");
  }

  @Test
  void aNewSnapshotIsAskedAgainWhileTheSameOneIsRemembered() {
    Map<String, Cluster> first = Map.of(INBOUND, inbound(List.of(bookinfo("reviews"))));
    Map<String, Cluster> second = Map.of(INBOUND, inbound(List.of(bookinfo("ratings"))));
    AtomicReference<Map<String, Cluster>> snapshot = new AtomicReference<>(first);
    Telemetry t = telemetry(name -> snapshot.get().get(name), snapshot::get);

    assertThat(serve(t, "10.0.0.2:9080")).contains("destination_service_name=\"reviews\"");
    snapshot.set(second); // a CDS update: the service is labelled from the new cluster
    assertThat(serve(t, "10.0.0.2:9080")).contains("destination_service_name=\"ratings\"");
  }

  @Test
  void withoutMetadataTheServerSideNamesItsOwnCanonicalService() {
    Telemetry t = telemetry(Map.of(INBOUND, inbound(List.of())));

    String text = serve(t, "ratings.other.svc.cluster.local:9080"); // not the Host

    assertThat(text)
        .contains("destination_service=\"reviews-v1-0\"")
        .contains("destination_service_name=\"reviews-v1-0\"")
        .contains("destination_service_namespace=\"bookinfo\"");
  }

  private static String call(Telemetry t, String authority, String cluster) {
    MeshHttpRequest r = MeshHttpRequest.get(authority, "/ratings/1");
    t.outbound(r, cluster)
        .finish(MeshHttpResponse.of(200, "ok").withUpstream(null, cluster, "10.0.0.3:9080", 1, ""));
    return t.prometheusText();
  }

  @Test
  void withoutMetadataTheClientSideLabelsTheHostAsItCame() {
    Telemetry t = telemetry(Map.of());

    String text = call(t, "ratings:9080", "outbound|9080||ratings.bookinfo.svc.cluster.local");

    assertThat(text)
        .contains("destination_service=\"ratings:9080\"")
        .contains("destination_service_name=\"ratings:9080\"")
        .contains("destination_service_namespace=\"unknown\"");
  }

  @Test
  void passthroughAndBlackHoleClustersNameTheServiceOnTheClientSide() {
    Telemetry t = telemetry(Map.of());

    assertThat(call(t, "api.example.com:443", "PassthroughCluster"))
        .contains("destination_service=\"api.example.com:443\"")
        .contains("destination_service_name=\"PassthroughCluster\"");
    assertThat(call(t, "blocked.example.com", "BlackHoleCluster"))
        .contains("destination_service_name=\"BlackHoleCluster\"");
  }
}
