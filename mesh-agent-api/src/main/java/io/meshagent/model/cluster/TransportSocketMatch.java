package io.meshagent.model.cluster;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One of a cluster's {@code transport_socket_matches}: endpoints whose {@code
 * envoy.transport_socket_match} metadata holds every label in {@code match} with an equal value use
 * {@code transport}. An empty {@code match} matches every endpoint.
 *
 * @param name for example {@code tlsMode-istio}, {@code tlsMode-disabled} or {@code hbone}
 * @param match the labels, for example {@code tlsMode = istio} or {@code tunnel = http}
 * @param transport the transport for matching endpoints
 */
public record TransportSocketMatch(
    String name, Map<String, String> match, UpstreamTransport transport) {
  public TransportSocketMatch {
    requireNonNull(name, "name");
    match = Map.copyOf(match);
    requireNonNull(transport, "transport");
  }
}
