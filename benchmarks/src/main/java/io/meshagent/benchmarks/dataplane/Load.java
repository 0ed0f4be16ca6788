package io.meshagent.benchmarks.dataplane;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Load generators over a request function that completes with the HTTP status. Both are bounded in
 * count and in time and stop by themselves; a request still open at the end counts as an error.
 */
final class Load {
  private Load() {}

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  /** CPU time of the whole process (client, server and load generator), in nanoseconds. */
  static long cpuNanos() {
    return OS.getProcessCpuTime();
  }

  /**
   * One fixed-rate round.
   *
   * @param latencies nanoseconds from each request's intended send time to its answer, {@link
   *     Long#MAX_VALUE} when unanswered
   * @param errors requests failed, answered other than 200, or unanswered
   * @param cpuNanos process CPU time during the round
   */
  record Round(long[] latencies, int errors, long cpuNanos) {}

  /**
   * Fixed-rate rounds merged.
   *
   * @param p50Micros median latency from the intended send time
   * @param p99Micros 99th percentile latency from the intended send time
   * @param p99LowMicros the lowest 99th percentile of a single round (how noisy the machine was)
   * @param p99MedianMicros the median of the rounds' 99th percentiles: robust to a few noisy rounds
   * @param p99HighMicros the highest 99th percentile of a single round
   * @param cpuMicrosPerRequest process CPU time per request
   */
  record Latency(
      int requests,
      int errors,
      double p50Micros,
      double p99Micros,
      double p99LowMicros,
      double p99MedianMicros,
      double p99HighMicros,
      double cpuMicrosPerRequest) {

    static Latency of(List<Round> rounds) {
      int n = 0;
      int errors = 0;
      long cpu = 0;
      for (Round r : rounds) {
        n += r.latencies().length;
        errors += r.errors();
        cpu += r.cpuNanos();
      }
      long[] all = new long[n];
      int at = 0;
      double[] p99s = new double[rounds.size()];
      for (int i = 0; i < rounds.size(); i++) {
        long[] one = rounds.get(i).latencies();
        System.arraycopy(one, 0, all, at, one.length);
        at += one.length;
        one = one.clone();
        Arrays.sort(one);
        p99s[i] = percentile(one, 0.99);
      }
      Arrays.sort(p99s);
      Arrays.sort(all); // unanswered ones sort last, as infinitely late
      return new Latency(
          n,
          errors,
          percentile(all, 0.50) / 1e3,
          percentile(all, 0.99) / 1e3,
          p99s[0] / 1e3,
          p99s[(p99s.length - 1) / 2] / 1e3,
          p99s[p99s.length - 1] / 1e3,
          cpu / 1e3 / n);
    }
  }

  /**
   * Closed-loop rounds, summed.
   *
   * @param requests requests answered with a 200
   * @param errors requests failed or answered other than 200, and lanes that did not finish
   */
  record Saturation(long requests, long errors, long wallNanos, long cpuNanos) {
    static final Saturation NONE = new Saturation(0, 0, 0, 0);

    Saturation plus(Saturation o) {
      return new Saturation(
          requests + o.requests, errors + o.errors, wallNanos + o.wallNanos, cpuNanos + o.cpuNanos);
    }

    /** Answered requests per wall-clock second. */
    double perSecond() {
      return requests / (wallNanos / 1e9);
    }

    /** Process CPU time per answered request. */
    double cpuMicrosPerRequest() {
      return requests == 0 ? Double.POSITIVE_INFINITY : cpuNanos / 1e3 / requests;
    }
  }

  /**
   * Open loop: request {@code i} is due at {@code start + i / rate}, whether or not earlier ones
   * were answered, and its latency runs from that intended time, so a stall counts against every
   * request it delays (no coordinated omission). Waits up to 10 s for the last answers.
   */
  static Round fixedRate(Supplier<CompletableFuture<Integer>> request, int rate, Duration duration)
      throws InterruptedException {
    int n = (int) Math.max(1, rate * duration.toMillis() / 1000);
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long[] latency = new long[n];
    Arrays.fill(latency, Long.MAX_VALUE);
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch answered = new CountDownLatch(n);
    long cpu0 = cpuNanos();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
    for (int i = 0; i < n; i++) {
      long intended = start + i * interval;
      for (long wait; (wait = intended - System.nanoTime()) > 0; ) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      CompletableFuture<Integer> f;
      try {
        f = request.get();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete(
          (status, err) -> {
            latency[index] = System.nanoTime() - intended;
            if (err != null || status != 200) {
              errors.incrementAndGet();
            }
            answered.countDown();
          });
    }
    answered.await(10, TimeUnit.SECONDS);
    long cpu = cpuNanos() - cpu0;
    return new Round(latency.clone(), errors.get() + (int) answered.getCount(), cpu);
  }

  private static double percentile(long[] sorted, double q) {
    long v = sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    return v == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : v;
  }

  /**
   * Closed loop: {@code concurrency} requests outstanding at all times, each answer sending the
   * next, until {@code duration} passed or {@code maxRequests} were sent; a lane stops at its first
   * error.
   */
  static Saturation closedLoop(
      Supplier<CompletableFuture<Integer>> request,
      int concurrency,
      Duration duration,
      long maxRequests)
      throws InterruptedException {
    AtomicLong issued = new AtomicLong();
    AtomicLong completed = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch lanes = new CountDownLatch(concurrency);
    long cpu0 = cpuNanos();
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    Lane lane = new Lane(request, issued, completed, errors, lanes, deadline, maxRequests);
    for (int i = 0; i < concurrency; i++) {
      lane.next();
    }
    lanes.await(duration.toMillis() + 10_000, TimeUnit.MILLISECONDS);
    long wall = System.nanoTime() - start;
    long cpu = cpuNanos() - cpu0;
    return new Saturation(completed.get(), errors.get() + lanes.getCount(), wall, cpu);
  }

  private record Lane(
      Supplier<CompletableFuture<Integer>> request,
      AtomicLong issued,
      AtomicLong completed,
      AtomicLong errors,
      CountDownLatch lanes,
      long deadline,
      long maxRequests) {

    void next() {
      if (System.nanoTime() >= deadline || issued.incrementAndGet() > maxRequests) {
        lanes.countDown();
        return;
      }
      CompletableFuture<Integer> f;
      try {
        f = request.get();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      f.whenComplete(
          (status, err) -> {
            if (err != null || status != 200) {
              errors.incrementAndGet();
              lanes.countDown();
              return;
            }
            completed.incrementAndGet();
            next();
          });
    }
  }
}
