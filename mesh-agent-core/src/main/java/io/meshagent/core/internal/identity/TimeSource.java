package io.meshagent.core.internal.identity;

import java.time.Duration;
import java.time.Instant;

/**
 * The identity manager's clock and timer, so rotation can be driven by a controllable clock in
 * tests. Scheduled tasks run on the manager's serial executor.
 */
public interface TimeSource {
  /** The current time. */
  Instant now();

  /** Runs {@code task} after {@code delay}; the returned handle cancels it. */
  Cancellable schedule(Runnable task, Duration delay);

  /** A scheduled task. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}
