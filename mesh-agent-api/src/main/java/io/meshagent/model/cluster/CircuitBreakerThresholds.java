package io.meshagent.model.cluster;

import java.util.Objects;

/**
 * A cluster's circuit breakers ({@code envoy.config.cluster.v3.CircuitBreakers}): one set of limits
 * per {@link RoutingPriority}, Envoy's defaults where the cluster sets none.
 *
 * <p>Not modelled: {@code retry_budget} (the fixed {@code max_retries} applies), {@code
 * track_remaining}, {@code max_connection_pools} and {@code per_host_thresholds}.
 *
 * @param defaultPriority the limits for {@link RoutingPriority#DEFAULT} traffic
 * @param highPriority the limits for {@link RoutingPriority#HIGH} traffic
 */
public record CircuitBreakerThresholds(Limits defaultPriority, Limits highPriority) {
  /** Envoy's limits for a cluster with no circuit breakers, at either priority. */
  public static final CircuitBreakerThresholds DEFAULTS =
      new CircuitBreakerThresholds(Limits.DEFAULTS, Limits.DEFAULTS);

  public CircuitBreakerThresholds {
    Objects.requireNonNull(defaultPriority, "defaultPriority");
    Objects.requireNonNull(highPriority, "highPriority");
  }

  /** The limits for a priority. */
  public Limits forPriority(RoutingPriority priority) {
    return switch (priority) {
      case DEFAULT -> defaultPriority;
      case HIGH -> highPriority;
    };
  }

  /**
   * The limits at one priority; unsigned 32-bit values held in a {@code long}.
   *
   * @param maxConnections connections open to the cluster at once
   * @param maxPendingRequests requests waiting for a connection at once
   * @param maxRequests requests outstanding at once
   * @param maxRetries retries outstanding at once
   */
  public record Limits(
      long maxConnections, long maxPendingRequests, long maxRequests, long maxRetries) {
    /** Envoy's defaults: 1024 connections, pending requests and requests; 3 retries. */
    public static final Limits DEFAULTS = new Limits(1024, 1024, 1024, 3);
  }
}
