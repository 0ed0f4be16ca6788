package io.meshagent.benchmarks.xds;

import com.google.protobuf.Any;
import io.meshagent.core.internal.config.RawResource;
import io.meshagent.core.internal.config.ResourceStore;
import io.meshagent.core.internal.config.UpdateRejectedException;
import io.meshagent.core.internal.xds.resource.ClusterLoadAssignmentType;
import io.meshagent.core.internal.xds.resource.ClusterType;
import io.meshagent.core.internal.xds.resource.ListenerType;
import io.meshagent.core.internal.xds.resource.RouteConfigurationType;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The agent's CPU cost of a push without the network: converting N clusters, N endpoint sets and a
 * route configuration with N virtual hosts into domain records, applying them and taking a
 * snapshot; and one endpoint change applied to a store that holds the full mesh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResourceConversionBenchmark {
  @Param({"10000"})
  int n;

  private List<RawResource> clusters;
  private List<RawResource> endpoints;
  private List<RawResource> routes;
  private List<RawResource> oneChange;
  private ResourceStore full;
  private long version;

  private static ResourceStore newStore() {
    return new ResourceStore(
        Map.of(
            ResourceTypes.LISTENER, ListenerType.INSTANCE,
            ResourceTypes.ROUTE_CONFIGURATION, RouteConfigurationType.INSTANCE,
            ResourceTypes.CLUSTER, ClusterType.INSTANCE,
            ResourceTypes.CLUSTER_LOAD_ASSIGNMENT, ClusterLoadAssignmentType.INSTANCE),
        Clock.systemUTC());
  }

  private static List<RawResource> raw(Map<String, Any> byName) {
    List<RawResource> out = new ArrayList<>(byName.size());
    byName.forEach((name, any) -> out.add(new RawResource(name, "1", any)));
    return out;
  }

  @Setup
  public void setUp() throws UpdateRejectedException {
    clusters = raw(MeshFixtures.clusters(n));
    endpoints = raw(MeshFixtures.allEndpoints(n));
    routes = raw(MeshFixtures.routes(n));
    oneChange =
        List.of(
            new RawResource(
                MeshFixtures.clusterName(n / 2), "2", Any.pack(MeshFixtures.endpoints(n / 2, 7))));
    full = newStore();
    fullPush(full);
  }

  private MeshSnapshot fullPush(ResourceStore store) throws UpdateRejectedException {
    store.replaceAll(ResourceTypes.CLUSTER, store.convert(ResourceTypes.CLUSTER, clusters, "1"));
    store.merge(
        ResourceTypes.CLUSTER_LOAD_ASSIGNMENT,
        store.convert(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT, endpoints, "1"),
        List.of(),
        true);
    store.merge(
        ResourceTypes.ROUTE_CONFIGURATION,
        store.convert(ResourceTypes.ROUTE_CONFIGURATION, routes, "1"),
        List.of(),
        true);
    return store.snapshot(++version, true);
  }

  /** Convert, apply and snapshot a full push into an empty store. */
  @Benchmark
  public MeshSnapshot fullPush() throws UpdateRejectedException {
    return fullPush(newStore());
  }

  /** Convert, apply and snapshot one endpoint change into a store holding the full mesh. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public MeshSnapshot oneEndpointChange() throws UpdateRejectedException {
    full.merge(
        ResourceTypes.CLUSTER_LOAD_ASSIGNMENT,
        full.convert(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT, oneChange, "2"),
        List.of(),
        true);
    return full.snapshot(++version, true);
  }
}
