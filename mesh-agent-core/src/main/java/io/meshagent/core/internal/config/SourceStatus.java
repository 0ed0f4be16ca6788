package io.meshagent.core.internal.config;

import io.meshagent.ControlPlaneStatus;
import java.time.Clock;
import org.jspecify.annotations.Nullable;

/**
 * The mutable status of a source, changed on the control context and read anywhere as an immutable
 * {@link ControlPlaneStatus}.
 */
public final class SourceStatus {
  private final Clock clock;
  private volatile ControlPlaneStatus status;

  public SourceStatus(String source, Clock clock) {
    this.clock = clock;
    this.status = new ControlPlaneStatus(source, false, null, null, null, 0);
  }

  public ControlPlaneStatus get() {
    return status;
  }

  public void connected() {
    ControlPlaneStatus s = status;
    status =
        new ControlPlaneStatus(
            s.source(), true, clock.instant(), s.lastError(), s.lastErrorAt(), s.rejectedUpdates());
  }

  public void disconnected(@Nullable String error) {
    ControlPlaneStatus s = status;
    status =
        new ControlPlaneStatus(
            s.source(),
            false,
            s.lastConnected(),
            error != null ? error : s.lastError(),
            error != null ? clock.instant() : s.lastErrorAt(),
            s.rejectedUpdates());
  }

  public void rejected(String error) {
    ControlPlaneStatus s = status;
    status =
        new ControlPlaneStatus(
            s.source(),
            s.connected(),
            s.lastConnected(),
            error,
            clock.instant(),
            s.rejectedUpdates() + 1);
  }
}
