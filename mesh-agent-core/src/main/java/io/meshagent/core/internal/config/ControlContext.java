package io.meshagent.core.internal.config;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one serial executor that owns all mutable control-plane state of an agent (xDS bookkeeping,
 * the resource store, timers). Everything that runs here must be short and must never block: no
 * file or network I/O, no waiting on futures. Tasks that throw are logged and do not stop the
 * context.
 */
public final class ControlContext implements Executor, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlContext.class);

  private final ScheduledThreadPoolExecutor executor;
  private volatile Thread thread;

  /**
   * @param name the thread's name, for thread dumps
   */
  public ControlContext(String name) {
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = DaemonThreads.named(name).newThread(r);
              thread = t;
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  @Override
  public void execute(Runnable task) {
    if (executor.isShutdown()) {
      // Closed: late callbacks (a gRPC stream ending as the agent stops) have nothing left to
      // update, and handing them to a terminated executor would throw into the caller's thread.
      return;
    }
    try {
      executor.execute(() -> runLogged(task));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed between the check and the hand-over: the same as closed before it.
      log.debug("mesh-agent control context closed; a late task is dropped");
    }
  }

  /** Runs {@code task} here after {@code delay}. */
  public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    return executor.schedule(() -> runLogged(task), delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Whether the caller runs on this context; used in assertions. */
  public boolean inContext() {
    return Thread.currentThread() == thread;
  }

  /** The scheduler, for components (such as gRPC stubs) that take one. */
  public ScheduledExecutorService scheduler() {
    return executor;
  }

  private static void runLogged(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      log.error("mesh-agent control task failed; state is kept as it was", e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /**
   * Waits up to {@code timeout} for the task running at {@link #close} to end: what it hands to
   * other executors is handed over by then. False if it did not end in time.
   */
  public boolean awaitTermination(java.time.Duration timeout) throws InterruptedException {
    return executor.awaitTermination(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
  }
}
