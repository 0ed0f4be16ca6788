package io.meshagent.core.internal.circuitbreaker;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

/** The answer to a {@code tryAcquire*}: a {@link Permit} to release, or a {@link Refusal}. */
public sealed interface Admission permits Admission.Permit, Admission.Refusal {

  /** Whether the resource was granted. */
  boolean granted();

  /**
   * A granted resource. {@link #close()} gives it back; closing again does nothing, so it is safe
   * from completion and cancellation paths alike.
   */
  final class Permit implements Admission, AutoCloseable {
    private static final AtomicIntegerFieldUpdater<Permit> RELEASED =
        AtomicIntegerFieldUpdater.newUpdater(Permit.class, "released");

    private final AtomicLong counter;
    private volatile int released;

    Permit(AtomicLong counter) {
      this.counter = counter;
    }

    @Override
    public boolean granted() {
      return true;
    }

    /** Releases the resource, once. */
    @Override
    public void close() {
      if (RELEASED.compareAndSet(this, 0, 1)) {
        counter.decrementAndGet();
      }
    }
  }

  /**
   * A refusal: the limit that overflowed and its configured value. The caller answers with Envoy's
   * {@code UO} (upstream overflow) response flag, or counts a retry overflow.
   *
   * @param limit which limit
   * @param max its value
   */
  record Refusal(Limit limit, long max) implements Admission {
    public Refusal {
      Objects.requireNonNull(limit, "limit");
    }

    @Override
    public boolean granted() {
      return false;
    }

    @Override
    public String toString() {
      return "circuit breaker " + limit.fieldName() + " (" + max + ") reached";
    }
  }
}
