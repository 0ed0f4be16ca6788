package io.meshagent.core.internal.traffic;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.meshagent.core.internal.xds.resource.ClusterLoadAssignmentType;
import io.meshagent.core.internal.xds.resource.ClusterType;
import io.meshagent.core.internal.xds.resource.ListenerType;
import io.meshagent.core.internal.xds.resource.RouteConfigurationType;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.endpoint.ClusterLoadAssignment;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.snapshot.ResourceEntry;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds Envoy protos shaped as istiod emits them, converts them through the agent's parsers, and
 * assembles {@link MeshSnapshot}s from the results, as the resource store does.
 */
final class Xds {
  private static long version;

  private Xds() {}

  static io.meshagent.model.listener.Listener listener(Listener.Builder proto) {
    try {
      return ListenerType.INSTANCE.parse(Any.pack(proto.build())).value();
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
  }

  static io.meshagent.model.route.RouteConfiguration routes(RouteConfiguration proto) {
    try {
      return RouteConfigurationType.INSTANCE.parse(Any.pack(proto)).value();
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
  }

  static Cluster cluster(io.envoyproxy.envoy.config.cluster.v3.Cluster proto) {
    try {
      return ClusterType.INSTANCE.parse(Any.pack(proto)).value();
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
  }

  static ClusterLoadAssignment endpoints(
      io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment proto) {
    try {
      return ClusterLoadAssignmentType.INSTANCE.parse(Any.pack(proto)).value();
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
  }

  static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  /** A listener bound to {@code ip:port}, named as istiod names it. */
  static Listener.Builder bound(String ip, int port, FilterChain.Builder... chains) {
    Listener.Builder l =
        Listener.newBuilder()
            .setName(ip + "_" + port)
            .setAddress(address(ip, port))
            .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.OUTBOUND);
    for (FilterChain.Builder c : chains) {
      l.addFilterChains(c);
    }
    return l;
  }

  /** istiod's {@code virtualOutbound}: original-destination catch-all passing through. */
  static Listener.Builder virtualOutbound() {
    return bound("0.0.0.0", 15001, chain("virtualOutbound-catchall-tcp", tcp("PassthroughCluster")))
        .setName("virtualOutbound")
        .setUseOriginalDst(BoolValue.of(true));
  }

  static FilterChain.Builder chain(String name, Filter... filters) {
    FilterChain.Builder c = FilterChain.newBuilder().setName(name);
    for (Filter f : filters) {
      c.addFilters(f);
    }
    return c;
  }

  static FilterChain.Builder chain(String name, FilterChainMatch.Builder match, Filter... filters) {
    return chain(name, filters).setFilterChainMatch(match);
  }

  /** Adds istiod's inbound mTLS transport socket to a chain. */
  static FilterChain.Builder mtls(FilterChain.Builder chain) {
    return chain.setTransportSocket(
        TransportSocket.newBuilder()
            .setName("envoy.transport_sockets.tls")
            .setTypedConfig(Any.pack(DownstreamTlsContext.getDefaultInstance())));
  }

  static Filter filter(String name, Message config) {
    return Filter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
  }

  static Filter tcp(String cluster) {
    return filter(
        "envoy.filters.network.tcp_proxy",
        TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build());
  }

  /** A TCP proxy splitting by weight, as istiod emits a TCP canary. */
  static Filter tcpSplit(Map<String, Integer> weights) {
    TcpProxy.WeightedCluster.Builder w = TcpProxy.WeightedCluster.newBuilder();
    weights.forEach(
        (name, weight) ->
            w.addClusters(
                TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                    .setName(name)
                    .setWeight(weight)));
    return filter(
        "envoy.filters.network.tcp_proxy",
        TcpProxy.newBuilder().setStatPrefix("split").setWeightedClusters(w).build());
  }

  static HttpConnectionManager.Builder hcm(String statPrefix) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .addHttpFilters(
            HttpFilter.newBuilder()
                .setName("envoy.filters.http.router")
                .setTypedConfig(Any.pack(Router.getDefaultInstance())));
  }

  static Filter hcmRds(String rds) {
    return filter(
        "envoy.filters.network.http_connection_manager",
        hcm(rds)
            .setRds(
                Rds.newBuilder()
                    .setRouteConfigName(rds)
                    .setConfigSource(
                        ConfigSource.newBuilder()
                            .setAds(AggregatedConfigSource.getDefaultInstance())))
            .build());
  }

  static Filter hcmInline(RouteConfiguration routes) {
    return filter(
        "envoy.filters.network.http_connection_manager",
        hcm(routes.getName()).setRouteConfig(routes).build());
  }

  /** Resources by type and name, turned into a snapshot as the resource store would. */
  static final class SnapshotBuilder {
    private final Map<String, Map<String, ResourceEntry<?>>> resources = new HashMap<>();

    SnapshotBuilder put(String typeUrl, String name, Object value) {
      resources
          .computeIfAbsent(typeUrl, t -> new HashMap<>())
          .put(name, new ResourceEntry<>(name, "1", Instant.EPOCH, value));
      return this;
    }

    SnapshotBuilder listener(Listener.Builder proto) {
      io.meshagent.model.listener.Listener l = Xds.listener(proto);
      return put(ResourceTypes.LISTENER, l.name(), l);
    }

    SnapshotBuilder routes(RouteConfiguration proto) {
      return put(ResourceTypes.ROUTE_CONFIGURATION, proto.getName(), Xds.routes(proto));
    }

    SnapshotBuilder cluster(io.envoyproxy.envoy.config.cluster.v3.Cluster proto) {
      return cluster(Xds.cluster(proto));
    }

    SnapshotBuilder cluster(Cluster cluster) {
      return put(ResourceTypes.CLUSTER, cluster.name(), cluster);
    }

    SnapshotBuilder endpoints(io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment proto) {
      return endpoints(Xds.endpoints(proto));
    }

    SnapshotBuilder endpoints(ClusterLoadAssignment cla) {
      return put(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT, cla.clusterName(), cla);
    }

    MeshSnapshot build() {
      Map<String, Map<String, ResourceEntry<?>>> copy = new HashMap<>();
      resources.forEach((type, byName) -> copy.put(type, Map.copyOf(byName)));
      synchronized (Xds.class) {
        return new MeshSnapshot(++version, Instant.EPOCH, copy, Map.of(), true);
      }
    }
  }

  static SnapshotBuilder snapshot() {
    return new SnapshotBuilder();
  }
}
