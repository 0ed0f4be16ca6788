package io.meshagent.model.route;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An Envoy route configuration.
 *
 * @param name for example {@code 8080} (sidecar) or {@code outbound|9080||reviews.default.svc...}
 * @param virtualHosts in order
 * @param ignorePortInHostMatching whether the authority's port is ignored when picking the virtual
 *     host (istiod sets it on sidecar route configurations)
 * @param headerOps the configuration-level header changes
 * @param fault the configuration-level fault injection override ({@code typed_per_filter_config}),
 *     or null
 * @param cors the configuration-level CORS policy ({@code typed_per_filter_config}), or null
 */
public record RouteConfiguration(
    String name,
    List<VirtualHost> virtualHosts,
    boolean ignorePortInHostMatching,
    HeaderOps headerOps,
    @Nullable FaultPolicy fault,
    @Nullable CorsPolicy cors) {
  public RouteConfiguration {
    virtualHosts = List.copyOf(virtualHosts);
  }

  /** A route configuration without configuration-level fault injection or CORS. */
  public RouteConfiguration(
      String name,
      List<VirtualHost> virtualHosts,
      boolean ignorePortInHostMatching,
      HeaderOps headerOps) {
    this(name, virtualHosts, ignorePortInHostMatching, headerOps, null, null);
  }
}
