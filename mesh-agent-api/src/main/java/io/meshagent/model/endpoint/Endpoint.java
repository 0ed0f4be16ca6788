package io.meshagent.model.endpoint;

import java.util.Map;

/**
 * One endpoint.
 *
 * @param host an IP literal or DNS name
 * @param port the port
 * @param health health as the control plane reports it
 * @param weight load-balancing weight, at least 1
 * @param metadata filter metadata flattened as {@code <filter>/<key>} to a string, for example
 *     {@code envoy.transport_socket_match/tlsMode = istio}
 */
public record Endpoint(
    String host, int port, HealthStatus health, int weight, Map<String, String> metadata) {
  public Endpoint {
    metadata = Map.copyOf(metadata);
  }

  /** Istio's {@code tlsMode} label that auto-mTLS matches on, or empty. */
  public String tlsMode() {
    return metadata.getOrDefault("envoy.transport_socket_match/tlsMode", "");
  }
}
