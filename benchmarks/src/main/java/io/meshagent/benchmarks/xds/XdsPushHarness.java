package io.meshagent.benchmarks.xds;

import io.meshagent.MeshAgent;
import io.meshagent.XdsProtocol;
import io.meshagent.core.testing.DeltaPushServer;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.snapshot.ResourceTypes;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Measures what issue "xDS foundation" targets, over real gRPC on loopback:
 *
 * <ol>
 *   <li>a full push of N clusters with their endpoints and a route configuration with N virtual
 *       hosts, from the first byte sent until the snapshot holds all of it;
 *   <li>the heap the agent retains for it, per cluster;
 *   <li>one endpoint change, from send until visible in the snapshot.
 * </ol>
 *
 * Every loop is bounded. Run: {@code ./mvnw -q -B -pl benchmarks exec:exec@xds-push}.
 */
public final class XdsPushHarness {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private XdsPushHarness() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int pushes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int changes = args.length > 2 ? Integer.parseInt(args[2]) : 200;

    Map<String, com.google.protobuf.Any> clusters = MeshFixtures.clusters(n);
    Map<String, com.google.protobuf.Any> endpoints = MeshFixtures.allEndpoints(n);
    Map<String, com.google.protobuf.Any> routes = MeshFixtures.routes(n);
    System.out.printf(
        "mesh: %,d clusters x %d endpoints, route configuration with %,d virtual hosts%n",
        n, MeshFixtures.ENDPOINTS_PER_CLUSTER, n);

    long[] pushNanos = new long[pushes];
    long retainedPerCluster = 0;
    long[] changeNanos = new long[changes];
    for (int p = 0; p < pushes; p++) {
      try (DeltaPushServer server = new DeltaPushServer();
          MeshAgent agent = startAgent(server)) {
        agent.awaitInitialConfig(LIMIT);
        long heapBefore = usedHeapAfterGc();
        server.put(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT, endpoints);
        server.put(ResourceTypes.ROUTE_CONFIGURATION, routes);
        long start = System.nanoTime();
        server.push(ResourceTypes.CLUSTER, clusters);
        server.push(ResourceTypes.LISTENER, MeshFixtures.listener());
        await(
            agent,
            s ->
                s.clusterLoadAssignments().size() == n
                    && s.routeConfigurations().containsKey("8080"));
        pushNanos[p] = System.nanoTime() - start;
        if (p == pushes - 1) {
          retainedPerCluster = (usedHeapAfterGc() - heapBefore) / n;
          for (int c = 0; c < changes; c++) {
            int i = c * 7919 % n;
            String host =
                MeshFixtures.endpoints(i, c + 1)
                    .getEndpoints(0)
                    .getLbEndpoints(0)
                    .getEndpoint()
                    .getAddress()
                    .getSocketAddress()
                    .getAddress();
            String name = MeshFixtures.clusterName(i);
            long t0 = System.nanoTime();
            server.push(
                ResourceTypes.CLUSTER_LOAD_ASSIGNMENT,
                Map.of(name, com.google.protobuf.Any.pack(MeshFixtures.endpoints(i, c + 1))));
            await(
                agent,
                s ->
                    s.clusterLoadAssignments()
                        .get(name)
                        .localities()
                        .get(0)
                        .endpoints()
                        .get(0)
                        .host()
                        .equals(host));
            changeNanos[c] = System.nanoTime() - t0;
          }
        }
      }
    }
    Arrays.sort(pushNanos);
    Arrays.sort(changeNanos);
    System.out.printf(
        "full push (send -> visible): median %.0f ms, min %.0f ms, max %.0f ms over %d%n",
        pushNanos[pushes / 2] / 1e6, pushNanos[0] / 1e6, pushNanos[pushes - 1] / 1e6, pushes);
    System.out.printf(
        "retained heap: %,d bytes per cluster (cluster + %d endpoints + virtual host)%n",
        retainedPerCluster, MeshFixtures.ENDPOINTS_PER_CLUSTER);
    System.out.printf(
        "one endpoint change (send -> visible): median %.0f us, p99 %.0f us over %d%n",
        changeNanos[changes / 2] / 1e3, changeNanos[changes * 99 / 100] / 1e3, changes);
  }

  private static MeshAgent startAgent(DeltaPushServer server) {
    return MeshAgent.builder()
        .xdsAddress(server.address())
        .xdsProtocol(XdsProtocol.DELTA)
        .podName("bench-1")
        .namespace("bench")
        .instanceIps(java.util.List.of("127.0.0.1"))
        .initialFetchTimeout(Duration.ofSeconds(30))
        .build();
  }

  /**
   * Waits without spinning (two cores are shared with the agent and the server): the condition is
   * checked on the agent's notification of each new snapshot.
   */
  private static void await(MeshAgent agent, Predicate<MeshSnapshot> done) throws Exception {
    java.util.concurrent.CompletableFuture<MeshSnapshot> visible =
        new java.util.concurrent.CompletableFuture<>();
    io.meshagent.Subscription subscription =
        agent.subscribe(
            Runnable::run,
            s -> {
              if (done.test(s)) {
                visible.complete(s);
              }
            });
    try {
      visible.get(LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } finally {
      subscription.close();
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
