package io.meshagent.model.cluster;

import io.meshagent.model.endpoint.ClusterLoadAssignment;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An Envoy cluster.
 *
 * @param name for example {@code outbound|9080|v1|reviews.default.svc.cluster.local}
 * @param type how endpoints are found
 * @param edsServiceName the EDS resource to subscribe to (the cluster's name unless set)
 * @param lbPolicy the load-balancing policy
 * @param connectTimeout the connect timeout
 * @param loadAssignment inline endpoints for static and DNS clusters, or null
 * @param transportSocketMatches the names of the transport-socket matches, in order (Istio's {@code
 *     tlsMode-istio}, {@code tlsMode-disabled}, ...)
 */
public record Cluster(
    String name,
    DiscoveryType type,
    String edsServiceName,
    LbPolicy lbPolicy,
    Duration connectTimeout,
    @Nullable ClusterLoadAssignment loadAssignment,
    List<String> transportSocketMatches) {
  public Cluster {
    transportSocketMatches = List.copyOf(transportSocketMatches);
  }
}
