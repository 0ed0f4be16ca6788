package io.meshagent.benchmarks.routing;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshagent.core.internal.lb.EndpointPicker;
import io.meshagent.core.internal.lb.EndpointSet;
import io.meshagent.core.internal.routing.RequestHeaders;
import io.meshagent.core.internal.routing.RouteDecision;
import io.meshagent.core.internal.routing.RouteTable;
import io.meshagent.core.internal.routing.Router;
import io.meshagent.core.internal.xds.resource.ClusterLoadAssignmentType;
import io.meshagent.core.internal.xds.resource.RouteConfigurationType;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.cluster.LbPolicy;
import io.meshagent.model.route.RouteConfiguration;
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
 * Issue 4's data-path targets: a route decision over 1,000 routes in 100 istiod-style virtual hosts
 * (median ≤ 1 µs), and an endpoint pick per policy over 100 and 10,000 endpoints (≤ 200 ns).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RouteBenchmark {

  /** 100 virtual hosts of 10 routes; the request hits the last route of a middle host. */
  @State(Scope.Benchmark)
  public static class Routes {
    RouteTable table;
    RequestHeaders request;
    long draw;

    @Setup
    public void setUp() throws ResourceInvalidException {
      var config =
          io.envoyproxy.envoy.config.route.v3.RouteConfiguration.newBuilder().setName("8080");
      for (int v = 0; v < 100; v++) {
        String host = "svc" + v + ".ns.svc.cluster.local";
        VirtualHost.Builder vh =
            VirtualHost.newBuilder()
                .setName(host + ":8080")
                .addDomains(host)
                .addDomains(host + ":8080")
                .addDomains("svc" + v)
                .addDomains("svc" + v + ":8080")
                .addDomains("svc" + v + ".ns")
                .addDomains("svc" + v + ".ns:8080");
        for (int r = 0; r < 10; r++) {
          RouteMatch.Builder match = RouteMatch.newBuilder().setPrefix("/api/r" + r + "/");
          if (r % 2 == 1) {
            match.addHeaders(
                HeaderMatcher.newBuilder()
                    .setName("x-version")
                    .setStringMatch(StringMatcher.newBuilder().setExact("v" + r)));
          }
          RouteAction.Builder action =
              RouteAction.newBuilder()
                  .setWeightedClusters(
                      WeightedCluster.newBuilder()
                          .addClusters(
                              WeightedCluster.ClusterWeight.newBuilder()
                                  .setName("outbound|8080|v1|" + host)
                                  .setWeight(UInt32Value.of(90)))
                          .addClusters(
                              WeightedCluster.ClusterWeight.newBuilder()
                                  .setName("outbound|8080|v2|" + host)
                                  .setWeight(UInt32Value.of(10))));
          vh.addRoutes(Route.newBuilder().setName("r" + r).setMatch(match).setRoute(action));
        }
        config.addVirtualHosts(vh);
      }
      RouteConfiguration parsed =
          RouteConfigurationType.INSTANCE.parse(Any.pack(config.build())).value();
      table = RouteTable.build(parsed);
      request =
          RequestHeaders.builder("svc50.ns.svc.cluster.local:8080", "/api/r9/items?id=7")
              .method("GET")
              .add("x-version", "v9")
              .add("user-agent", "bench")
              .build();
    }
  }

  /** An endpoint set and a picker for one policy. */
  @State(Scope.Benchmark)
  public static class Picks {
    @Param({"100", "10000"})
    int endpoints;

    @Param({"ROUND_ROBIN", "RANDOM", "LEAST_REQUEST", "RING_HASH", "MAGLEV"})
    LbPolicy policy;

    EndpointPicker picker;
    long value;

    @Setup
    public void setUp() throws ResourceInvalidException {
      var cla =
          io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.newBuilder()
              .setClusterName("c");
      for (int z = 0; z < 3; z++) {
        LocalityLbEndpoints.Builder l = LocalityLbEndpoints.newBuilder();
        for (int i = z; i < endpoints; i += 3) {
          l.addLbEndpoints(
              LbEndpoint.newBuilder()
                  .setEndpoint(
                      Endpoint.newBuilder()
                          .setAddress(
                              Address.newBuilder()
                                  .setSocketAddress(
                                      SocketAddress.newBuilder()
                                          .setAddress(
                                              "10."
                                                  + (i >> 16 & 255)
                                                  + "."
                                                  + (i >> 8 & 255)
                                                  + "."
                                                  + (i & 255))
                                          .setPortValue(8080)))));
        }
        cla.addEndpoints(l);
      }
      EndpointSet set =
          EndpointSet.of(
              ClusterLoadAssignmentType.INSTANCE.parse(Any.pack(cla.build())).value(), false);
      picker = EndpointPicker.of(policy, set);
    }
  }

  @Benchmark
  public RouteDecision routeDecision(Routes s) {
    return Router.route(s.table, s.request, (s.draw = (s.draw + 7_919) % 1_000_000));
  }

  @Benchmark
  public int pick(Picks s) {
    return s.picker.pick(s.value += 0x9E3779B97F4A7C15L);
  }
}
