package io.meshagent.core.internal.config;

import java.util.concurrent.ThreadFactory;

/**
 * Threads the agent starts: named after their job (for thread dumps) and daemon, so an agent that
 * is not closed never keeps the JVM alive.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A factory of daemon threads called {@code name}. */
  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
