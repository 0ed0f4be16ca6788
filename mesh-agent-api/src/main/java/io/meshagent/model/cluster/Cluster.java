package io.meshagent.model.cluster;

import io.meshagent.model.endpoint.ClusterLoadAssignment;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
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
 * @param transportSocketMatches the transport-socket matches, in order (Istio's {@code hbone},
 *     {@code tlsMode-istio}, {@code tlsMode-disabled}); the first that matches an endpoint wins
 * @param defaultTransport the transport for endpoints no match selects ({@code transport_socket};
 *     plaintext when the cluster sets none)
 * @param outlierDetection the outlier detection, or null when the cluster has none
 * @param circuitBreakers the circuit-breaker limits (Envoy's defaults when the cluster sets none)
 * @param istioServices the services of the cluster's {@code istio} filter metadata, in order; empty
 *     when it has none
 */
public record Cluster(
    String name,
    DiscoveryType type,
    String edsServiceName,
    LbPolicy lbPolicy,
    Duration connectTimeout,
    @Nullable ClusterLoadAssignment loadAssignment,
    List<TransportSocketMatch> transportSocketMatches,
    UpstreamTransport defaultTransport,
    @Nullable OutlierDetectionPolicy outlierDetection,
    CircuitBreakerThresholds circuitBreakers,
    List<IstioService> istioServices) {
  public Cluster {
    transportSocketMatches = List.copyOf(transportSocketMatches);
    Objects.requireNonNull(defaultTransport, "defaultTransport");
    Objects.requireNonNull(circuitBreakers, "circuitBreakers");
    istioServices = List.copyOf(istioServices);
  }
}
