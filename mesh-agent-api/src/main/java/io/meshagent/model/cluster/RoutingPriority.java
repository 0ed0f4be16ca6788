package io.meshagent.model.cluster;

/** Envoy's {@code envoy.config.core.v3.RoutingPriority}: which circuit-breaker limits apply. */
public enum RoutingPriority {
  DEFAULT,
  HIGH
}
