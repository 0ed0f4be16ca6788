package io.meshagent.core.internal.lb;

/** Envoy's {@code RandomLoadBalancer}: a uniformly random host; like Envoy, weights are ignored. */
public final class RandomPicker implements EndpointPicker {
  private final EndpointSet set;

  RandomPicker(EndpointSet set) {
    this.set = set;
  }

  @Override
  public int pick(long value) {
    HostList hosts =
        set.hostsFor(EndpointPicker.mix(value, 1)).locality(EndpointPicker.mix(value, 2));
    if (hosts.isEmpty()) {
      return -1;
    }
    return hosts.ids[(int) Long.remainderUnsigned(EndpointPicker.mix(value, 3), hosts.size())];
  }
}
