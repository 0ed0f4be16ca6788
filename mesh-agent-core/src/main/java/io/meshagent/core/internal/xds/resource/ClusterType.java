package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.model.cluster.CircuitBreakerThresholds;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.DiscoveryType;
import io.meshagent.model.cluster.IstioService;
import io.meshagent.model.cluster.LbPolicy;
import io.meshagent.model.cluster.OutlierDetectionPolicy;
import io.meshagent.model.cluster.TransportSocketMatch;
import io.meshagent.model.cluster.UpstreamTransport;
import io.meshagent.model.endpoint.ClusterLoadAssignment;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** CDS: {@code envoy.config.cluster.v3.Cluster} to {@link Cluster}. */
public final class ClusterType implements XdsResourceType<Cluster> {
  /** The instance. */
  public static final ClusterType INSTANCE = new ClusterType();

  /** Envoy's connect timeout when a cluster sets none. */
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private static final String SUPPORTED_LB_POLICIES =
      "ROUND_ROBIN, LEAST_REQUEST, RING_HASH, RANDOM, MAGLEV, CLUSTER_PROVIDED";

  private ClusterType() {}

  @Override
  public String typeUrl() {
    return ResourceTypes.CLUSTER;
  }

  @Override
  public Descriptor descriptor() {
    return io.envoyproxy.envoy.config.cluster.v3.Cluster.getDescriptor();
  }

  @Override
  public boolean wildcard() {
    return true;
  }

  @Override
  public Class<Cluster> valueClass() {
    return Cluster.class;
  }

  @Override
  public Parsed<Cluster> parse(Any resource) throws ResourceInvalidException {
    var proto = Anys.unpack(resource, io.envoyproxy.envoy.config.cluster.v3.Cluster.class, "");
    if (proto.getName().isEmpty()) {
      throw new ResourceInvalidException("name: must not be empty");
    }
    return new Parsed<>(proto.getName(), convert(proto));
  }

  static Cluster convert(io.envoyproxy.envoy.config.cluster.v3.Cluster proto)
      throws ResourceInvalidException {
    DiscoveryType type = discoveryType(proto);
    String edsServiceName =
        proto.hasEdsClusterConfig() && !proto.getEdsClusterConfig().getServiceName().isEmpty()
            ? proto.getEdsClusterConfig().getServiceName()
            : proto.getName();
    LbPolicy lbPolicy = lbPolicy(proto);
    Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    if (proto.hasConnectTimeout()) {
      connectTimeout = Durations.of(proto.getConnectTimeout(), "connect_timeout");
      if (connectTimeout.isZero()) {
        throw new ResourceInvalidException("connect_timeout: must be greater than 0");
      }
    }
    // EDS clusters take their endpoints from EDS; an inline assignment is ignored, as Envoy does.
    ClusterLoadAssignment loadAssignment = null;
    if (type != DiscoveryType.EDS && proto.hasLoadAssignment()) {
      loadAssignment =
          ClusterLoadAssignmentType.convert(proto.getLoadAssignment(), "load_assignment");
      if (loadAssignment.clusterName().isEmpty()) {
        loadAssignment =
            new ClusterLoadAssignment(
                proto.getName(),
                loadAssignment.localities(),
                loadAssignment.overprovisioningFactor());
      }
    }
    List<TransportSocketMatch> transportSocketMatches =
        UpstreamTransports.matches(proto.getTransportSocketMatchesList(), "");
    UpstreamTransport defaultTransport =
        proto.hasTransportSocket()
            ? UpstreamTransports.transport(proto.getTransportSocket(), "transport_socket")
            : UpstreamTransport.Plaintext.INSTANCE;
    OutlierDetectionPolicy outlierDetection =
        proto.hasOutlierDetection()
            ? ClusterPolicies.outlierDetection(proto.getOutlierDetection(), "outlier_detection")
            : null;
    CircuitBreakerThresholds circuitBreakers =
        proto.hasCircuitBreakers()
            ? ClusterPolicies.circuitBreakers(proto.getCircuitBreakers(), "circuit_breakers")
            : CircuitBreakerThresholds.DEFAULTS;
    return new Cluster(
        proto.getName(),
        type,
        edsServiceName,
        lbPolicy,
        connectTimeout,
        loadAssignment,
        transportSocketMatches,
        defaultTransport,
        outlierDetection,
        circuitBreakers,
        istioServices(proto));
  }

  /**
   * The {@code services} of the cluster's {@code istio} filter metadata, as istiod writes them for
   * telemetry. Metadata is informational: entries of another shape are skipped, never NACKed.
   */
  static List<IstioService> istioServices(io.envoyproxy.envoy.config.cluster.v3.Cluster proto) {
    if (!proto.hasMetadata()) {
      return List.of();
    }
    com.google.protobuf.Struct istio = proto.getMetadata().getFilterMetadataMap().get("istio");
    com.google.protobuf.Value services =
        istio == null ? null : istio.getFieldsMap().get("services");
    if (services == null || !services.hasListValue()) {
      return List.of();
    }
    List<IstioService> out = new java.util.ArrayList<>();
    for (com.google.protobuf.Value v : services.getListValue().getValuesList()) {
      if (v.hasStructValue()) {
        Map<String, com.google.protobuf.Value> f = v.getStructValue().getFieldsMap();
        String host = text(f.get("host"));
        if (!host.isEmpty()) {
          out.add(new IstioService(host, text(f.get("name")), text(f.get("namespace"))));
        }
      }
    }
    return out;
  }

  private static String text(com.google.protobuf.@org.jspecify.annotations.Nullable Value v) {
    return v != null && v.hasStringValue() ? v.getStringValue() : "";
  }

  private static DiscoveryType discoveryType(io.envoyproxy.envoy.config.cluster.v3.Cluster proto)
      throws ResourceInvalidException {
    return switch (proto.getClusterDiscoveryTypeCase()) {
      case TYPE ->
          switch (proto.getType()) {
            case STATIC -> DiscoveryType.STATIC;
            case STRICT_DNS -> DiscoveryType.STRICT_DNS;
            case LOGICAL_DNS -> DiscoveryType.LOGICAL_DNS;
            case EDS -> DiscoveryType.EDS;
            case ORIGINAL_DST -> DiscoveryType.ORIGINAL_DST;
            case UNRECOGNIZED ->
                throw new ResourceInvalidException(
                    "type: "
                        + proto.getTypeValue()
                        + " is not supported; supported: STATIC, STRICT_DNS, LOGICAL_DNS, EDS,"
                        + " ORIGINAL_DST");
          };
      case CLUSTER_TYPE ->
          throw new ResourceInvalidException(
              "cluster_type: custom cluster type '"
                  + proto.getClusterType().getName()
                  + "' is not supported");
      // proto3's default for the type enum.
      case CLUSTERDISCOVERYTYPE_NOT_SET -> DiscoveryType.STATIC;
    };
  }

  private static LbPolicy lbPolicy(io.envoyproxy.envoy.config.cluster.v3.Cluster proto)
      throws ResourceInvalidException {
    return switch (proto.getLbPolicy()) {
      case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
      case LEAST_REQUEST -> LbPolicy.LEAST_REQUEST;
      case RING_HASH -> LbPolicy.RING_HASH;
      case RANDOM -> LbPolicy.RANDOM;
      case MAGLEV -> LbPolicy.MAGLEV;
      case CLUSTER_PROVIDED -> LbPolicy.CLUSTER_PROVIDED;
      case LOAD_BALANCING_POLICY_CONFIG ->
          throw new ResourceInvalidException(
              "lb_policy: LOAD_BALANCING_POLICY_CONFIG is not supported; supported: "
                  + SUPPORTED_LB_POLICIES);
      case UNRECOGNIZED ->
          throw new ResourceInvalidException(
              "lb_policy: "
                  + proto.getLbPolicyValue()
                  + " is not supported; supported: "
                  + SUPPORTED_LB_POLICIES);
    };
  }
}
