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
   * @param retryPolicy the route's retry policy, or null (the virtual host's then applies)
   * @param hashPolicies the hash policies for ring hash and maglev, in order
   * @param mirrors the request mirror policies
   * @param maxStreamDuration {@code max_stream_duration.max_stream_duration}, or null
   * @param grpcTimeoutHeaderMax {@code max_stream_duration.grpc_timeout_header_max}, or null when
   *     the grpc-timeout header is ignored (zero: honoured without a cap)
   * @param regexRewrite the path's regex rewrite, or null
   */
  record Forward(
      String cluster,
      List<WeightedCluster> weightedClusters,
      String clusterHeader,
      Duration timeout,
      @Nullable String prefixRewrite,
      @Nullable String hostRewrite,
      @Nullable RetryPolicy retryPolicy,
      List<HashPolicy> hashPolicies,
      List<RequestMirrorPolicy> mirrors,
      @Nullable Duration maxStreamDuration,
      @Nullable Duration grpcTimeoutHeaderMax,
      @Nullable RegexRewrite regexRewrite)
      implements RouteAction {
    public Forward {
      weightedClusters = List.copyOf(weightedClusters);
      hashPolicies = List.copyOf(hashPolicies);
      mirrors = List.copyOf(mirrors);
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
   * @param port the new port ({@code port_redirect}), or 0 to keep it
   * @param stripQuery whether the query is dropped
   * @param responseCode 301, 302, 303, 307 or 308
   */
  record Redirect(
      String scheme, String host, String path, int port, boolean stripQuery, int responseCode)
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
