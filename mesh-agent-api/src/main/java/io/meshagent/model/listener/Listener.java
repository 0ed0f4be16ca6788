package io.meshagent.model.listener;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An Envoy listener.
 *
 * @param name for example {@code 0.0.0.0_8080}, {@code virtualInbound} or, in the grpc profile,
 *     {@code reviews.default.svc.cluster.local:9080}
 * @param address the bound address, or null for an api listener
 * @param direction inbound, outbound or unspecified
 * @param filterChains in the listener's order
 * @param defaultFilterChain used when no chain matches, or null
 * @param useOriginalDst whether connections are handed to the listener of their original
 *     destination
 * @param apiListener the HTTP connection manager of an api listener (grpc profile), or null
 */
public record Listener(
    String name,
    @Nullable SocketAddress address,
    TrafficDirection direction,
    List<FilterChain> filterChains,
    @Nullable FilterChain defaultFilterChain,
    boolean useOriginalDst,
    @Nullable HttpConnectionManager apiListener) {

  public Listener {
    filterChains = List.copyOf(filterChains);
  }

  /** The route configuration names this listener needs through RDS. */
  public List<String> rdsNames() {
    java.util.ArrayList<String> names = new java.util.ArrayList<>();
    if (apiListener != null && apiListener.rdsName() != null) {
      names.add(apiListener.rdsName());
    }
    for (FilterChain chain : filterChains) {
      chain.addRdsNames(names);
    }
    if (defaultFilterChain != null) {
      defaultFilterChain.addRdsNames(names);
    }
    return names;
  }
}
