package io.meshagent.netty.internal.admin;

import io.envoyproxy.envoy.admin.v3.ClusterStatus;
import io.envoyproxy.envoy.admin.v3.Clusters;
import io.envoyproxy.envoy.admin.v3.HostHealthStatus;
import io.envoyproxy.envoy.admin.v3.HostStatus;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.type.v3.Percent;
import io.meshagent.core.internal.circuitbreaker.Limit;
import io.meshagent.core.internal.outlier.OutlierDetector;
import io.meshagent.core.internal.outlier.OutlierStatus;
import io.meshagent.core.internal.traffic.ClusterManager;
import io.meshagent.core.internal.traffic.ClusterState;
import io.meshagent.model.cluster.CircuitBreakerThresholds;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.DiscoveryType;
import io.meshagent.model.cluster.RoutingPriority;
import io.meshagent.model.endpoint.ClusterLoadAssignment;
import io.meshagent.model.endpoint.Endpoint;
import io.meshagent.model.endpoint.HealthStatus;
import io.meshagent.model.endpoint.LocalityEndpoints;
import io.meshagent.snapshot.MeshSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code /clusters}: every cluster of the snapshot with its circuit-breaker limits, outlier
 * detection averages and, per host, health flags (EDS health, and {@code /failed_outlier_check}
 * while outlier detection ejects it), weight, locality, priority and success rates. Text ({@code
 * <cluster>::<host>::health_flags::healthy}) or, with {@code ?format=json}, {@code
 * envoy.admin.v3.Clusters}.
 *
 * <p>Envoy's per-host request and connection counters are not kept by the agent and are not
 * printed. Beyond Envoy's lines, a cluster that has carried traffic shows what its circuit breakers
 * have left ({@code <cluster>::default_priority::remaining_rq::1023}, Envoy's {@code
 * circuit_breakers.<priority>.remaining_*} gauges).
 */
final class ClustersView {
  private ClustersView() {}

  /** One host as both formats print it. */
  private record Host(
      Endpoint endpoint,
      LocalityEndpoints locality,
      boolean ejected,
      double successRate,
      double localOriginSuccessRate) {
    String address() {
      return endpoint.host().indexOf(':') >= 0
          ? "[" + endpoint.host() + "]:" + endpoint.port()
          : endpoint.host() + ":" + endpoint.port();
    }

    String healthFlags() {
      List<String> flags = new ArrayList<>(2);
      if (ejected) {
        flags.add("/failed_outlier_check");
      }
      switch (endpoint.health()) {
        case UNHEALTHY, TIMEOUT -> flags.add("/failed_eds_health");
        case DEGRADED -> flags.add("/degraded_eds_health");
        case DRAINING -> flags.add("/eds_status_draining");
        default -> {}
      }
      return flags.isEmpty() ? "healthy" : String.join("|", flags);
    }
  }

  /** One cluster as both formats print it. */
  private record View(
      Cluster cluster,
      @Nullable ClusterState state,
      @Nullable OutlierStatus outlier,
      List<Host> hosts) {}

  private static List<View> views(MeshSnapshot snapshot, ClusterManager manager) {
    Map<String, ClusterLoadAssignment> assignments = snapshot.clusterLoadAssignments();
    List<View> out = new ArrayList<>();
    for (Cluster c : new TreeMap<>(snapshot.clusters()).values()) {
      ClusterState state = manager.state(c.name());
      OutlierDetector od = state == null ? null : state.outlierDetector();
      OutlierStatus status = od == null ? null : od.status();
      Map<String, OutlierStatus.Host> byKey = new HashMap<>();
      if (status != null) {
        for (OutlierStatus.Host h : status.hosts()) {
          byKey.put(h.endpointKey(), h);
        }
      }
      ClusterLoadAssignment cla =
          c.type() == DiscoveryType.EDS
              ? assignments.get(c.edsServiceName().isEmpty() ? c.name() : c.edsServiceName())
              : c.loadAssignment();
      List<Host> hosts = new ArrayList<>();
      if (cla != null && c.type() != DiscoveryType.ORIGINAL_DST) {
        for (LocalityEndpoints l : cla.localities()) {
          for (Endpoint e : l.endpoints()) {
            OutlierStatus.Host h = byKey.get(e.host() + ":" + e.port());
            hosts.add(
                new Host(
                    e,
                    l,
                    h != null && h.ejected(),
                    h == null ? -1 : h.successRate(),
                    h == null ? -1 : h.localOriginSuccessRate()));
          }
        }
      }
      out.add(new View(c, state, status, hosts));
    }
    return out;
  }

  /** The text format. */
  static String text(MeshSnapshot snapshot, ClusterManager manager) {
    StringBuilder out = new StringBuilder();
    for (View v : views(snapshot, manager)) {
      String name = v.cluster().name();
      line(out, name, "observability_name", name);
      OutlierStatus o = v.outlier();
      if (o != null) {
        line(out, name, "outlier::success_rate_average", number(o.successRateAverage()));
        line(
            out,
            name,
            "outlier::success_rate_ejection_threshold",
            number(o.successRateEjectionThreshold()));
        line(
            out,
            name,
            "outlier::local_origin_success_rate_average",
            number(o.localOriginSuccessRateAverage()));
        line(
            out,
            name,
            "outlier::local_origin_success_rate_ejection_threshold",
            number(o.localOriginSuccessRateEjectionThreshold()));
      }
      for (RoutingPriority p : RoutingPriority.values()) {
        String prefix = p == RoutingPriority.DEFAULT ? "default_priority" : "high_priority";
        CircuitBreakerThresholds.Limits limits = v.cluster().circuitBreakers().forPriority(p);
        line(out, name, prefix + "::max_connections", Long.toString(limits.maxConnections()));
        line(
            out,
            name,
            prefix + "::max_pending_requests",
            Long.toString(limits.maxPendingRequests()));
        line(out, name, prefix + "::max_requests", Long.toString(limits.maxRequests()));
        line(out, name, prefix + "::max_retries", Long.toString(limits.maxRetries()));
        ClusterState state = v.state();
        if (state != null) {
          var breakers = state.circuitBreakers().forPriority(p);
          remaining(out, name, prefix + "::remaining_cx", breakers, Limit.MAX_CONNECTIONS);
          remaining(
              out, name, prefix + "::remaining_pending", breakers, Limit.MAX_PENDING_REQUESTS);
          remaining(out, name, prefix + "::remaining_rq", breakers, Limit.MAX_REQUESTS);
          remaining(out, name, prefix + "::remaining_retries", breakers, Limit.MAX_RETRIES);
        }
      }
      line(out, name, "added_via_api", "true");
      if (namesOtherEds(v.cluster())) {
        line(out, name, "eds_service_name", v.cluster().edsServiceName());
      }
      for (Host h : v.hosts()) {
        String host = name + "::" + h.address();
        line(out, host, "hostname", "");
        line(out, host, "health_flags", h.healthFlags());
        line(out, host, "weight", Integer.toString(h.endpoint().weight()));
        line(out, host, "region", h.locality().locality().region());
        line(out, host, "zone", h.locality().locality().zone());
        line(out, host, "sub_zone", h.locality().locality().subZone());
        line(out, host, "canary", "false");
        line(out, host, "priority", Integer.toString(h.locality().priority()));
        line(out, host, "success_rate", number(h.successRate()));
        line(out, host, "local_origin_success_rate", number(h.localOriginSuccessRate()));
      }
    }
    return out.toString();
  }

  /** Whether the cluster asks EDS for another name than its own (Envoy prints it then only). */
  private static boolean namesOtherEds(Cluster c) {
    return c.type() == DiscoveryType.EDS
        && !c.edsServiceName().isEmpty()
        && !c.edsServiceName().equals(c.name());
  }

  private static void remaining(
      StringBuilder out,
      String name,
      String key,
      io.meshagent.core.internal.circuitbreaker.CircuitBreakers.Resources breakers,
      Limit limit) {
    long left = Math.max(0, breakers.max(limit) - breakers.outstanding(limit));
    line(out, name, key, Long.toString(left));
  }

  private static void line(StringBuilder out, String prefix, String key, String value) {
    out.append(prefix).append("::").append(key).append("::").append(value).append('\n');
  }

  /** A double as Envoy prints it: {@code -1}, {@code 99.5}. */
  static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  /** The JSON format's message. */
  static Clusters json(MeshSnapshot snapshot, ClusterManager manager) {
    Clusters.Builder out = Clusters.newBuilder();
    for (View v : views(snapshot, manager)) {
      Cluster c = v.cluster();
      ClusterStatus.Builder s =
          ClusterStatus.newBuilder()
              .setName(c.name())
              .setObservabilityName(c.name())
              .setAddedViaApi(true);
      if (namesOtherEds(c)) {
        s.setEdsServiceName(c.edsServiceName());
      }
      CircuitBreakers.Builder cb = CircuitBreakers.newBuilder();
      for (RoutingPriority p : RoutingPriority.values()) {
        CircuitBreakerThresholds.Limits l = c.circuitBreakers().forPriority(p);
        cb.addThresholds(
            CircuitBreakers.Thresholds.newBuilder()
                .setPriority(
                    p == RoutingPriority.DEFAULT
                        ? io.envoyproxy.envoy.config.core.v3.RoutingPriority.DEFAULT
                        : io.envoyproxy.envoy.config.core.v3.RoutingPriority.HIGH)
                .setMaxConnections(uint32(l.maxConnections()))
                .setMaxPendingRequests(uint32(l.maxPendingRequests()))
                .setMaxRequests(uint32(l.maxRequests()))
                .setMaxRetries(uint32(l.maxRetries())));
      }
      s.setCircuitBreakers(cb);
      OutlierStatus o = v.outlier();
      if (o != null && o.successRateEjectionThreshold() > 0) {
        s.setSuccessRateEjectionThreshold(percent(o.successRateEjectionThreshold()));
      }
      if (o != null && o.localOriginSuccessRateEjectionThreshold() > 0) {
        s.setLocalOriginSuccessRateEjectionThreshold(
            percent(o.localOriginSuccessRateEjectionThreshold()));
      }
      for (Host h : v.hosts()) {
        HostStatus.Builder hs =
            HostStatus.newBuilder()
                .setAddress(
                    Address.newBuilder()
                        .setSocketAddress(
                            SocketAddress.newBuilder()
                                .setAddress(h.endpoint().host())
                                .setPortValue(h.endpoint().port())))
                .setHealthStatus(
                    HostHealthStatus.newBuilder()
                        .setFailedOutlierCheck(h.ejected())
                        .setEdsHealthStatus(edsHealth(h.endpoint().health())))
                .setWeight(h.endpoint().weight())
                .setPriority(h.locality().priority())
                .setLocality(
                    io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
                        .setRegion(h.locality().locality().region())
                        .setZone(h.locality().locality().zone())
                        .setSubZone(h.locality().locality().subZone()));
        if (h.successRate() >= 0) {
          hs.setSuccessRate(percent(h.successRate()));
        }
        if (h.localOriginSuccessRate() >= 0) {
          hs.setLocalOriginSuccessRate(percent(h.localOriginSuccessRate()));
        }
        s.addHostStatuses(hs);
      }
      out.addClusterStatuses(s);
    }
    return out.build();
  }

  private static io.envoyproxy.envoy.config.core.v3.HealthStatus edsHealth(HealthStatus h) {
    return switch (h) {
      case UNHEALTHY -> io.envoyproxy.envoy.config.core.v3.HealthStatus.UNHEALTHY;
      case DRAINING -> io.envoyproxy.envoy.config.core.v3.HealthStatus.DRAINING;
      case TIMEOUT -> io.envoyproxy.envoy.config.core.v3.HealthStatus.TIMEOUT;
      case DEGRADED -> io.envoyproxy.envoy.config.core.v3.HealthStatus.DEGRADED;
      case UNKNOWN, HEALTHY -> io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY;
    };
  }

  private static com.google.protobuf.UInt32Value uint32(long v) {
    return com.google.protobuf.UInt32Value.of((int) Math.min(v, 0xFFFF_FFFFL));
  }

  private static Percent percent(double v) {
    return Percent.newBuilder().setValue(v).build();
  }
}
