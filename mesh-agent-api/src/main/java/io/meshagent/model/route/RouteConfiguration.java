package io.meshagent.model.route;

import java.util.List;

/**
 * An Envoy route configuration.
 *
 * @param name for example {@code 8080} (sidecar) or {@code outbound|9080||reviews.default.svc...}
 * @param virtualHosts in order
 * @param ignorePortInHostMatching whether the authority's port is ignored when picking the virtual
 *     host (istiod sets it on sidecar route configurations)
 * @param headerOps the configuration-level header changes
 */
public record RouteConfiguration(
    String name,
    List<VirtualHost> virtualHosts,
    boolean ignorePortInHostMatching,
    HeaderOps headerOps) {
  public RouteConfiguration {
    virtualHosts = List.copyOf(virtualHosts);
  }
}
