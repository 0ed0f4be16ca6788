package io.meshagent.samples.demo;

import java.util.List;

/** The little statistics the report needs. */
final class Stats {
  /** How many standard deviations from the configured share a count may fall. */
  static final double SIGMAS = 4;

  private Stats() {}

  /**
   * The tolerance of a share {@code p} observed over {@code n} independent tries, in the same unit
   * as {@code p}: {@link #SIGMAS}·√(p(1−p)/n), the binomial standard deviation. A correct
   * configuration falls outside it about 6 times in 100,000.
   */
  static double tolerance(double p, int n) {
    return n == 0 ? 0 : SIGMAS * Math.sqrt(p * (1 - p) / n);
  }

  /** The nearest-rank percentile of sorted values, in milliseconds. */
  static double percentileMillis(List<Long> sortedNanos, double percentile) {
    if (sortedNanos.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(percentile / 100.0 * sortedNanos.size());
    return sortedNanos.get(Math.max(0, Math.min(sortedNanos.size() - 1, rank - 1))) / 1e6;
  }
}
