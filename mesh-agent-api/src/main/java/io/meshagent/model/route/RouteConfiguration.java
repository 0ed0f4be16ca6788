package io.meshagent.model.route;

import java.util.List;

/**
 * An Envoy route configuration.
 *
 * @param name for example {@code 8080} (sidecar) or {@code outbound|9080||reviews.default.svc...}
 * @param virtualHosts in order
 */
public record RouteConfiguration(String name, List<VirtualHost> virtualHosts) {
  public RouteConfiguration {
    virtualHosts = List.copyOf(virtualHosts);
  }
}
