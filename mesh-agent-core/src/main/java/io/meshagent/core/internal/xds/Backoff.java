package io.meshagent.core.internal.xds;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with ±20 % jitter, never zero: reconnect delays are {@code initial},
 * {@code 2·initial}, ... up to {@code max}, each scaled by a random factor in [0.8, 1.2).
 */
final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final DoubleSupplier random;
  private long nextNanos;

  Backoff(Duration initial, Duration max, DoubleSupplier random) {
    this.initial = initial;
    this.max = max;
    this.random = random;
    this.nextNanos = initial.toNanos();
  }

  /** The delay before the next attempt; the one after it doubles, up to the cap. */
  Duration next() {
    long base = nextNanos;
    nextNanos = Math.min(max.toNanos(), base * 2);
    long jittered = (long) (base * (0.8 + 0.4 * random.getAsDouble()));
    return Duration.ofNanos(Math.max(1_000_000L, jittered));
  }

  /** Starts over from the initial delay, after a stream that worked. */
  void reset() {
    nextNanos = initial.toNanos();
  }
}
