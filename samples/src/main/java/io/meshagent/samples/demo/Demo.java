package io.meshagent.samples.demo;

import io.meshagent.MeshAgent;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.identity.IdentityStatus;
import io.meshagent.identity.SpiffeId;
import io.meshagent.model.endpoint.Endpoint;
import io.meshagent.model.endpoint.LocalityEndpoints;
import io.meshagent.model.listener.Listener;
import io.meshagent.model.route.Route;
import io.meshagent.model.route.RouteAction;
import io.meshagent.model.route.RouteConfiguration;
import io.meshagent.model.route.VirtualHost;
import io.meshagent.snapshot.MeshSnapshot;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Starts an agent on the embedded default (the {@code file:} source) and prints the mesh it sees:
 * listeners, the routes they lead to, the clusters and their endpoints. Exits 0 when the
 * configuration loaded completely, 1 with the reason when not.
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "samples/demo/mesh.yaml");
    PrintStream out = System.out;
    out.println("mesh-agent demo: reading Envoy resources from file:" + file);
    try (MeshAgent agent =
        MeshAgent.builder()
            .xdsFile(file)
            .podName("productpage-v1")
            .namespace("default")
            .serviceAccount("bookinfo-productpage")
            // The embedded default's identity: a local CA shared by the agents of this machine.
            .identityProvider(IdentityProvider.DEV)
            .build()) {
      MeshSnapshot snapshot;
      try {
        snapshot = agent.awaitInitialConfig(Duration.ofSeconds(10));
      } catch (java.util.concurrent.TimeoutException e) {
        System.err.println("FAILED: " + e.getMessage());
        System.exit(1);
        return;
      }
      print(snapshot, out);
      out.println();
      out.println("node id istiod would see: " + agent.config().node().nodeId());
      SpiffeId id = agent.awaitIdentity(Duration.ofSeconds(10));
      IdentityStatus identity = agent.identityStatus();
      out.println(
          "workload identity: "
              + id
              + " (from the "
              + identity.provider()
              + " CA, valid until "
              + identity.notAfter()
              + ", rotating at "
              + identity.nextRotation()
              + ")");
      out.println("OK: configuration version " + snapshot.version() + " is complete.");
    }
  }

  static void print(MeshSnapshot s, PrintStream out) {
    for (Listener l : s.listeners().values()) {
      out.println("listener " + l.name() + " (" + l.direction() + ")");
      for (String rds : l.rdsNames()) {
        RouteConfiguration rc = s.routeConfigurations().get(rds);
        if (rc == null) {
          out.println("  routes " + rds + ": not received");
          continue;
        }
        for (VirtualHost vh : rc.virtualHosts()) {
          out.println("  virtual host " + vh.name() + " " + vh.domains());
          for (Route r : vh.routes()) {
            out.println("    route " + r.name() + " " + r.match().path() + " -> " + target(r));
          }
        }
      }
    }
    s.clusters()
        .forEach(
            (name, c) -> {
              out.println("cluster " + name + " (" + c.type() + ", " + c.lbPolicy() + ")");
              var cla = s.clusterLoadAssignments().get(c.edsServiceName());
              if (cla != null) {
                for (LocalityEndpoints le : cla.localities()) {
                  for (Endpoint e : le.endpoints()) {
                    out.println(
                        "  endpoint " + e.host() + ":" + e.port() + " tlsMode=" + e.tlsMode());
                  }
                }
              }
            });
  }

  private static String target(Route r) {
    return r.action() instanceof RouteAction.Forward f
        ? (f.cluster().isEmpty() ? f.weightedClusters().toString() : f.cluster())
        : r.action().toString();
  }
}
