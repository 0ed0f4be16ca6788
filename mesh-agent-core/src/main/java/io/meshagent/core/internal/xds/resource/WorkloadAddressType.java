package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import io.meshagent.core.internal.proto.workload.Address;
import io.meshagent.core.internal.proto.workload.GatewayAddress;
import io.meshagent.core.internal.proto.workload.NetworkAddress;
import io.meshagent.core.internal.proto.workload.Port;
import io.meshagent.core.internal.proto.workload.PortList;
import io.meshagent.core.internal.proto.workload.Service;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.model.ambient.AmbientAddress;
import io.meshagent.model.ambient.GatewayRef;
import io.meshagent.model.ambient.MeshService;
import io.meshagent.model.ambient.PortMapping;
import io.meshagent.model.ambient.TunnelProtocol;
import io.meshagent.model.ambient.Workload;
import io.meshagent.snapshot.ResourceTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WDS: {@code istio.workload.Address} to {@link AmbientAddress}. Named as istiod and ztunnel name
 * them: a workload by its uid, a service by {@code namespace/hostname}.
 */
public final class WorkloadAddressType implements XdsResourceType<AmbientAddress> {
  /** The instance. */
  public static final WorkloadAddressType INSTANCE = new WorkloadAddressType();

  private WorkloadAddressType() {}

  @Override
  public String typeUrl() {
    return ResourceTypes.WORKLOAD_ADDRESS;
  }

  @Override
  public Descriptor descriptor() {
    return Address.getDescriptor();
  }

  @Override
  public boolean wildcard() {
    return true;
  }

  @Override
  public Class<AmbientAddress> valueClass() {
    return AmbientAddress.class;
  }

  @Override
  public Parsed<AmbientAddress> parse(Any resource) throws ResourceInvalidException {
    Address address = Anys.unpack(resource, Address.class, "");
    return switch (address.getTypeCase()) {
      case WORKLOAD -> {
        Workload w = workload(address.getWorkload(), "workload");
        yield new Parsed<>(w.uid(), w);
      }
      case SERVICE -> {
        MeshService s = service(address.getService(), "service");
        yield new Parsed<>(s.namespace() + "/" + s.hostname(), s);
      }
      case TYPE_NOT_SET ->
          throw new ResourceInvalidException("type: neither workload nor service is set");
    };
  }

  private static Workload workload(
      io.meshagent.core.internal.proto.workload.Workload w, String path)
      throws ResourceInvalidException {
    if (w.getUid().isEmpty()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(path, "uid"), "must not be empty"));
    }
    List<String> addresses = new ArrayList<>(w.getAddressesCount());
    for (int i = 0; i < w.getAddressesCount(); i++) {
      addresses.add(
          IpAddresses.literal(
              w.getAddresses(i).toByteArray(), Paths.element(path, "addresses", i)));
    }
    TunnelProtocol tunnel =
        switch (w.getTunnelProtocol()) {
          case NONE -> TunnelProtocol.NONE;
          case HBONE -> TunnelProtocol.HBONE;
          case LEGACY_ISTIO_MTLS -> TunnelProtocol.LEGACY_ISTIO_MTLS;
          case UNRECOGNIZED ->
              throw new ResourceInvalidException(
                  Paths.at(
                      Paths.field(path, "tunnel_protocol"),
                      w.getTunnelProtocolValue()
                          + " is not supported; supported: NONE, HBONE, LEGACY_ISTIO_MTLS"));
        };
    GatewayRef waypoint =
        w.hasWaypoint() ? gateway(w.getWaypoint(), Paths.field(path, "waypoint")) : null;
    Map<String, List<PortMapping>> services = new HashMap<>();
    for (Map.Entry<String, PortList> e : w.getServicesMap().entrySet()) {
      services.put(
          e.getKey(),
          ports(e.getValue().getPortsList(), Paths.field(path, "services[" + e.getKey() + "]")));
    }
    boolean healthy =
        switch (w.getStatus()) {
          case HEALTHY -> true;
          case UNHEALTHY -> false;
          case UNRECOGNIZED ->
              throw new ResourceInvalidException(
                  Paths.at(
                      Paths.field(path, "status"),
                      w.getStatusValue() + " is not supported; supported: HEALTHY, UNHEALTHY"));
        };
    return new Workload(
        w.getUid(),
        w.getName(),
        w.getNamespace(),
        addresses,
        w.getHostname(),
        w.getNetwork(),
        tunnel,
        w.getTrustDomain(),
        w.getServiceAccount(),
        waypoint,
        w.getNode(),
        w.getCanonicalName(),
        w.getCanonicalRevision(),
        w.getWorkloadName(),
        w.getNativeTunnel(),
        services,
        w.getAuthorizationPoliciesList(),
        healthy,
        w.getClusterId());
  }

  private static MeshService service(Service s, String path) throws ResourceInvalidException {
    if (s.getNamespace().isEmpty()) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, "namespace"), "must not be empty"));
    }
    if (s.getHostname().isEmpty()) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, "hostname"), "must not be empty"));
    }
    List<String> addresses = new ArrayList<>(s.getAddressesCount());
    for (int i = 0; i < s.getAddressesCount(); i++) {
      addresses.add(networkAddress(s.getAddresses(i), Paths.element(path, "addresses", i)));
    }
    GatewayRef waypoint =
        s.hasWaypoint() ? gateway(s.getWaypoint(), Paths.field(path, "waypoint")) : null;
    return new MeshService(
        s.getName(),
        s.getNamespace(),
        s.getHostname(),
        addresses,
        ports(s.getPortsList(), Paths.field(path, "ports")),
        s.getSubjectAltNamesList(),
        waypoint);
  }

  private static List<PortMapping> ports(List<Port> ports, String path)
      throws ResourceInvalidException {
    List<PortMapping> out = new ArrayList<>(ports.size());
    for (int i = 0; i < ports.size(); i++) {
      Port p = ports.get(i);
      String pp = path + "[" + i + "]";
      out.add(
          new PortMapping(
              port(p.getServicePort(), Paths.field(pp, "service_port")),
              port(p.getTargetPort(), Paths.field(pp, "target_port"))));
    }
    return out;
  }

  private static int port(int port, String path) throws ResourceInvalidException {
    if (port < 0 || port > 65535) {
      throw new ResourceInvalidException(
          Paths.at(path, Integer.toUnsignedString(port) + " is not a port"));
    }
    return port;
  }

  /** {@code network/ip}. */
  private static String networkAddress(NetworkAddress a, String path)
      throws ResourceInvalidException {
    return a.getNetwork()
        + "/"
        + IpAddresses.literal(a.getAddress().toByteArray(), Paths.field(path, "address"));
  }

  private static GatewayRef gateway(GatewayAddress g, String path) throws ResourceInvalidException {
    int port = port(g.getHboneMtlsPort(), Paths.field(path, "hbone_mtls_port"));
    return switch (g.getDestinationCase()) {
      case HOSTNAME ->
          new GatewayRef(
              g.getHostname().getNamespace() + "/" + g.getHostname().getHostname(), "", port);
      case ADDRESS ->
          new GatewayRef("", networkAddress(g.getAddress(), Paths.field(path, "address")), port);
      case DESTINATION_NOT_SET ->
          throw new ResourceInvalidException(Paths.at(path, "neither hostname nor address is set"));
    };
  }
}
