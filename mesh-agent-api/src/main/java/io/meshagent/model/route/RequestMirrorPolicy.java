package io.meshagent.model.route;

/**
 * Envoy's {@code RouteAction.RequestMirrorPolicy}: shadow a share of requests to a cluster.
 *
 * @param cluster the cluster the copies go to
 * @param runtimeFractionPerMillion the share of requests mirrored, in parts per million (1,000,000
 *     when the policy has no runtime fraction)
 */
public record RequestMirrorPolicy(String cluster, int runtimeFractionPerMillion) {}
