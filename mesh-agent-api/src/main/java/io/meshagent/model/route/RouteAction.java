package io.meshagent.model.route;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What a matched route does. */
public sealed interface RouteAction {

  /**
   * Forward to a cluster (Envoy's {@code route}).
   *
   * @param cluster a single cluster, or empty
   * @param weightedClusters a weighted split, or empty
   * @param clusterHeader the header naming the cluster, or empty
   * @param timeout the route timeout (Envoy's default 15 s; zero disables it)
   * @param prefixRewrite the path prefix replacement, or null
   * @param hostRewrite the authority replacement, or null
   */
  record Forward(
      String cluster,
      List<WeightedCluster> weightedClusters,
      String clusterHeader,
      Duration timeout,
      @Nullable String prefixRewrite,
      @Nullable String hostRewrite)
      implements RouteAction {
    public Forward {
      weightedClusters = List.copyOf(weightedClusters);
    }

    /** Every cluster this action may pick (empty for a cluster header). */
    public List<String> clusters() {
      if (!cluster.isEmpty()) {
        return List.of(cluster);
      }
      return weightedClusters.stream().map(WeightedCluster::name).toList();
    }
  }

  /**
   * Answer with a redirect.
   *
   * @param scheme the new scheme, or empty to keep it
   * @param host the new host, or empty to keep it
   * @param path the new path, or empty to keep it
   * @param responseCode 301, 302, 303, 307 or 308
   */
  record Redirect(String scheme, String host, String path, int responseCode)
      implements RouteAction {}

  /**
   * Answer directly.
   *
   * @param status the HTTP status
   * @param body the body, possibly empty
   */
  record DirectResponse(int status, String body) implements RouteAction {}

  /** Envoy's {@code non_forwarding_action}: the route matches but forwards nowhere. */
  record NonForwarding() implements RouteAction {}
}
