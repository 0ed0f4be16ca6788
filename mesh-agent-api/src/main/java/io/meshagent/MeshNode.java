package io.meshagent;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Who the agent is to istiod: the xDS node it presents. istiod matches the node to its workload by
 * IP and, on the TLS port, checks namespace and service account against the authenticated identity.
 *
 * @param type the proxy type in the node id; {@code sidecar} for both profiles
 * @param instanceIps the workload's IPs; the first one appears in the node id
 * @param podName the pod (or workload) name
 * @param namespace the workload's namespace
 * @param dnsDomain the DNS domain, {@code <namespace>.svc.cluster.local} unless set
 * @param serviceAccount the Kubernetes service account, part of the SPIFFE identity
 * @param clusterId must equal istiod's cluster id ({@code Kubernetes} by default)
 * @param meshId the mesh id, also the trust domain unless set otherwise
 * @param istioVersion the Istio version the agent presents as, which gates istiod's features
 * @param labels workload labels (app, version, ...)
 * @param metadata further node metadata as strings ({@code ISTIO_META_*})
 * @param jsonMetadata further node metadata as JSON texts ({@code ISTIO_METAJSON_*}), parsed at
 *     start
 * @param nodeIdOverride a node id to use verbatim instead of the one derived from the fields
 */
public record MeshNode(
    String type,
    List<String> instanceIps,
    String podName,
    String namespace,
    String dnsDomain,
    String serviceAccount,
    String clusterId,
    String meshId,
    String istioVersion,
    Map<String, String> labels,
    Map<String, String> metadata,
    Map<String, String> jsonMetadata,
    @Nullable String nodeIdOverride) {

  public MeshNode {
    requireNonNull(type, "type");
    instanceIps = List.copyOf(instanceIps);
    requireNonNull(podName, "podName");
    requireNonNull(namespace, "namespace");
    requireNonNull(dnsDomain, "dnsDomain");
    requireNonNull(serviceAccount, "serviceAccount");
    requireNonNull(clusterId, "clusterId");
    requireNonNull(meshId, "meshId");
    requireNonNull(istioVersion, "istioVersion");
    labels = Map.copyOf(labels);
    metadata = Map.copyOf(metadata);
    jsonMetadata = Map.copyOf(jsonMetadata);
  }

  /**
   * The node id istiod parses: {@code <type>~<ip>~<pod>.<namespace>~<dnsDomain>} (istio/istio
   * {@code pkg/model/proxy.go}).
   */
  public String nodeId() {
    if (nodeIdOverride != null) {
      return nodeIdOverride;
    }
    String ip = instanceIps.isEmpty() ? "" : instanceIps.get(0);
    return type + "~" + ip + "~" + podName + "." + namespace + "~" + dnsDomain;
  }
}
