package io.meshagent.core.internal.outlier;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request and success counts for the current interval, written from any thread, and the counts of
 * the last complete interval, read on the detector's owner thread. A result racing the swap may
 * land in the interval that just closed and be lost; Envoy's double bucket has the same race.
 */
final class SuccessRateAccumulator {
  private static final class Bucket {
    final LongAdder total = new LongAdder();
    final LongAdder success = new LongAdder();
  }

  private final AtomicReference<Bucket> current = new AtomicReference<>(new Bucket());
  // Owner thread only.
  private long lastTotal;
  private long lastSuccess;

  void success() {
    Bucket b = current.get();
    b.total.increment();
    b.success.increment();
  }

  void failure() {
    current.get().total.increment();
  }

  /** Closes the current interval. Owner thread only. */
  void swap() {
    Bucket closed = current.getAndSet(new Bucket());
    lastTotal = closed.total.sum();
    lastSuccess = closed.success.sum();
  }

  /** Requests in the last complete interval. */
  long volume() {
    return lastTotal;
  }

  /** Percentage of successes in the last complete interval; meaningless when the volume is 0. */
  double successRate() {
    return lastTotal == 0 ? -1 : lastSuccess * 100.0 / lastTotal;
  }
}
