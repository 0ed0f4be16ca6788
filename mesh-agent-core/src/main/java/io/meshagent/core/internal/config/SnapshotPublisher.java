package io.meshagent.core.internal.config;

import static java.util.Objects.requireNonNull;

import io.meshagent.Subscription;
import io.meshagent.snapshot.MeshSnapshot;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes immutable snapshots through a volatile and notifies subscribers on their executors.
 * Each subscriber sees snapshots in version order; one that falls behind skips to the newest.
 */
public final class SnapshotPublisher {
  private static final Logger log = LoggerFactory.getLogger(SnapshotPublisher.class);

  private volatile MeshSnapshot current = MeshSnapshot.empty();
  private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private final CompletableFuture<MeshSnapshot> initialConfig = new CompletableFuture<>();

  /** The newest snapshot; a volatile read, no lock. */
  public MeshSnapshot current() {
    return current;
  }

  /** Completes with the first snapshot whose initial configuration is complete. */
  public CompletableFuture<MeshSnapshot> initialConfig() {
    return initialConfig;
  }

  /** Publishes {@code snapshot}; called from the control context only. */
  public void publish(MeshSnapshot snapshot) {
    requireNonNull(snapshot, "snapshot");
    current = snapshot;
    for (Subscriber s : subscribers) {
      s.offer(snapshot);
    }
    if (snapshot.initialConfigComplete()) {
      initialConfig.complete(snapshot);
    }
  }

  /** Registers a listener and delivers the current snapshot to it first. */
  public Subscription subscribe(Executor executor, Consumer<? super MeshSnapshot> listener) {
    Subscriber s = new Subscriber(requireNonNull(executor, "executor"), listener);
    subscribers.add(s);
    s.offer(current);
    return () -> {
      s.closed.set(true);
      subscribers.remove(s);
    };
  }

  /**
   * One listener: a single pending slot and a drain task, so deliveries are serial and ordered even
   * on a multi-threaded executor.
   */
  private static final class Subscriber {
    private final Executor executor;
    private final Consumer<? super MeshSnapshot> listener;
    private final AtomicReference<MeshSnapshot> pending = new AtomicReference<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private long delivered = -1;

    Subscriber(Executor executor, Consumer<? super MeshSnapshot> listener) {
      this.executor = executor;
      this.listener = requireNonNull(listener, "listener");
    }

    void offer(MeshSnapshot snapshot) {
      pending.accumulateAndGet(
          snapshot, (old, neu) -> old == null || neu.version() >= old.version() ? neu : old);
      scheduleDrain();
    }

    private void scheduleDrain() {
      if (draining.compareAndSet(false, true)) {
        try {
          executor.execute(this::drain);
        } catch (RuntimeException e) {
          draining.set(false);
          log.warn("snapshot listener's executor rejected a notification", e);
        }
      }
    }

    private void drain() {
      try {
        MeshSnapshot next;
        while (!closed.get() && (next = pending.getAndSet(null)) != null) {
          if (next.version() <= delivered) {
            continue;
          }
          delivered = next.version();
          try {
            listener.accept(next);
          } catch (RuntimeException e) {
            log.warn("snapshot listener threw; it stays subscribed", e);
          }
        }
      } finally {
        draining.set(false);
      }
      if (pending.get() != null && !closed.get()) {
        scheduleDrain();
      }
    }
  }
}
