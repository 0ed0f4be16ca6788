package io.meshagent.core.internal.identity;

import io.meshagent.core.internal.config.ControlContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/** Real time, with timers on the agent's control context. */
public final class ControlTimeSource implements TimeSource {
  private final ControlContext context;
  private final Clock clock;

  public ControlTimeSource(ControlContext context, Clock clock) {
    this.context = context;
    this.clock = clock;
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public Cancellable schedule(Runnable task, Duration delay) {
    ScheduledFuture<?> f = context.schedule(task, delay);
    return () -> f.cancel(false);
  }
}
