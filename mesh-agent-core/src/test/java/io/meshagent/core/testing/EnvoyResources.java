package io.meshagent.core.testing;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;

/** Envoy resources shaped the way istiod emits them, for tests and benchmarks. */
public final class EnvoyResources {
  private EnvoyResources() {}

  private static ConfigSource ads() {
    return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
  }

  /** An outbound listener {@code 0.0.0.0_<port>} whose HTTP routes come from RDS {@code rds}. */
  public static Listener httpListener(int port, String rds) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("outbound_0.0.0.0_" + port)
            .setRds(Rds.newBuilder().setRouteConfigName(rds).setConfigSource(ads()))
            .addHttpFilters(
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(Any.pack(Router.getDefaultInstance())))
            .build();
    return Listener.newBuilder()
        .setName("0.0.0.0_" + port)
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(port)))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName("envoy.filters.network.http_connection_manager")
                        .setTypedConfig(Any.pack(hcm))))
        .build();
  }

  /** A route configuration with one virtual host sending everything to {@code cluster}. */
  public static RouteConfiguration routes(String name, String domain, String cluster) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(domain)
                .addDomains(domain)
                .addRoutes(
                    Route.newBuilder()
                        .setName("default")
                        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                        .setRoute(RouteAction.newBuilder().setCluster(cluster))))
        .build();
  }

  /** Like {@link #routes} but matching the path with {@code regex}, valid or not. */
  public static RouteConfiguration regexRoutes(
      String name, String domain, String cluster, String regex) {
    return RouteConfiguration.newBuilder()
        .setName(name)
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName(domain)
                .addDomains(domain)
                .addRoutes(
                    Route.newBuilder()
                        .setName("by-regex")
                        .setMatch(
                            RouteMatch.newBuilder()
                                .setSafeRegex(RegexMatcher.newBuilder().setRegex(regex)))
                        .setRoute(RouteAction.newBuilder().setCluster(cluster))))
        .build();
  }

  /** An EDS cluster, as istiod's {@code outbound|port|subset|host} clusters. */
  public static Cluster edsCluster(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()))
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(10))
        .setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST)
        .build();
  }

  /** A cluster whose lb_policy is a number no Envoy knows. */
  public static Cluster clusterWithUnknownLbPolicy(String name) {
    return edsCluster(name).toBuilder().setLbPolicyValue(42).build();
  }

  /** Endpoints {@code ip:port} for each ip, weight 1. */
  public static ClusterLoadAssignment endpoints(String cluster, int port, String... ips) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
    for (String ip : ips) {
      locality.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setLoadBalancingWeight(UInt32Value.of(1))
              .setEndpoint(
                  Endpoint.newBuilder()
                      .setAddress(
                          Address.newBuilder()
                              .setSocketAddress(
                                  SocketAddress.newBuilder().setAddress(ip).setPortValue(port)))));
    }
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(cluster)
        .addEndpoints(locality)
        .build();
  }
}
