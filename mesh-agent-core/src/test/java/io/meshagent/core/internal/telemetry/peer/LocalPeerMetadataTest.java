package io.meshagent.core.internal.telemetry.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentBuilder;
import io.meshagent.ProxyProfile;
import io.meshagent.core.internal.node.IstioNodeFactory;
import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.WorkloadType;
import io.meshagent.identity.SpiffeId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the agent tells peers about itself, from the node it presents to istiod. */
class LocalPeerMetadataTest {

  private static Node node(Map<String, String> labels) {
    MeshAgentBuilder b =
        MeshAgent.builder()
            .xdsAddress("istiod.istio-system.svc:15012")
            .podName("reviews-v2-7d8b6b7c9f-x5v2q")
            .namespace("bookinfo")
            .serviceAccount("bookinfo-reviews")
            .instanceIps(List.of("10.244.1.17"));
    labels.forEach(b::label);
    return IstioNodeFactory.build(b.buildConfig().node(), ProxyProfile.SIDECAR);
  }

  @Test
  void describesTheNodesWorkload() {
    Node node =
        node(
            Map.of(
                "app", "reviews",
                "version", "v2",
                "service.istio.io/workload-name", "reviews-v2",
                "topology.istio.io/locality", "us-east1/us-east1-b"));
    LocalPeerMetadata local =
        LocalPeerMetadata.of(
            node, SpiffeId.ofIstio("cluster.local", "bookinfo", "bookinfo-reviews"));

    assertThat(local.workload())
        .isEqualTo(
            WorkloadMetadata.builder()
                .name("reviews-v2-7d8b6b7c9f-x5v2q")
                .namespace("bookinfo")
                .workload("reviews-v2")
                .workloadType(WorkloadType.UNKNOWN)
                .canonicalService("reviews")
                .canonicalRevision("v2")
                .app("reviews")
                .version("v2")
                .cluster("Kubernetes")
                .principal("spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews")
                .region("us-east1")
                .zone("us-east1-b")
                .build());
    assertThat(local.metadataId())
        .isEqualTo(
            "sidecar~10.244.1.17~reviews-v2-7d8b6b7c9f-x5v2q.bookinfo~bookinfo.svc.cluster.local");
    // Peers read the header back as the same workload, minus the identity a sidecar never sends.
    assertThat(PeerMetadataHeaders.decode(local.metadata()))
        .isEqualTo(local.workload().toBuilder().principal("").build());
    assertThat(local.baggage())
        .isEqualTo(
            "k8s.pod.name=reviews-v2,service.name=reviews,service.version=v2,"
                + "k8s.namespace.name=bookinfo,k8s.cluster.name=Kubernetes,"
                + "k8s.instance.name=reviews-v2-7d8b6b7c9f-x5v2q,cloud.region=us-east1,"
                + "cloud.availability_zone=us-east1-b");
  }

  @Test
  void canonicalServiceFallsBackAsIstiosInjectorFillsIt() {
    WorkloadMetadata qualified =
        LocalPeerMetadata.workload(
            node(Map.of("app.kubernetes.io/name", "ratings", "app.kubernetes.io/version", "1.2")));
    assertThat(qualified.canonicalService()).isEqualTo("ratings");
    assertThat(qualified.canonicalRevision()).isEqualTo("1.2");

    WorkloadMetadata bare = LocalPeerMetadata.workload(node(Map.of()));
    assertThat(bare.canonicalService()).isEqualTo("reviews-v2-7d8b6b7c9f-x5v2q"); // the workload
    assertThat(bare.canonicalRevision()).isEqualTo("latest");
    assertThat(bare.app()).isEmpty();

    WorkloadMetadata explicit =
        LocalPeerMetadata.workload(
            node(
                Map.of(
                    "app", "reviews",
                    "service.istio.io/canonical-name", "reviews-svc",
                    "service.istio.io/canonical-revision", "r7")));
    assertThat(explicit.canonicalService()).isEqualTo("reviews-svc");
    assertThat(explicit.canonicalRevision()).isEqualTo("r7");
  }
}
