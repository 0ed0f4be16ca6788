package io.meshagent.benchmarks.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshagent.core.testing.EnvoyResources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A large mesh as istiod would push it: N services, each a cluster, endpoints and a vhost. */
final class MeshFixtures {
  static final int ENDPOINTS_PER_CLUSTER = 3;

  private MeshFixtures() {}

  static String clusterName(int i) {
    return "outbound|8080||svc-" + i + ".ns-" + (i % 100) + ".svc.cluster.local";
  }

  static Map<String, Any> clusters(int n) {
    Map<String, Any> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      Cluster c = EnvoyResources.edsCluster(clusterName(i));
      out.put(c.getName(), Any.pack(c));
    }
    return out;
  }

  static ClusterLoadAssignment endpoints(int i, int generation) {
    String[] ips = new String[ENDPOINTS_PER_CLUSTER];
    for (int e = 0; e < ENDPOINTS_PER_CLUSTER; e++) {
      ips[e] = "10." + (generation % 250) + "." + (i / 250 % 250) + "." + (i % 250 + e);
    }
    return EnvoyResources.endpoints(clusterName(i), 8080, ips);
  }

  static Map<String, Any> allEndpoints(int n) {
    Map<String, Any> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      out.put(clusterName(i), Any.pack(endpoints(i, 0)));
    }
    return out;
  }

  static Map<String, Any> listener() {
    Listener l = EnvoyResources.httpListener(8080, "8080");
    return Map.of(l.getName(), Any.pack(l));
  }

  /** Route configuration {@code 8080} with one virtual host per service. */
  static Map<String, Any> routes(int n) {
    List<VirtualHost> hosts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String host = "svc-" + i + ".ns-" + (i % 100) + ".svc.cluster.local";
      hosts.add(
          VirtualHost.newBuilder()
              .setName(host + ":8080")
              .addDomains(host)
              .addDomains(host + ":8080")
              .addRoutes(
                  Route.newBuilder()
                      .setName("default")
                      .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                      .setRoute(RouteAction.newBuilder().setCluster(clusterName(i))))
              .build());
    }
    RouteConfiguration rc =
        RouteConfiguration.newBuilder().setName("8080").addAllVirtualHosts(hosts).build();
    return Map.of("8080", Any.pack(rc));
  }
}
