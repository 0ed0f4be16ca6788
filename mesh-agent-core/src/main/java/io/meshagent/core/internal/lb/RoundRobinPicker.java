package io.meshagent.core.internal.lb;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Round robin. Its one piece of state is a cursor ({@link AtomicLong}, incremented per pick, never
 * locked). Equal weights cycle through the hosts in order, as Envoy does. Unequal weights walk the
 * weight space {@code [0, total)} with a stride coprime to the total, so every window of {@code
 * total} picks gives each host exactly its weight, interleaved; Envoy reaches the same shares with
 * an earliest-deadline-first scheduler, in a different order.
 */
public final class RoundRobinPicker implements EndpointPicker {
  private final EndpointSet set;
  private final AtomicLong cursor = new AtomicLong();

  RoundRobinPicker(EndpointSet set) {
    this.set = set;
  }

  @Override
  public int pick(long value) {
    HostList hosts =
        set.hostsFor(EndpointPicker.mix(value, 1)).locality(EndpointPicker.mix(value, 2));
    if (hosts.isEmpty()) {
      return -1;
    }
    long n = cursor.getAndIncrement() & Long.MAX_VALUE;
    if (hosts.uniform) {
      return hosts.ids[(int) (n % hosts.size())];
    }
    long total = hosts.totalWeight;
    return hosts.ids[hosts.positionOf(mulMod(n % total, hosts.stride, total))];
  }

  /** {@code a × b mod m} without overflow, for a, b in [0, m). */
  static long mulMod(long a, long b, long m) {
    if (m <= 0x7FFF_FFFFL) {
      return a * b % m;
    }
    long result = 0;
    a %= m;
    while (b > 0) {
      if ((b & 1) == 1) {
        result = (result + a) % m;
      }
      a = (a << 1) % m;
      b >>= 1;
    }
    return result;
  }
}
