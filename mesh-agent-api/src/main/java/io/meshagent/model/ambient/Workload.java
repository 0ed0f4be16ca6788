package io.meshagent.model.ambient;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An ambient workload (istio.workload.Workload).
 *
 * @param uid the unique id
 * @param name the workload's name
 * @param namespace its namespace
 * @param addresses IP literals
 * @param hostname a DNS name when it has no address
 * @param network its network
 * @param tunnelProtocol how it accepts mesh traffic
 * @param trustDomain its SPIFFE trust domain
 * @param serviceAccount its service account
 * @param waypoint the waypoint serving it, or null
 * @param node the node it runs on
 * @param canonicalName {@code service.istio.io/canonical-name}
 * @param canonicalRevision {@code service.istio.io/canonical-revision}
 * @param workloadName the owning controller's name
 * @param nativeTunnel whether it terminates HBONE itself (as mesh-agent does)
 * @param services {@code namespace/hostname} of each service it backs, with its ports
 * @param authorizationPolicies {@code namespace/name} of policies that select it
 * @param healthy whether it is ready
 * @param clusterId its cluster
 */
public record Workload(
    String uid,
    String name,
    String namespace,
    List<String> addresses,
    String hostname,
    String network,
    TunnelProtocol tunnelProtocol,
    String trustDomain,
    String serviceAccount,
    @Nullable GatewayRef waypoint,
    String node,
    String canonicalName,
    String canonicalRevision,
    String workloadName,
    boolean nativeTunnel,
    Map<String, List<PortMapping>> services,
    List<String> authorizationPolicies,
    boolean healthy,
    String clusterId)
    implements AmbientAddress {
  public Workload {
    addresses = List.copyOf(addresses);
    services = Map.copyOf(services);
    authorizationPolicies = List.copyOf(authorizationPolicies);
  }
}
