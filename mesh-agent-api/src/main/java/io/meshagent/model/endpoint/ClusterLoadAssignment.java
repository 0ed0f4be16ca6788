package io.meshagent.model.endpoint;

import java.util.List;

/**
 * Endpoints of a cluster.
 *
 * @param clusterName the EDS service name
 * @param localities endpoints grouped by locality and priority
 * @param overprovisioningFactor percent; Envoy's default 140
 */
public record ClusterLoadAssignment(
    String clusterName, List<LocalityEndpoints> localities, int overprovisioningFactor) {
  public ClusterLoadAssignment {
    localities = List.copyOf(localities);
  }

  /** How many endpoints in all localities. */
  public int endpointCount() {
    int n = 0;
    for (LocalityEndpoints l : localities) {
      n += l.endpoints().size();
    }
    return n;
  }
}
