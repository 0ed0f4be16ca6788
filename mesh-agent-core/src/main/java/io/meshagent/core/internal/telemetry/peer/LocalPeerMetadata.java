package io.meshagent.core.internal.telemetry.peer;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.identity.SpiffeId;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the agent tells peers about itself, computed once from the xDS node it presents: its {@link
 * WorkloadMetadata} and the header values carrying it.
 *
 * @param workload the local workload, for the local side of metrics labels
 * @param metadataId the {@code x-envoy-peer-metadata-id} value: the node id
 * @param metadata the {@code x-envoy-peer-metadata} value
 * @param baggage the {@code baggage} value
 */
public record LocalPeerMetadata(
    WorkloadMetadata workload, String metadataId, String metadata, String baggage) {

  public LocalPeerMetadata {
    requireNonNull(workload, "workload");
    requireNonNull(metadataId, "metadataId");
    requireNonNull(metadata, "metadata");
    requireNonNull(baggage, "baggage");
  }

  /**
   * The metadata of the workload {@code node} describes. {@code principal}, the identity of the
   * agent's certificate when it has one, fills {@link WorkloadMetadata#principal()} for metrics
   * labels only: like a sidecar, the agent sends no identity in its headers, peers read it from the
   * certificate.
   */
  public static LocalPeerMetadata of(Node node, @Nullable SpiffeId principal) {
    requireNonNull(node, "node");
    WorkloadMetadata w = workload(node);
    String metadata = PeerMetadataHeaders.encode(w);
    String baggage = PeerBaggage.encode(w);
    if (principal != null) {
      w = w.withPrincipal(principal);
    }
    return new LocalPeerMetadata(w, node.getId(), metadata, baggage);
  }

  /**
   * The workload in a node's metadata. The canonical service and revision fall back as Istio's
   * injector fills their labels (istio/istio {@code pkg/kube/labels} {@code CanonicalService}):
   * {@code app.kubernetes.io/name}, then {@code app}, then the workload name; {@code
   * app.kubernetes.io/version}, then {@code version}, then {@code latest}. The agent has no
   * injector, so without this a node lacking those labels would report them as unknown.
   */
  static WorkloadMetadata workload(Node node) {
    WorkloadMetadata w =
        MetadataStruct.fromStruct(
            node.getMetadata(), node.hasLocality() ? node.getLocality() : null);
    Map<String, Value> labels =
        node.getMetadata()
            .getFieldsOrDefault(MetadataStruct.LABELS, Value.getDefaultInstance())
            .getStructValue()
            .getFieldsMap();
    return w.toBuilder()
        .canonicalService(
            first(
                MetadataStruct.string(labels, MetadataStruct.CANONICAL_NAME_LABEL),
                MetadataStruct.string(labels, MetadataStruct.APP_QUALIFIED_LABEL),
                MetadataStruct.string(labels, MetadataStruct.APP_LABEL),
                w.workload()))
        .canonicalRevision(
            first(
                MetadataStruct.string(labels, MetadataStruct.CANONICAL_REVISION_LABEL),
                MetadataStruct.string(labels, MetadataStruct.VERSION_QUALIFIED_LABEL),
                MetadataStruct.string(labels, MetadataStruct.VERSION_LABEL),
                "latest"))
        .build();
  }

  private static String first(String... values) {
    for (String v : values) {
      if (!v.isEmpty()) {
        return v;
      }
    }
    return "";
  }
}
