package io.meshagent.benchmarks.dataplane;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Single-stream bulk, measured in {@link #ROUNDS} rounds that each start the configurations at the
 * next one in turn, reporting each transfer's median round. One pass in a fixed order favoured the
 * later transfers: the telemetry-off pair, measured last, moved 18.8 Gbit/s where the same path
 * alone moved 12.5 to 12.9.
 */
final class BulkRounds {
  static final int ROUNDS = 3;
  private static final long GIB = 1L << 30;

  private BulkRounds() {}

  /** Sends {@code bytes} over a fresh connection; returns nanoseconds to the sink's answer. */
  @FunctionalInterface
  interface Transfer {
    long run(long bytes) throws Exception;
  }

  /** A transfer's median round (by Gbit/s, with that round's CPU), or why a round failed. */
  record Measure(double gbits, double cpuMillisPerGib, String error) {}

  /** Measures each of {@code transfers} (named by {@code names}) with {@code bytes} per round. */
  static List<Measure> measure(List<String> names, List<Transfer> transfers, long bytes) {
    int n = transfers.size();
    double[][] gbits = new double[n][ROUNDS];
    double[][] cpu = new double[n][ROUNDS];
    String[] errors = new String[n];
    Arrays.fill(errors, "");
    for (int round = 0; round < ROUNDS; round++) {
      for (int k = 0; k < n; k++) {
        int i = (k + round) % n;
        if (!errors[i].isEmpty()) {
          continue;
        }
        System.out.printf(
            "bulk, round %d of %d: %s, %d MiB on one connection%n",
            round + 1, ROUNDS, names.get(i), bytes >> 20);
        System.gc();
        try {
          long cpu0 = Load.cpuNanos();
          long nanos = transfers.get(i).run(bytes);
          gbits[i][round] = bytes * 8.0 / nanos;
          cpu[i][round] = (Load.cpuNanos() - cpu0) / 1e6 / ((double) bytes / GIB);
        } catch (Exception e) {
          errors[i] = e.toString();
        }
      }
    }
    List<Measure> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (!errors[i].isEmpty()) {
        out.add(new Measure(Double.NaN, Double.NaN, errors[i]));
        continue;
      }
      double[] g = gbits[i];
      Integer[] order = {0, 1, 2};
      Arrays.sort(order, Comparator.comparingDouble(r -> g[r]));
      int median = order[ROUNDS / 2];
      out.add(new Measure(g[median], cpu[i][median], ""));
    }
    return out;
  }
}
