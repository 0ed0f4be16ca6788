package io.meshagent.core.internal.lb;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshagent.core.internal.xds.resource.ClusterLoadAssignmentType;
import io.meshagent.core.xds.ResourceInvalidException;

/** Builds EDS protos and converts them through the EDS parser, as the agent does. */
final class Eds {
  private static int next = 1;

  private Eds() {}

  static LbEndpoint.Builder host(HealthStatus health, int weight) {
    int n = next++;
    return LbEndpoint.newBuilder()
        .setHealthStatus(health)
        .setLoadBalancingWeight(UInt32Value.of(weight))
        .setEndpoint(
            Endpoint.newBuilder()
                .setAddress(
                    Address.newBuilder()
                        .setSocketAddress(
                            SocketAddress.newBuilder()
                                .setAddress(
                                    "10."
                                        + (n >> 16 & 255)
                                        + "."
                                        + (n >> 8 & 255)
                                        + "."
                                        + (n & 255))
                                .setPortValue(8080))));
  }

  /** {@code healthy} healthy and {@code unhealthy} unhealthy hosts of weight 1. */
  static LocalityLbEndpoints.Builder locality(int priority, int healthy, int unhealthy) {
    LocalityLbEndpoints.Builder l = LocalityLbEndpoints.newBuilder().setPriority(priority);
    for (int i = 0; i < healthy; i++) {
      l.addLbEndpoints(host(HealthStatus.HEALTHY, 1));
    }
    for (int i = 0; i < unhealthy; i++) {
      l.addLbEndpoints(host(HealthStatus.UNHEALTHY, 1));
    }
    return l;
  }

  static LocalityLbEndpoints.Builder weighted(LocalityLbEndpoints.Builder l, String zone, int w) {
    return l.setLocality(Locality.newBuilder().setZone(zone))
        .setLoadBalancingWeight(UInt32Value.of(w));
  }

  static ClusterLoadAssignment.Builder cla(LocalityLbEndpoints.Builder... localities) {
    ClusterLoadAssignment.Builder c = ClusterLoadAssignment.newBuilder().setClusterName("c");
    for (var l : localities) {
      c.addEndpoints(l);
    }
    return c;
  }

  static io.meshagent.model.endpoint.ClusterLoadAssignment parse(
      ClusterLoadAssignment.Builder proto) {
    try {
      return ClusterLoadAssignmentType.INSTANCE.parse(Any.pack(proto.build())).value();
    } catch (ResourceInvalidException e) {
      throw new AssertionError(e);
    }
  }

  static EndpointSet set(LocalityLbEndpoints.Builder... localities) {
    return EndpointSet.of(parse(cla(localities)), false);
  }

  /** Chi-square statistic of counts against expected shares. */
  static double chiSquare(long[] observed, double[] shares) {
    long n = 0;
    for (long o : observed) {
      n += o;
    }
    double chi = 0;
    for (int i = 0; i < observed.length; i++) {
      double e = shares[i] * n;
      chi += (observed[i] - e) * (observed[i] - e) / e;
    }
    return chi;
  }

  /** Chi-square critical values at p = 0.001 by degrees of freedom (index). */
  static final double[] CHI2_999 = {
    0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88, 29.59
  };
}
