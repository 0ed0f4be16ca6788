package io.meshagent.core.testing;

import io.meshagent.core.internal.identity.TimeSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A clock that moves only when a test says so; tasks fall due as it moves and run on the executor
 * given (the component's serial executor), in due order.
 */
public final class FakeTime extends Clock implements TimeSource {
  private final Executor executor;
  private Instant now;
  private final List<Scheduled> scheduled = new ArrayList<>();

  public FakeTime(Instant start, Executor executor) {
    this.now = start;
    this.executor = executor;
  }

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    Scheduled s = new Scheduled(now.plus(delay), task);
    scheduled.add(s);
    return () -> {
      synchronized (FakeTime.this) {
        scheduled.remove(s);
      }
    };
  }

  /** Moves the clock forward, running what falls due on the way. */
  public void advance(Duration d) {
    Instant target;
    synchronized (this) {
      target = now.plus(d);
    }
    while (true) {
      Scheduled next;
      synchronized (this) {
        next =
            scheduled.stream()
                .filter(s -> !s.due.isAfter(target))
                .min(Comparator.comparing(s -> s.due))
                .orElse(null);
        if (next == null) {
          now = target;
          return;
        }
        scheduled.remove(next);
        if (next.due.isAfter(now)) {
          now = next.due;
        }
      }
      executor.execute(next.task);
    }
  }

  /** When the earliest pending task is due, or null. */
  public synchronized Instant nextDue() {
    return scheduled.stream().map(s -> s.due).min(Comparator.naturalOrder()).orElse(null);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  private record Scheduled(Instant due, Runnable task) {}
}
