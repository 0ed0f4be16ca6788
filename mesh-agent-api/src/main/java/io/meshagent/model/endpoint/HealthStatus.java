package io.meshagent.model.endpoint;

/** Envoy's health status of an endpoint as the control plane reports it. */
public enum HealthStatus {
  UNKNOWN,
  HEALTHY,
  UNHEALTHY,
  DRAINING,
  TIMEOUT,
  DEGRADED;

  /** Whether Envoy would send new requests to an endpoint in this state. */
  public boolean routable() {
    return this == UNKNOWN || this == HEALTHY || this == DEGRADED;
  }
}
