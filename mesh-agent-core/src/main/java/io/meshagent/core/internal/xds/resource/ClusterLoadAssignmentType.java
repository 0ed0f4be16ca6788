package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.model.endpoint.ClusterLoadAssignment;
import io.meshagent.model.endpoint.Endpoint;
import io.meshagent.model.endpoint.HealthStatus;
import io.meshagent.model.endpoint.Locality;
import io.meshagent.model.endpoint.LocalityEndpoints;
import io.meshagent.snapshot.ResourceTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** EDS: {@code envoy.config.endpoint.v3.ClusterLoadAssignment} to {@link ClusterLoadAssignment}. */
public final class ClusterLoadAssignmentType implements XdsResourceType<ClusterLoadAssignment> {
  /** The instance. */
  public static final ClusterLoadAssignmentType INSTANCE = new ClusterLoadAssignmentType();

  /** Envoy's overprovisioning factor, in percent, when the policy sets none. */
  static final int DEFAULT_OVERPROVISIONING_FACTOR = 140;

  private static final JsonFormat.Printer JSON =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private ClusterLoadAssignmentType() {}

  @Override
  public String typeUrl() {
    return ResourceTypes.CLUSTER_LOAD_ASSIGNMENT;
  }

  @Override
  public Descriptor descriptor() {
    return io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.getDescriptor();
  }

  @Override
  public boolean wildcard() {
    return false;
  }

  @Override
  public Class<ClusterLoadAssignment> valueClass() {
    return ClusterLoadAssignment.class;
  }

  @Override
  public Parsed<ClusterLoadAssignment> parse(Any resource) throws ResourceInvalidException {
    var proto =
        Anys.unpack(
            resource, io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.class, "");
    if (proto.getClusterName().isEmpty()) {
      throw new ResourceInvalidException("cluster_name: must not be empty");
    }
    return new Parsed<>(proto.getClusterName(), convert(proto, ""));
  }

  /**
   * Converts endpoints, from EDS or inline in a cluster.
   *
   * @param path the assignment's field path, empty at the root
   */
  static ClusterLoadAssignment convert(
      io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment proto, String path)
      throws ResourceInvalidException {
    List<LocalityEndpoints> localities = new ArrayList<>(proto.getEndpointsCount());
    for (int i = 0; i < proto.getEndpointsCount(); i++) {
      localities.add(locality(proto.getEndpoints(i), Paths.element(path, "endpoints", i)));
    }
    int factor = DEFAULT_OVERPROVISIONING_FACTOR;
    if (proto.hasPolicy() && proto.getPolicy().hasOverprovisioningFactor()) {
      int value = proto.getPolicy().getOverprovisioningFactor().getValue();
      if (value <= 0) {
        throw new ResourceInvalidException(
            Paths.at(
                Paths.field(path, "policy.overprovisioning_factor"),
                Integer.toUnsignedString(value) + " must be greater than 0"));
      }
      factor = value;
    }
    return new ClusterLoadAssignment(proto.getClusterName(), localities, factor);
  }

  private static LocalityEndpoints locality(LocalityLbEndpoints l, String path)
      throws ResourceInvalidException {
    Locality locality =
        l.hasLocality()
            ? new Locality(
                l.getLocality().getRegion(),
                l.getLocality().getZone(),
                l.getLocality().getSubZone())
            : Locality.NONE;
    int weight = l.hasLoadBalancingWeight() ? l.getLoadBalancingWeight().getValue() : 0;
    if (weight < 0) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "load_balancing_weight"),
              Integer.toUnsignedString(weight) + " is too large"));
    }
    if (l.getPriority() < 0) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "priority"),
              Integer.toUnsignedString(l.getPriority()) + " is too large"));
    }
    List<Endpoint> endpoints = new ArrayList<>(l.getLbEndpointsCount());
    for (int i = 0; i < l.getLbEndpointsCount(); i++) {
      endpoints.add(endpoint(l.getLbEndpoints(i), Paths.element(path, "lb_endpoints", i)));
    }
    return new LocalityEndpoints(locality, l.getPriority(), weight, endpoints);
  }

  private static Endpoint endpoint(LbEndpoint e, String path) throws ResourceInvalidException {
    String addressPath = Paths.field(path, "endpoint.address");
    if (!e.hasEndpoint() || !e.getEndpoint().hasAddress()) {
      throw new ResourceInvalidException(
          Paths.at(addressPath, "an endpoint needs a socket_address"));
    }
    HostPort hostPort = hostPort(e.getEndpoint().getAddress(), addressPath);
    HealthStatus health =
        switch (e.getHealthStatus()) {
          case UNKNOWN -> HealthStatus.UNKNOWN;
          case HEALTHY -> HealthStatus.HEALTHY;
          case UNHEALTHY -> HealthStatus.UNHEALTHY;
          case DRAINING -> HealthStatus.DRAINING;
          case TIMEOUT -> HealthStatus.TIMEOUT;
          case DEGRADED -> HealthStatus.DEGRADED;
          case UNRECOGNIZED ->
              throw new ResourceInvalidException(
                  Paths.at(
                      Paths.field(path, "health_status"),
                      e.getHealthStatusValue() + " is not a known health status"));
        };
    int weight = 1;
    if (e.hasLoadBalancingWeight()) {
      weight = e.getLoadBalancingWeight().getValue();
      if (weight < 1) {
        throw new ResourceInvalidException(
            Paths.at(
                Paths.field(path, "load_balancing_weight"),
                "weight must be >= 1, got " + Integer.toUnsignedString(weight)));
      }
    }
    Map<String, String> metadata =
        e.hasMetadata() ? flatten(e.getMetadata(), Paths.field(path, "metadata")) : Map.of();
    return new Endpoint(hostPort.host(), hostPort.port(), health, weight, metadata);
  }

  private record HostPort(String host, int port) {}

  private static HostPort hostPort(Address address, String path) throws ResourceInvalidException {
    switch (address.getAddressCase()) {
      case SOCKET_ADDRESS -> {
        var s = address.getSocketAddress();
        String p = Paths.field(path, "socket_address");
        if (s.getAddress().isEmpty()) {
          throw new ResourceInvalidException(
              Paths.at(Paths.field(p, "address"), "must not be empty"));
        }
        if (!s.hasPortValue()) {
          throw new ResourceInvalidException(Paths.at(p, "port_value is required"));
        }
        return new HostPort(s.getAddress(), port(s.getPortValue(), Paths.field(p, "port_value")));
      }
      case ENVOY_INTERNAL_ADDRESS -> {
        // istiod's HBONE endpoints (ENABLE_HBONE): connect_originate with endpoint_id "ip:port"
        // and the tunnel address in envoy.filters.listener.original_dst metadata.
        String id = address.getEnvoyInternalAddress().getEndpointId();
        String p = Paths.field(path, "envoy_internal_address.endpoint_id");
        int colon = id.lastIndexOf(':');
        if (colon <= 0) {
          throw new ResourceInvalidException(Paths.at(p, "'" + id + "' is not <ip>:<port>"));
        }
        String host = id.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
          port = Integer.parseInt(id.substring(colon + 1));
        } catch (NumberFormatException ex) {
          throw new ResourceInvalidException(Paths.at(p, "'" + id + "' is not <ip>:<port>"), ex);
        }
        if (host.isEmpty()) {
          throw new ResourceInvalidException(Paths.at(p, "'" + id + "' is not <ip>:<port>"));
        }
        return new HostPort(host, port(port, p));
      }
      default ->
          throw new ResourceInvalidException(Paths.at(path, "an endpoint needs a socket_address"));
    }
  }

  private static int port(int port, String path) throws ResourceInvalidException {
    if (port < 0 || port > 65535) {
      throw new ResourceInvalidException(
          Paths.at(path, Integer.toUnsignedString(port) + " is not a port"));
    }
    return port;
  }

  /**
   * Flattens {@code filter_metadata} to {@code <filter>/<key>}: strings as they are, numbers and
   * booleans as text (integral numbers without a fraction), lists and structs as protobuf JSON.
   */
  static Map<String, String> flatten(Metadata metadata, String path)
      throws ResourceInvalidException {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, Struct> filter : metadata.getFilterMetadataMap().entrySet()) {
      for (Map.Entry<String, Value> field : filter.getValue().getFieldsMap().entrySet()) {
        String key = filter.getKey() + "/" + field.getKey();
        out.put(key, text(field.getValue(), Paths.field(path, "filter_metadata[" + key + "]")));
      }
    }
    return out;
  }

  private static String text(Value v, String path) throws ResourceInvalidException {
    return switch (v.getKindCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case NUMBER_VALUE -> number(v.getNumberValue());
      case NULL_VALUE, KIND_NOT_SET -> "null";
      case STRUCT_VALUE, LIST_VALUE -> {
        try {
          yield JSON.print(v);
        } catch (InvalidProtocolBufferException e) {
          throw new ResourceInvalidException(Paths.at(path, e.getMessage()), e);
        }
      }
    };
  }

  /** Integral numbers without a fraction ({@code 3}, not {@code 3.0}), as JSON prints them. */
  private static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
