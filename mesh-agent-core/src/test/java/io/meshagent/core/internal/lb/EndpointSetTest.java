package io.meshagent.core.internal.lb;

import static io.meshagent.core.internal.lb.Eds.cla;
import static io.meshagent.core.internal.lb.Eds.locality;
import static io.meshagent.core.internal.lb.Eds.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Envoy's priority load ({@code recalculatePerPriorityState}), one row per behaviour. */
class EndpointSetTest {
  static Stream<Arguments> rows() {
    return Stream.of(
        row(
            "all healthy: all load on P0",
            cla(locality(0, 4, 0), locality(1, 4, 0)),
            new int[] {100, 0},
            new int[] {0, 0},
            new boolean[] {false, false}),
        row(
            "half healthy × 1.4 = 70% on P0, the rest fails over",
            cla(locality(0, 2, 2), locality(1, 4, 0)),
            new int[] {70, 30},
            new int[] {0, 0},
            new boolean[] {false, false}),
        row(
            "75% healthy × 1.4 caps at 100%",
            cla(locality(0, 3, 1), locality(1, 4, 0)),
            new int[] {100, 0},
            new int[] {0, 0},
            new boolean[] {false, false}),
        row(
            "no healthy P0: all on P1",
            cla(locality(0, 0, 4), locality(1, 4, 0)),
            new int[] {0, 100},
            new int[] {0, 0},
            new boolean[] {false, false}),
        row(
            "nothing healthy: P0 takes it all, in panic",
            cla(locality(0, 0, 4), locality(1, 0, 4)),
            new int[] {100, 0},
            new int[] {0, 0},
            new boolean[] {true, true}),
        row(
            "total under 100 is scaled; under 50% healthy is panic",
            cla(locality(0, 1, 3), locality(1, 1, 3)),
            new int[] {50, 50},
            new int[] {0, 0},
            new boolean[] {true, true}),
        row(
            "overprovisioning factor 100",
            cla(locality(0, 3, 1), locality(1, 4, 0))
                .setPolicy(
                    ClusterLoadAssignment.Policy.newBuilder()
                        .setOverprovisioningFactor(UInt32Value.of(100))),
            new int[] {75, 25},
            new int[] {0, 0},
            new boolean[] {false, false}),
        row(
            "degraded hosts take load after healthy ones",
            cla(
                LocalityLbEndpoints.newBuilder()
                    .addLbEndpoints(Eds.host(HealthStatus.HEALTHY, 1))
                    .addLbEndpoints(Eds.host(HealthStatus.DEGRADED, 1))
                    .addLbEndpoints(Eds.host(HealthStatus.DEGRADED, 1))
                    .addLbEndpoints(Eds.host(HealthStatus.DEGRADED, 1))),
            new int[] {35},
            new int[] {65},
            new boolean[] {false}),
        row(
            "UNKNOWN counts as healthy, DRAINING does not",
            cla(
                LocalityLbEndpoints.newBuilder()
                    .addLbEndpoints(Eds.host(HealthStatus.UNKNOWN, 1))
                    .addLbEndpoints(Eds.host(HealthStatus.DRAINING, 1)),
                locality(1, 1, 0)),
            new int[] {70, 30},
            new int[] {0, 0},
            new boolean[] {false, false}));
  }

  private static Arguments row(
      String description,
      ClusterLoadAssignment.Builder cla,
      int[] healthy,
      int[] degraded,
      boolean[] panic) {
    return Arguments.of(description, EndpointSet.of(parse(cla), false), healthy, degraded, panic);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void distributesLoadAsEnvoyDoes(
      String description, EndpointSet set, int[] healthy, int[] degraded, boolean[] panic) {
    assertThat(IntStream.range(0, set.priorities()).map(set::healthyLoad).toArray())
        .containsExactly(healthy);
    assertThat(IntStream.range(0, set.priorities()).map(set::degradedLoad).toArray())
        .containsExactly(degraded);
    for (int p = 0; p < panic.length; p++) {
      assertThat(set.panic(p)).as("panic at P%d", p).isEqualTo(panic[p]);
    }
  }
}
