package io.meshagent.core.internal.lb;

import static io.meshagent.core.internal.lb.Eds.CHI2_999;
import static io.meshagent.core.internal.lb.Eds.chiSquare;
import static io.meshagent.core.internal.lb.Eds.locality;
import static io.meshagent.core.internal.lb.Eds.set;
import static io.meshagent.core.internal.lb.Eds.weighted;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshagent.model.cluster.LbPolicy;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Endpoint picks, checked statistically over many picks with fixed seeds. */
class EndpointPickerTest {
  private static final int PICKS = 60_000;

  private static LocalityLbEndpoints.Builder weights(int... weights) {
    LocalityLbEndpoints.Builder l = LocalityLbEndpoints.newBuilder();
    for (int w : weights) {
      l.addLbEndpoints(Eds.host(HealthStatus.HEALTHY, w));
    }
    return l;
  }

  private static long[] counts(EndpointPicker picker, int endpoints, long seed) {
    long[] counts = new long[endpoints];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < PICKS; i++) {
      counts[picker.pick(random.nextLong())]++;
    }
    return counts;
  }

  private static double[] shares(double... weights) {
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    double[] s = new double[weights.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = weights[i] / sum;
    }
    return s;
  }

  static Stream<Arguments> distributions() {
    return Stream.of(
        Arguments.of(
            "round robin, equal weights",
            LbPolicy.ROUND_ROBIN,
            set(weights(1, 1, 1, 1)),
            shares(1, 1, 1, 1)),
        Arguments.of(
            "round robin by weight",
            LbPolicy.ROUND_ROBIN,
            set(weights(1, 2, 3, 4)),
            shares(1, 2, 3, 4)),
        Arguments.of(
            "random ignores weights, as Envoy's",
            LbPolicy.RANDOM,
            set(weights(1, 1, 1, 5)),
            shares(1, 1, 1, 1)),
        Arguments.of(
            "least request (idle), equal weights",
            LbPolicy.LEAST_REQUEST,
            set(weights(1, 1, 1, 1, 1)),
            shares(1, 1, 1, 1, 1)),
        Arguments.of(
            "least request (idle) by weight",
            LbPolicy.LEAST_REQUEST,
            set(weights(1, 3)),
            shares(1, 3)),
        Arguments.of(
            "maglev, equal weights (random hashes)",
            LbPolicy.MAGLEV,
            set(weights(1, 1, 1, 1, 1, 1)),
            shares(1, 1, 1, 1, 1, 1)),
        Arguments.of(
            "priority failover: 70% on P0's healthy half, 30% on P1",
            LbPolicy.ROUND_ROBIN,
            set(locality(0, 2, 2), locality(1, 2, 0)),
            new double[] {0.35, 0.35, 0, 0, 0.15, 0.15}),
        Arguments.of(
            "locality weights 1:3",
            LbPolicy.RANDOM,
            EndpointSet.of(
                Eds.parse(
                    Eds.cla(
                        weighted(locality(0, 2, 0), "a", 1), weighted(locality(0, 2, 0), "b", 3))),
                true),
            shares(1, 1, 3, 3)),
        Arguments.of(
            "locality weight × availability (half healthy: 0.7)",
            LbPolicy.RANDOM,
            EndpointSet.of(
                Eds.parse(
                    Eds.cla(
                        weighted(locality(0, 1, 1), "a", 1), weighted(locality(0, 2, 0), "b", 1))),
                true),
            new double[] {0.7 / 1.7, 0, 0.5 / 1.7, 0.5 / 1.7}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("distributions")
  void picksInProportion(String description, LbPolicy policy, EndpointSet set, double[] shares) {
    long[] counts = counts(EndpointPicker.of(policy, set), set.endpoints().size(), 42);

    int cells = 0;
    long[] observed = new long[shares.length];
    double[] expected = new double[shares.length];
    for (int i = 0; i < shares.length; i++) {
      if (shares[i] == 0) {
        assertThat(counts[i]).as("endpoint %d", i).isZero();
      } else {
        observed[cells] = counts[i];
        expected[cells++] = shares[i];
      }
    }
    assertThat(chiSquare(Arrays.copyOf(observed, cells), Arrays.copyOf(expected, cells)))
        .isLessThan(CHI2_999[cells - 1]);
  }

  @Test
  void roundRobinCyclesInOrderWithEqualWeights() {
    EndpointPicker rr = EndpointPicker.of(LbPolicy.ROUND_ROBIN, set(weights(1, 1, 1)));
    int[] picks = new int[6];
    for (int i = 0; i < picks.length; i++) {
      picks[i] = rr.pick(i);
    }
    assertThat(picks).containsExactly(0, 1, 2, 0, 1, 2);
  }

  @Test
  void weightedRoundRobinGivesExactSharesPerCycle() {
    EndpointPicker rr = EndpointPicker.of(LbPolicy.ROUND_ROBIN, set(weights(1, 2, 3)));
    long[] counts = new long[3];
    for (int i = 0; i < 6; i++) {
      counts[rr.pick(i)]++;
    }
    assertThat(counts).containsExactly(1, 2, 3);
  }

  @Test
  void leastRequestAvoidsBusyHosts() {
    EndpointSet set = set(weights(1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
    LeastRequestPicker picker = (LeastRequestPicker) EndpointPicker.of(LbPolicy.LEAST_REQUEST, set);
    for (int id = 0; id < 5; id++) {
      for (int n = 0; n < 10; n++) {
        picker.started(id);
      }
    }
    long[] counts = counts(picker, 10, 3);
    long busy = 0;
    for (int id = 0; id < 5; id++) {
      busy += counts[id];
    }
    // Two samples both land on the busy half with probability 1/4.
    assertThat(chiSquare(new long[] {busy, PICKS - busy}, new double[] {0.25, 0.75}))
        .isLessThan(CHI2_999[1]);
    picker.finished(0);
    assertThat(picker.active(0)).isEqualTo(9);
  }

  @Test
  void panicBalancesOverAllHosts() {
    EndpointPicker picker = EndpointPicker.of(LbPolicy.ROUND_ROBIN, set(locality(0, 0, 3)));
    assertThat(counts(picker, 3, 5)).doesNotContain(0L);
  }

  @Test
  void noEndpointsPicksNothing() {
    EndpointSet empty = set();
    for (LbPolicy policy : LbPolicy.values()) {
      assertThat(EndpointPicker.of(policy, empty).pick(1)).as("%s", policy).isEqualTo(-1);
    }
  }
}
