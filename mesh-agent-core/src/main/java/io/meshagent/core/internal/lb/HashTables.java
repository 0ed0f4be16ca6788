package io.meshagent.core.internal.lb;

import io.meshagent.model.endpoint.Endpoint;
import java.util.HashMap;
import java.util.Map;

/** What ring hash and maglev share: host keys and normalized weights. */
final class HashTables {
  private HashTables() {}

  /** Envoy's hash key: the host's address as {@code ip:port} ({@code [ip]:port} for IPv6). */
  static String key(Endpoint e) {
    return e.host().indexOf(':') >= 0
        ? "[" + e.host() + "]:" + e.port()
        : e.host() + ":" + e.port();
  }

  /**
   * Envoy's {@code normalizeWeights}: host weights summing to 1; with locality weighting, each
   * locality's share is its weight and its hosts split it by their weights.
   */
  static double[] normalizedWeights(HostList hosts) {
    double[] out = new double[hosts.size()];
    HostList[] localities = hosts.localities;
    long[] lc = hosts.localityCumulative;
    if (localities == null || lc == null || localities.length == 0) {
      for (int i = 0; i < out.length; i++) {
        out[i] = (double) hosts.weight(i) / hosts.totalWeight;
      }
      return out;
    }
    double localityTotal = lc[lc.length - 1];
    // Map each locality's hosts back to their positions in the full list.
    Map<Integer, Integer> position = new HashMap<>();
    for (int i = 0; i < hosts.size(); i++) {
      position.put(hosts.ids[i], i);
    }
    for (int l = 0; l < localities.length; l++) {
      double share = (lc[l] - (l == 0 ? 0 : lc[l - 1])) / localityTotal;
      HostList loc = localities[l];
      for (int i = 0; i < loc.size(); i++) {
        out[position.get(loc.ids[i])] = share * loc.weight(i) / loc.totalWeight;
      }
    }
    return out;
  }
}
