package io.meshagent.core.internal.lb;

import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.TransportSocketMatch;
import io.meshagent.model.cluster.UpstreamTransport;
import io.meshagent.model.endpoint.Endpoint;
import java.util.Map;

/**
 * Chooses the transport for one endpoint as Envoy does: the first of the cluster's {@code
 * transport_socket_matches} whose labels all appear, with equal values, in the endpoint's {@code
 * envoy.transport_socket_match} metadata; otherwise the cluster's {@code transport_socket}. This is
 * Istio's auto-mTLS: {@code tlsMode: istio} endpoints get Istio mTLS, {@code tunnel: http}
 * endpoints HBONE, the rest plaintext.
 */
public final class TransportChooser {
  /** The filter-metadata namespace Envoy matches transport sockets against. */
  static final String METADATA_PREFIX = "envoy.transport_socket_match/";

  private TransportChooser() {}

  /** The transport {@code cluster} configures for {@code endpoint}; a pure function. */
  public static UpstreamTransport choose(Cluster cluster, Endpoint endpoint) {
    Map<String, String> metadata = endpoint.metadata();
    for (TransportSocketMatch m : cluster.transportSocketMatches()) {
      if (matches(m.match(), metadata)) {
        return m.transport();
      }
    }
    return cluster.defaultTransport();
  }

  private static boolean matches(Map<String, String> labels, Map<String, String> metadata) {
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (!label.getValue().equals(metadata.get(METADATA_PREFIX + label.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
