package io.meshagent.core.internal.lb;

import io.meshagent.model.cluster.LbPolicy;

/**
 * Picks an endpoint of an {@link EndpointSet}: first the priority (and locality) as Envoy's {@code
 * LoadBalancerBase} does, then a host by the policy. Thread-safe and lock-free.
 */
public sealed interface EndpointPicker
    permits RoundRobinPicker, RandomPicker, LeastRequestPicker, RingHashPicker, MaglevPicker {

  /**
   * Picks an endpoint.
   *
   * @param value for ring hash and maglev the request's hash (a random value when the request has
   *     none, as Envoy does); for the other policies a uniformly random 64-bit value
   * @return an index into {@link EndpointSet#endpoints()}, or -1 when there is no endpoint
   */
  int pick(long value);

  /** A picker for {@code policy} (Envoy's defaults for ring and maglev sizes). */
  static EndpointPicker of(LbPolicy policy, EndpointSet set) {
    return switch (policy) {
      case ROUND_ROBIN, CLUSTER_PROVIDED -> new RoundRobinPicker(set);
      case RANDOM -> new RandomPicker(set);
      case LEAST_REQUEST -> new LeastRequestPicker(set);
      case RING_HASH ->
          new RingHashPicker(
              set, RingHashPicker.DEFAULT_MIN_RING_SIZE, RingHashPicker.DEFAULT_MAX_RING_SIZE);
      case MAGLEV -> new MaglevPicker(set, MaglevPicker.DEFAULT_TABLE_SIZE);
    };
  }

  /** SplitMix64's step: the {@code n}-th independent value derived from {@code value}. */
  static long mix(long value, int n) {
    long z = value + n * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
