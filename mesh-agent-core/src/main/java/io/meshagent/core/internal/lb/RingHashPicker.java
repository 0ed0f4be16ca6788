package io.meshagent.core.internal.lb;

import io.meshagent.model.endpoint.Endpoint;
import java.util.Arrays;
import java.util.List;

/**
 * Envoy's {@code RingHashLoadBalancer} (ketama), one ring per priority, built once: each host gets
 * {@code ceil}-scaled shares of the ring by its normalized weight, so that the lightest host has a
 * whole number of entries and the ring has at least {@code minimum_ring_size} (default 1,024) and
 * at most {@code maximum_ring_size} (default 8M) entries; entry {@code i} of a host is at
 * xxHash64({@code "ip:port_i"}), Envoy's default hash function (not MURMUR_HASH_2). A request goes
 * to the first entry at or after its hash, wrapping around.
 */
public final class RingHashPicker implements EndpointPicker {
  /** Envoy's default {@code minimum_ring_size}. */
  public static final int DEFAULT_MIN_RING_SIZE = 1024;

  /** Envoy's default {@code maximum_ring_size}. */
  public static final int DEFAULT_MAX_RING_SIZE = 8 * 1024 * 1024;

  private final EndpointSet set;

  /** Per priority: hashes with the sign bit flipped (so signed order is unsigned order). */
  private final long[][] hashes;

  private final int[][] ids;

  RingHashPicker(EndpointSet set, int minRingSize, int maxRingSize) {
    this.set = set;
    this.hashes = new long[set.priorities()][];
    this.ids = new int[set.priorities()][];
    for (int p = 0; p < set.priorities(); p++) {
      build(p, set.hashHosts(p), set.endpoints(), minRingSize, maxRingSize);
    }
  }

  private void build(int p, HostList hosts, List<Endpoint> endpoints, int min, int max) {
    if (hosts.isEmpty()) {
      hashes[p] = new long[0];
      ids[p] = new int[0];
      return;
    }
    double[] weights = HashTables.normalizedWeights(hosts);
    double minWeight = 1.0;
    for (double w : weights) {
      if (w > 0) {
        minWeight = Math.min(minWeight, w);
      }
    }
    double scale = Math.min(Math.ceil(minWeight * min) / minWeight, max);
    int size = (int) Math.ceil(scale);
    long[] entries = new long[size + hosts.size()];
    int[] owners = new int[entries.length];
    int n = 0;
    double current = 0;
    double target = 0;
    for (int h = 0; h < hosts.size(); h++) {
      String key = HashTables.key(endpoints.get(hosts.ids[h])) + "_";
      target += scale * weights[h];
      for (long i = 0; current < target && n < entries.length; i++, current++) {
        entries[n] = XxHash64.hash(key + i, 0) ^ Long.MIN_VALUE;
        owners[n] = hosts.ids[h];
        n++;
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Long.compare(entries[a], entries[b]));
    long[] sorted = new long[n];
    int[] sortedIds = new int[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = entries[order[i]];
      sortedIds[i] = owners[order[i]];
    }
    hashes[p] = sorted;
    ids[p] = sortedIds;
  }

  /** The number of entries on priority {@code p}'s ring. */
  int ringSize(int p) {
    return hashes[p].length;
  }

  @Override
  public int pick(long hash) {
    int p = set.priorityFor(hash);
    if (p < 0 || hashes[p].length == 0) {
      return -1;
    }
    long[] ring = hashes[p];
    int i = Arrays.binarySearch(ring, hash ^ Long.MIN_VALUE);
    if (i < 0) {
      i = -i - 1;
    }
    return ids[p][i == ring.length ? 0 : i];
  }
}
