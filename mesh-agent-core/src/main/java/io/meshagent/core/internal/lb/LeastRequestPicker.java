package io.meshagent.core.internal.lb;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Envoy's {@code LeastRequestLoadBalancer} with its default {@code choice_count} of 2: sample two
 * hosts (with replacement) and take the one with fewer active requests, the first on a tie. With
 * unequal weights the samples are drawn by weight and compared by {@code active / weight}, so idle
 * hosts share load by weight and busy ones lose it in proportion; Envoy reaches a similar effect
 * with an EDF scheduler over {@code weight / (active + 1)^active_request_bias}.
 *
 * <p>State: one active-request counter per endpoint ({@link AtomicIntegerArray}), fed by {@link
 * #started} and {@link #finished}.
 */
public final class LeastRequestPicker implements EndpointPicker {
  private final EndpointSet set;
  private final AtomicIntegerArray active;

  LeastRequestPicker(EndpointSet set) {
    this.set = set;
    this.active = new AtomicIntegerArray(set.endpoints().size());
  }

  @Override
  public int pick(long value) {
    HostList hosts =
        set.hostsFor(EndpointPicker.mix(value, 1)).locality(EndpointPicker.mix(value, 2));
    if (hosts.isEmpty()) {
      return -1;
    }
    int a = sample(hosts, EndpointPicker.mix(value, 3));
    int b = sample(hosts, EndpointPicker.mix(value, 4));
    if (hosts.uniform) {
      return active.get(hosts.ids[b]) < active.get(hosts.ids[a]) ? hosts.ids[b] : hosts.ids[a];
    }
    // active_b / w_b < active_a / w_a, cross-multiplied; ties keep the first weighted sample.
    long costB = (long) active.get(hosts.ids[b]) * hosts.weight(a);
    long costA = (long) active.get(hosts.ids[a]) * hosts.weight(b);
    return costB < costA ? hosts.ids[b] : hosts.ids[a];
  }

  private static int sample(HostList hosts, long r) {
    if (hosts.uniform) {
      return (int) Long.remainderUnsigned(r, hosts.size());
    }
    return hosts.positionOf(Long.remainderUnsigned(r, hosts.totalWeight));
  }

  /** A request to endpoint {@code id} started. */
  public void started(int id) {
    active.incrementAndGet(id);
  }

  /** A request to endpoint {@code id} finished. */
  public void finished(int id) {
    active.decrementAndGet(id);
  }

  /** The active requests of endpoint {@code id}. */
  public int active(int id) {
    return active.get(id);
  }
}
