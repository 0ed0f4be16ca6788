package io.meshagent.core.internal.retry;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with ±20 % jitter, never zero: delays are {@code initial}, {@code
 * 2·initial}, ... up to {@code max}, each scaled by a random factor in [0.8, 1.2). Used for every
 * reconnect and retry the agent makes (xDS streams, CAs, the Workload API). Not thread-safe: each
 * owner confines it to one thread or guards it.
 */
public final class Backoff {
  private static final long MIN_NANOS = 1_000_000L;

  private final long initialNanos;
  private final long maxNanos;
  private final DoubleSupplier random;
  private long nextNanos;

  /**
   * @param random source of jitter in [0, 1)
   * @throws IllegalArgumentException if {@code initial} is not positive or {@code max} is below it
   */
  public Backoff(Duration initial, Duration max, DoubleSupplier random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < initial <= max, not " + initial + " and " + max);
    }
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
    this.nextNanos = initialNanos;
  }

  /** The delay before the next attempt; the one after it doubles, up to the cap. */
  public Duration next() {
    long base = nextNanos;
    nextNanos = base >= maxNanos / 2 ? maxNanos : base * 2;
    return jittered(base);
  }

  /** A delay at the cap, for failures that should not be retried eagerly. */
  public Duration atMax() {
    return jittered(maxNanos);
  }

  /** Starts over from the initial delay, after an attempt that worked. */
  public void reset() {
    nextNanos = initialNanos;
  }

  private Duration jittered(long base) {
    long j = (long) (base * (0.8 + 0.4 * random.getAsDouble()));
    return Duration.ofNanos(Math.max(MIN_NANOS, Math.min(maxNanos, j)));
  }
}
