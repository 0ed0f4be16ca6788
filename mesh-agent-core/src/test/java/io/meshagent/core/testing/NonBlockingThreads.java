package io.meshagent.core.testing;

import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once per test JVM: Netty event loops (through Netty's own integration) and
 * mesh-agent's control context are non-blocking threads, and every blocking call made on them is
 * recorded so tests can assert there were none. Logging to the console is allowed.
 */
public final class NonBlockingThreads {
  private static final List<String> violations = new CopyOnWriteArrayList<>();
  private static boolean installed;

  private NonBlockingThreads() {}

  public static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    BlockHound.builder()
        // Netty's integration (found through the service loader, which builder() does not use on
        // its own) makes event-loop threads non-blocking and allows Netty's own waits.
        .loadIntegrations()
        // It takes every FastThreadLocalThread for an event loop, but Netty's thread factory also
        // makes the threads of plain executors (work meant to block, such as building TLS
        // contexts): only a thread that runs a Netty executor is one. Evaluated on the thread
        // itself, at its first blocking call.
        .nonBlockingThreadPredicate(
            p ->
                p.and(
                    t ->
                        !(t instanceof FastThreadLocalThread)
                            || ThreadExecutorMap.currentExecutor() != null))
        .nonBlockingThreadPredicate(p -> p.or(t -> t.getName().startsWith("mesh-agent-control")))
        .allowBlockingCallsInside("org.slf4j.simple.SimpleLogger", "write")
        // Netty 4.2's adaptive allocator retires a magazine it has outgrown under the magazine's
        // StampedLock: a short critical section against another thread's allocation, not a wait
        // on I/O, and Netty's own integration does not list it yet (Armeria allows it too).
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
        // An idle executor thread waiting for its next task is not a blocking call in a task.
        .allowBlockingCallsInside(
            "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "take")
        .allowBlockingCallsInside(
            "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "poll")
        // Handing a task to the control context takes its queue's lock for the heap insert only.
        .allowBlockingCallsInside(
            "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "offer")
        // A task handed over as the control context shuts down is taken back out of its queue,
        // under the same short lock as the insert.
        .allowBlockingCallsInside(
            "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "remove")
        // A worker leaving a pool that is shutting down takes the pool's own lock.
        .allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "processWorkerExit")
        // A task handed over while the control context shuts down is taken back out under the
        // pool's lock (ControlContext drops tasks after close; this is the race with close).
        .allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "tryTerminate")
        .blockingMethodCallback(
            m -> {
              StringBuilder where = new StringBuilder();
              StackTraceElement[] stack = new Throwable().getStackTrace();
              for (int i = 0; i < Math.min(stack.length, 25); i++) {
                where.append("\n    at ").append(stack[i]);
              }
              violations.add(Thread.currentThread().getName() + ": " + m + where);
            })
        .install();
  }

  /** Blocking calls seen on non-blocking threads since the JVM started. */
  public static List<String> violations() {
    return List.copyOf(violations);
  }
}
