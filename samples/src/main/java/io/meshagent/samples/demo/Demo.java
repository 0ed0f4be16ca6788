package io.meshagent.samples.demo;

import io.meshagent.traffic.MeshClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The demo README's first command runs: bookinfo-shaped services in one JVM — productpage, details,
 * reviews v1/v2/v3 and ratings — each with its own agent and data plane on its own loopback
 * address, configured by the Envoy resources istiod would send them (the files in {@code
 * samples/demo}) and certified by the dev CA. It drives productpage, makes calls the policy must
 * refuse, and prints a report: the split, the identities each hop verified, what policy refused,
 * the faults and the retries, latency and Istio's metrics. It exits 0 when every check held.
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("mesh-agent demo: " + e.getMessage());
      System.err.print(DemoOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.print(DemoOptions.USAGE);
      return;
    }
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // The agents' routine INFO lines would bury the report; warnings and errors still show.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      System.setProperty("org.slf4j.simpleLogger.log.io.meshagent.accesslog", "info");
    }
    DemoReport report = run(options, System.out, System.err);
    System.exit(report.exitCode());
  }

  /**
   * Runs the demo: starts the services, sends the traffic, prints the report to {@code out} and
   * progress to {@code progress}; with {@code --keep-running}, serves until the JVM is stopped.
   * Everything it started is closed when it returns. Never exits the JVM.
   */
  public static DemoReport run(DemoOptions options, PrintStream out, PrintStream progress) {
    long start = System.nanoTime();
    Map<Workload, Member> members = new LinkedHashMap<>();
    Path ca = null;
    KeepRunning running = null;
    try {
      Ports.checkFree(Workload.BOOKINFO, Workload.PORTS);
      if (options.istiod() == null) {
        ca = Files.createTempDirectory("mesh-agent-demo-ca");
      }
      out.println(
          "mesh-agent demo: bookinfo in one JVM, "
              + Workload.BOOKINFO.size()
              + " workloads, each with its own agent and data plane");
      out.println(
          options.istiod() == null
              ? "  configuration: the Envoy resources istiod would send, from "
                  + options.configDir()
                  + "/*.yaml; identity: a dev CA in "
                  + ca
              : "  configuration and identity: istiod at " + options.istiod());
      for (Workload w : Workload.BOOKINFO) {
        members.put(w, Member.connect(w, options, ca));
      }
      for (Member m : members.values()) {
        m.awaitReady(options.startTimeout());
      }
      Map<Workload, MeshClient> clients = new LinkedHashMap<>();
      for (Member m : members.values()) {
        m.startDataPlane(options.accessLog());
        clients.put(m.workload, m.client());
      }
      Observations seen = new Observations();
      BookinfoApps apps = new BookinfoApps(seen, Map.copyOf(clients)::get, options.seed());
      for (Member m : members.values()) {
        m.serve(apps.handler(m.workload));
        out.println(
            "  "
                + pad(m.workload.name(), 15)
                + pad(m.workload.serviceAddress(), 18)
                + m.identity());
      }
      out.println();
      out.println(
          "traffic: up to "
              + options.requests()
              + " requests to "
              + Traffic.PRODUCTPAGE
              + " (plaintext: productpage is the PERMISSIVE edge)");
      Progress bar = new Progress(progress, options.requests(), Progress.onTerminal());
      long trafficStart = System.nanoTime();
      String stopped = Traffic.load(options.requests(), options.maxDuration(), seen, bar);
      bar.finish(stopped);
      long trafficNanos = System.nanoTime() - trafficStart;
      List<Traffic.Denial> denials = Traffic.probes(members::get);
      List<String> adminNotReady = Traffic.adminNotReady(Workload.BOOKINFO);
      Configured configured =
          Configured.read(
              members.get(Workload.PRODUCTPAGE).snapshot(),
              members.get(Workload.REVIEWS_V2).snapshot());
      Map<Workload, String> metrics = new LinkedHashMap<>();
      for (Member m : members.values()) {
        metrics.put(m.workload, m.plane().prometheusText());
      }
      DemoReport report =
          DemoReport.of(
              options,
              configured,
              seen,
              denials,
              apps.ratingsFailures(),
              metrics,
              adminNotReady,
              trafficNanos,
              System.nanoTime() - start);
      out.print(report.text());
      out.flush();
      if (options.keepRunning()) {
        running = KeepRunning.start(members.values(), out);
        running.awaitStop(out);
      }
      return report;
    } catch (DemoException | IOException e) {
      out.println("FAILED: " + e.getMessage());
      return DemoReport.failed(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return DemoReport.failed("interrupted");
    } finally {
      // Callers first: a server's HBONE drain waits (up to 30 s) for the tunnels its callers'
      // connection pools still hold open.
      for (Member m : members.values()) {
        m.close();
      }
      delete(ca);
      if (running != null) {
        running.closed();
      }
    }
  }

  static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }

  private static void delete(@Nullable Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: the OS cleans it up eventually
    }
  }
}
