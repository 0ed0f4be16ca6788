package io.meshagent.model.ambient;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An ambient service (istio.workload.Service).
 *
 * @param name the service's name
 * @param namespace its namespace
 * @param hostname its DNS name
 * @param addresses {@code network/ip} of each VIP
 * @param ports its ports
 * @param subjectAltNames identities its endpoints may present
 * @param waypoint the waypoint serving it, or null
 */
public record MeshService(
    String name,
    String namespace,
    String hostname,
    List<String> addresses,
    List<PortMapping> ports,
    List<String> subjectAltNames,
    @Nullable GatewayRef waypoint)
    implements AmbientAddress {
  public MeshService {
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
    subjectAltNames = List.copyOf(subjectAltNames);
  }
}
