package io.meshagent.netty.internal;

import io.netty.util.concurrent.EventExecutor;

/** Running work on a channel's event loop. */
public final class Loops {
  private Loops() {}

  /**
   * Runs {@code task} now when the caller is on {@code loop}, else queues it there. A request's
   * next step usually comes on the loop it needs (a response read there completes the next send),
   * and queueing it anyway cost a trip through the task queue at every hop.
   */
  public static void run(EventExecutor loop, Runnable task) {
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }
}
