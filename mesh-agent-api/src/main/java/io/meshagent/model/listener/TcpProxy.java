package io.meshagent.model.listener;

import java.util.List;
import java.util.Map;

/**
 * {@code envoy.filters.network.tcp_proxy}.
 *
 * @param name the filter name
 * @param statPrefix the stat prefix
 * @param cluster the upstream cluster, empty when {@code weightedClusters} is used
 * @param weightedClusters cluster name to weight, in order
 */
public record TcpProxy(
    String name, String statPrefix, String cluster, Map<String, Integer> weightedClusters)
    implements NetworkFilter {
  public TcpProxy {
    weightedClusters = Map.copyOf(weightedClusters);
  }

  /** The clusters this filter may send to. */
  public List<String> clusters() {
    return cluster.isEmpty() ? List.copyOf(weightedClusters.keySet()) : List.of(cluster);
  }
}
