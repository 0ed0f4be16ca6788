package io.meshagent.core.internal.lb;

import io.meshagent.model.endpoint.ClusterLoadAssignment;
import io.meshagent.model.endpoint.Endpoint;
import io.meshagent.model.endpoint.HealthStatus;
import io.meshagent.model.endpoint.LocalityEndpoints;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A cluster's endpoints, built once from a {@link ClusterLoadAssignment}, with Envoy's priority
 * load computed ({@code LoadBalancerBase::recalculatePerPriorityState}): each priority's health is
 * {@code min(100, overprovisioning_factor × healthy / hosts)}, degraded likewise; load goes to
 * priorities in order up to their health (scaled when the total is under 100), healthy before
 * degraded; a priority whose healthy and degraded share falls under the panic threshold (Envoy's
 * default 50%) balances over all its hosts. Healthy means {@code HEALTHY} or {@code UNKNOWN};
 * {@code UNHEALTHY}, {@code DRAINING} and {@code TIMEOUT} hosts only receive traffic in panic.
 * Immutable and shared.
 */
public final class EndpointSet {
  /** Envoy's default {@code healthy_panic_threshold}, in percent. */
  public static final int DEFAULT_PANIC_THRESHOLD = 50;

  private final List<Endpoint> endpoints;
  private final HostList[] healthy;
  private final HostList[] degraded;
  private final HostList[] all;
  private final int[] healthyLoad;
  private final int[] degradedLoad;
  private final boolean[] panic;

  private EndpointSet(ClusterLoadAssignment cla, boolean localityWeighted, int panicThreshold) {
    int priorities = 0;
    for (LocalityEndpoints l : cla.localities()) {
      priorities = Math.max(priorities, l.priority() + 1);
    }
    List<Endpoint> flat = new ArrayList<>(cla.endpointCount());
    healthy = new HostList[priorities];
    degraded = new HostList[priorities];
    all = new HostList[priorities];
    int[] health = new int[priorities];
    int[] degradedHealth = new int[priorities];
    panic = new boolean[priorities];
    int factor = cla.overprovisioningFactor();
    for (int p = 0; p < priorities; p++) {
      Builder h = new Builder(localityWeighted, factor);
      Builder d = new Builder(localityWeighted, factor);
      Builder a = new Builder(localityWeighted, factor);
      for (LocalityEndpoints l : cla.localities()) {
        if (l.priority() != p) {
          continue;
        }
        h.startLocality(l);
        d.startLocality(l);
        a.startLocality(l);
        for (Endpoint e : l.endpoints()) {
          int id = flat.size();
          flat.add(e);
          a.add(id, e.weight());
          if (e.health() == HealthStatus.HEALTHY || e.health() == HealthStatus.UNKNOWN) {
            h.add(id, e.weight());
          } else if (e.health() == HealthStatus.DEGRADED) {
            d.add(id, e.weight());
          }
        }
        h.endLocality(a.localityHosts());
        d.endLocality(a.localityHosts());
        a.endLocality(a.localityHosts());
      }
      healthy[p] = h.build();
      degraded[p] = d.build();
      all[p] = a.build();
      int hosts = all[p].size();
      if (hosts > 0) {
        health[p] = (int) Math.min(100, (long) factor * healthy[p].size() / hosts);
        degradedHealth[p] = (int) Math.min(100, (long) factor * degraded[p].size() / hosts);
      }
    }
    this.endpoints = List.copyOf(flat);
    healthyLoad = new int[priorities];
    degradedLoad = new int[priorities];
    int total = 0;
    for (int p = 0; p < priorities; p++) {
      total += health[p] + degradedHealth[p];
    }
    total = Math.min(100, total);
    for (int p = 0; p < priorities; p++) {
      int hosts = all[p].size();
      int share = hosts == 0 ? 0 : 100 * (healthy[p].size() + degraded[p].size()) / hosts;
      panic[p] = total != 100 && share < panicThreshold;
    }
    if (priorities == 0) {
      return;
    }
    if (total == 0) {
      // Everything is unavailable: Envoy sends all load to priority 0 (in panic).
      healthyLoad[0] = 100;
      return;
    }
    int[] first = {-1};
    int remaining = distribute(healthyLoad, health, 100, total, first);
    int firstHealthy = first[0];
    first[0] = -1;
    remaining = distribute(degradedLoad, degradedHealth, remaining, total, first);
    if (remaining > 0) {
      // Rounding leftovers go to the first available priority, healthy before degraded.
      if (firstHealthy >= 0) {
        healthyLoad[firstHealthy] += remaining;
      } else {
        degradedLoad[first[0]] += remaining;
      }
    }
  }

  /** Envoy's {@code distributeLoad}: as much load as each priority's availability allows. */
  private static int distribute(
      int[] load, int[] availability, int totalLoad, int normalizedTotal, int[] first) {
    for (int p = 0; p < availability.length; p++) {
      if (first[0] < 0 && availability[p] > 0) {
        first[0] = p;
      }
      load[p] = Math.min(totalLoad, availability[p] * 100 / normalizedTotal);
      totalLoad -= load[p];
    }
    return totalLoad;
  }

  /**
   * Builds the set.
   *
   * @param localityWeighted whether localities are picked by weight first (the cluster's {@code
   *     common_lb_config.locality_weighted_lb_config})
   */
  public static EndpointSet of(ClusterLoadAssignment cla, boolean localityWeighted) {
    return new EndpointSet(cla, localityWeighted, DEFAULT_PANIC_THRESHOLD);
  }

  /** Builds the set with a panic threshold in percent (0 disables panic). */
  public static EndpointSet of(
      ClusterLoadAssignment cla, boolean localityWeighted, int panicThreshold) {
    return new EndpointSet(cla, localityWeighted, panicThreshold);
  }

  /** All endpoints; pickers return indexes into this list. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /** The number of priority levels. */
  public int priorities() {
    return healthy.length;
  }

  /** The percentage of load priority {@code p} takes on its healthy hosts. */
  public int healthyLoad(int p) {
    return healthyLoad[p];
  }

  /** The percentage of load priority {@code p} takes on its degraded hosts. */
  public int degradedLoad(int p) {
    return degradedLoad[p];
  }

  /** Whether priority {@code p} is in panic and balances over all its hosts. */
  public boolean panic(int p) {
    return panic[p];
  }

  /**
   * Envoy's {@code choosePriority} and {@code hostSourceToUse}: the hosts a pick draws from, by
   * {@code value mod 100}.
   */
  HostList hostsFor(long value) {
    long r = Long.remainderUnsigned(value, 100) + 1;
    long aggregate = 0;
    for (int p = 0; p < healthyLoad.length; p++) {
      aggregate += healthyLoad[p];
      if (r <= aggregate) {
        return panic[p] ? all[p] : healthy[p];
      }
    }
    for (int p = 0; p < degradedLoad.length; p++) {
      aggregate += degradedLoad[p];
      if (r <= aggregate) {
        return panic[p] ? all[p] : degraded[p];
      }
    }
    return HostList.EMPTY;
  }

  /** The priority a hash falls on, as {@link #hostsFor} chooses it. */
  int priorityFor(long value) {
    long r = Long.remainderUnsigned(value, 100) + 1;
    long aggregate = 0;
    for (int p = 0; p < healthyLoad.length; p++) {
      aggregate += healthyLoad[p];
      if (r <= aggregate) {
        return p;
      }
    }
    for (int p = 0; p < degradedLoad.length; p++) {
      aggregate += degradedLoad[p];
      if (r <= aggregate) {
        return p;
      }
    }
    return -1;
  }

  /**
   * The hosts a hash balancer builds its table from for priority {@code p}: Envoy's thread-aware
   * balancers use the healthy hosts, all hosts in panic; degraded hosts when none is healthy.
   */
  HostList hashHosts(int p) {
    if (panic[p]) {
      return all[p];
    }
    return healthy[p].isEmpty() ? degraded[p] : healthy[p];
  }

  /** Collects one HostList, optionally split by locality. */
  private static final class Builder {
    private final boolean localityWeighted;
    private final int factor;
    private final List<Integer> ids = new ArrayList<>();
    private final List<Long> weights = new ArrayList<>();
    private final List<HostList> localities = new ArrayList<>();
    private final List<Long> localityWeights = new ArrayList<>();
    private int localityStart;
    private int localityWeight;

    Builder(boolean localityWeighted, int factor) {
      this.localityWeighted = localityWeighted;
      this.factor = factor;
    }

    void startLocality(LocalityEndpoints l) {
      localityStart = ids.size();
      localityWeight = l.weight();
    }

    void add(int id, int weight) {
      ids.add(id);
      weights.add((long) weight);
    }

    int localityHosts() {
      return ids.size() - localityStart;
    }

    /** Envoy's {@code effectiveLocalityWeight}: weight × min(1, factor × eligible / hosts). */
    void endLocality(int hostsInLocality) {
      int eligible = ids.size() - localityStart;
      if (!localityWeighted || eligible == 0 || localityWeight == 0) {
        return;
      }
      long ppm = Math.min(1_000_000L, 10_000L * factor * eligible / Math.max(1, hostsInLocality));
      localities.add(list(localityStart, ids.size(), null, null));
      localityWeights.add(localityWeight * ppm);
    }

    HostList build() {
      if (!localityWeighted) {
        return list(0, ids.size(), null, null);
      }
      long[] c = new long[localityWeights.size()];
      long sum = 0;
      for (int i = 0; i < c.length; i++) {
        sum += localityWeights.get(i);
        c[i] = sum;
      }
      return list(0, ids.size(), localities.toArray(new HostList[0]), c);
    }

    private HostList list(
        int from, int to, HostList @Nullable [] locs, long @Nullable [] locCumulative) {
      int[] out = new int[to - from];
      long[] cumulative = new long[to - from];
      long sum = 0;
      for (int i = from; i < to; i++) {
        out[i - from] = ids.get(i);
        sum += weights.get(i);
        cumulative[i - from] = sum;
      }
      return new HostList(out, cumulative, locs, locCumulative);
    }
  }
}
