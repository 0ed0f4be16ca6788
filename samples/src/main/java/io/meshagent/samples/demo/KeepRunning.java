package io.meshagent.samples.demo;

import java.io.PrintStream;
import java.util.Collection;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code --keep-running}: the services stay up, their admin and metrics endpoints with them, until
 * the JVM is asked to stop (Ctrl-C); the shutdown hook then waits for the demo to close them.
 */
final class KeepRunning {
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  private KeepRunning() {}

  /** Prints where everything is and arms the shutdown hook. */
  static KeepRunning start(Collection<Member> members, PrintStream out) {
    KeepRunning k = new KeepRunning();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  k.stop.countDown();
                  try {
                    // The JVM halts when the hooks return: let the demo close the services first.
                    k.closed.await(10, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "mesh-agent-demo-stop"));
    out.println();
    out.println("Running until Ctrl-C:");
    out.println("  curl http://" + Workload.PRODUCTPAGE.serviceAddress() + "/productpage");
    for (Member m : members) {
      out.println(
          "  "
              + Demo.pad(m.workload.name(), 15)
              + Demo.pad(m.workload.configDumpUrl(), 38)
              + m.workload.metricsUrl());
    }
    out.println(
        "  (each admin also serves /clusters, /certs and /ready.) Edit a configuration file and its"
            + " agents reload it: the reviews weights in productpage.yaml, say.");
    out.flush();
    return k;
  }

  /** Waits until the JVM is asked to stop. */
  void awaitStop(PrintStream out) throws InterruptedException {
    stop.await();
    out.println("Stopping: closing the data planes and agents.");
    out.flush();
  }

  /** The services are closed: the JVM may halt. */
  void closed() {
    closed.countDown();
  }
}
