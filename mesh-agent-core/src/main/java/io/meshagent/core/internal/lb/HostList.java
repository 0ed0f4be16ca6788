package io.meshagent.core.internal.lb;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Some endpoints of an {@link EndpointSet} (one priority's healthy, degraded or all hosts) with
 * their weights as running sums, and, when locality weighting is on, the same split by locality
 * with the localities' effective weights.
 */
final class HostList {
  static final HostList EMPTY = new HostList(new int[0], new long[0], null, null);

  /** Indexes into {@link EndpointSet#endpoints()}. */
  final int[] ids;

  /** Running sums of the endpoints' weights. */
  final long[] cumulative;

  final long totalWeight;
  final boolean uniform;

  /** For weighted round robin: a step near total × 0.618 coprime with the total weight. */
  final long stride;

  /** Per locality with a positive effective weight, or null without locality weighting. */
  final HostList @Nullable [] localities;

  final long @Nullable [] localityCumulative;

  HostList(
      int[] ids,
      long[] cumulative,
      HostList @Nullable [] localities,
      long @Nullable [] localityCumulative) {
    this.ids = ids;
    this.cumulative = cumulative;
    this.totalWeight = cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
    boolean uniform = true;
    for (int i = 1; i < cumulative.length && uniform; i++) {
      uniform = cumulative[i] - cumulative[i - 1] == cumulative[0];
    }
    this.uniform = uniform;
    this.stride = totalWeight == 0 ? 1 : stride(totalWeight);
    this.localities = localities;
    this.localityCumulative = localityCumulative;
  }

  private static long stride(long total) {
    long s = Math.max(1, (long) (total * 0.6180339887498949));
    while (gcd(s, total) != 1) {
      s++;
    }
    return s;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  int size() {
    return ids.length;
  }

  boolean isEmpty() {
    return ids.length == 0;
  }

  long weight(int i) {
    return i == 0 ? cumulative[0] : cumulative[i] - cumulative[i - 1];
  }

  /** The position whose weight range holds {@code point} in [0, totalWeight). */
  int positionOf(long point) {
    int i = Arrays.binarySearch(cumulative, point);
    // An exact hit on a running sum belongs to the next endpoint.
    return i >= 0 ? i + 1 : -i - 1;
  }

  /** With locality weighting: the locality {@code draw} falls on; otherwise this list. */
  HostList locality(long draw) {
    HostList[] l = localities;
    long[] c = localityCumulative;
    if (l == null || c == null || l.length == 0) {
      return this;
    }
    long point = Long.remainderUnsigned(draw, c[c.length - 1]);
    int i = Arrays.binarySearch(c, point);
    return l[i >= 0 ? i + 1 : -i - 1];
  }
}
