package io.meshagent.core.internal.lb;

import io.meshagent.model.endpoint.Endpoint;
import java.util.Arrays;
import java.util.List;

/**
 * Envoy's {@code MaglevLoadBalancer}, one table per priority, built once: the table size is prime
 * (Envoy's default 65,537); each host's permutation is {@code offset = xxHash64(key, 0) mod M},
 * {@code skip = xxHash64(key, 1) mod (M − 1) + 1} with key {@code ip:port}; hosts take turns
 * filling their next free slot, a host of weight {@code w} taking a turn every {@code max_weight /
 * w} rounds. A request goes to {@code table[hash mod M]}.
 */
public final class MaglevPicker implements EndpointPicker {
  /** Envoy's default {@code table_size}. */
  public static final int DEFAULT_TABLE_SIZE = 65537;

  private final EndpointSet set;
  private final int[][] tables;

  MaglevPicker(EndpointSet set, int tableSize) {
    this.set = set;
    this.tables = new int[set.priorities()][];
    for (int p = 0; p < set.priorities(); p++) {
      tables[p] = build(set.hashHosts(p), set.endpoints(), tableSize);
    }
  }

  private static int[] build(HostList hosts, List<Endpoint> endpoints, int m) {
    if (hosts.isEmpty()) {
      return new int[0];
    }
    int n = hosts.size();
    double[] weights = HashTables.normalizedWeights(hosts);
    double maxWeight = 0;
    for (double w : weights) {
      maxWeight = Math.max(maxWeight, w);
    }
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    double[] targetWeight = new double[n];
    for (int i = 0; i < n; i++) {
      String key = HashTables.key(endpoints.get(hosts.ids[i]));
      offset[i] = Long.remainderUnsigned(XxHash64.hash(key, 0), m);
      skip[i] = Long.remainderUnsigned(XxHash64.hash(key, 1), m - 1) + 1;
    }
    int[] table = new int[m];
    Arrays.fill(table, -1);
    int filled = 0;
    for (long iteration = 1; filled < m; iteration++) {
      for (int i = 0; i < n && filled < m; i++) {
        if (weights[i] <= 0 || iteration * weights[i] < targetWeight[i]) {
          continue;
        }
        targetWeight[i] += maxWeight;
        int c = (int) ((offset[i] + skip[i] * next[i]) % m);
        while (table[c] >= 0) {
          next[i]++;
          c = (int) ((offset[i] + skip[i] * next[i]) % m);
        }
        table[c] = hosts.ids[i];
        next[i]++;
        filled++;
      }
    }
    return table;
  }

  @Override
  public int pick(long hash) {
    int p = set.priorityFor(hash);
    if (p < 0 || tables[p].length == 0) {
      return -1;
    }
    int[] table = tables[p];
    return table[(int) Long.remainderUnsigned(hash, table.length)];
  }
}
