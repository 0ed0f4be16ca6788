package io.meshagent.core.testing;

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
        .nonBlockingThreadPredicate(p -> p.or(t -> t.getName().startsWith("mesh-agent-control")))
        .allowBlockingCallsInside("org.slf4j.simple.SimpleLogger", "write")
        // An idle executor thread waiting for its next task is not a blocking call in a task.
        .allowBlockingCallsInside(
            "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "take")
        .allowBlockingCallsInside(
            "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "poll")
        // A worker leaving a pool that is shutting down takes the pool's own lock.
        .allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "processWorkerExit")
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
