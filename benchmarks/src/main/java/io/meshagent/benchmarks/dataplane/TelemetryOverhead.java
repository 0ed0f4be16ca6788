package io.meshagent.benchmarks.dataplane;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Telemetry's cost (issue 7), measured in pairs: one closed-loop round with telemetry on, one with
 * it off, back to back, many times, the order alternating (ABBA) so that a drift of the shared
 * machine falls on both alike. Each pair gives a ratio; the median ratio and its quartiles are
 * reported. A single long round per side, as the main table has, moved by ±1 µs per request from
 * run to run: more than the 5 % being judged.
 */
final class TelemetryOverhead {
  /** Pairs of rounds; with 1 s rounds, 2 × 16 s of load. */
  static final int PAIRS = 16;

  /** Outstanding requests: enough that both sides keep the CPU busy (the peak of the sweep). */
  static final int OUTSTANDING = 256;

  private static final Duration ROUND = Duration.ofSeconds(1);

  /** The median and quartiles of the paired ratios, on ÷ off. */
  record Ratios(double median, double low, double high) {
    static Ratios of(List<Double> ratios) {
      List<Double> sorted = new ArrayList<>(ratios);
      Collections.sort(sorted);
      return new Ratios(quantile(sorted, 0.5), quantile(sorted, 0.25), quantile(sorted, 0.75));
    }

    private static double quantile(List<Double> sorted, double q) {
      double pos = q * (sorted.size() - 1);
      int i = (int) Math.floor(pos);
      int j = Math.min(sorted.size() - 1, i + 1);
      return sorted.get(i) + (pos - i) * (sorted.get(j) - sorted.get(i));
    }

    String asPercent() {
      return String.format(
          Locale.ROOT,
          "%+.1f %% (quartiles %+.1f / %+.1f)",
          (median - 1) * 100,
          (low - 1) * 100,
          (high - 1) * 100);
    }

    /** The same, read as a loss (1 − ratio): for rates, where on ÷ off below 1 is the cost. */
    String asLoss() {
      return String.format(
          Locale.ROOT,
          "%.1f %% (quartiles %.1f / %.1f)",
          (1 - median) * 100,
          (1 - high) * 100,
          (1 - low) * 100);
    }
  }

  /** What the pairs measured: CPU per request and requests per second, on ÷ off. */
  record Result(Ratios cpuPerRequest, Ratios perSecond, double onCpuMicros, double offCpuMicros) {}

  private TelemetryOverhead() {}

  static Result measure(
      Supplier<CompletableFuture<Integer>> on, Supplier<CompletableFuture<Integer>> off)
      throws InterruptedException {
    List<Double> cpu = new ArrayList<>();
    List<Double> rate = new ArrayList<>();
    Load.Saturation onTotal = Load.Saturation.NONE;
    Load.Saturation offTotal = Load.Saturation.NONE;
    for (int p = 0; p < PAIRS; p++) {
      Load.Saturation a;
      Load.Saturation b;
      if (p % 2 == 0) {
        a = round(on);
        b = round(off);
      } else {
        b = round(off);
        a = round(on);
      }
      if (a.errors() > 0 || b.errors() > 0) {
        throw new IllegalStateException(
            "telemetry pair " + p + " had errors: " + a.errors() + " on, " + b.errors() + " off");
      }
      cpu.add(a.cpuMicrosPerRequest() / b.cpuMicrosPerRequest());
      rate.add(a.perSecond() / b.perSecond());
      onTotal = onTotal.plus(a);
      offTotal = offTotal.plus(b);
    }
    return new Result(
        Ratios.of(cpu),
        Ratios.of(rate),
        onTotal.cpuMicrosPerRequest(),
        offTotal.cpuMicrosPerRequest());
  }

  private static Load.Saturation round(Supplier<CompletableFuture<Integer>> request)
      throws InterruptedException {
    System.gc();
    return Load.closedLoop(request, OUTSTANDING, ROUND, 10_000_000);
  }
}
