package io.meshagent.core.internal.lb;

import static io.meshagent.core.internal.lb.Eds.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshagent.model.cluster.LbPolicy;
import io.meshagent.model.endpoint.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Ring hash and maglev: shares by weight, stickiness, and small disruption on host removal. */
class HashPickerTest {
  private static final int KEYS = 20_000;

  private static List<LbEndpoint.Builder> hosts(int... weights) {
    List<LbEndpoint.Builder> hosts = new ArrayList<>();
    for (int w : weights) {
      hosts.add(Eds.host(HealthStatus.HEALTHY, w));
    }
    return hosts;
  }

  private static EndpointSet of(List<LbEndpoint.Builder> hosts) {
    LocalityLbEndpoints.Builder l = LocalityLbEndpoints.newBuilder();
    hosts.forEach(l::addLbEndpoints);
    return set(l);
  }

  static Stream<Arguments> policies() {
    return Stream.of(Arguments.of(LbPolicy.RING_HASH, 0.03), Arguments.of(LbPolicy.MAGLEV, 0.01));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void sharesFollowWeights(LbPolicy policy, double tolerance) {
    EndpointSet set = of(hosts(1, 1, 2, 4));
    EndpointPicker picker = EndpointPicker.of(policy, set);
    long[] counts = new long[4];
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < KEYS * 5; i++) {
      counts[picker.pick(random.nextLong())]++;
    }
    double[] expected = {0.125, 0.125, 0.25, 0.5};
    for (int i = 0; i < 4; i++) {
      assertThat((double) counts[i] / (KEYS * 5))
          .as("endpoint %d", i)
          .isCloseTo(expected[i], within(tolerance));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void removingAHostMovesFewOtherKeys(LbPolicy policy, double tolerance) {
    List<LbEndpoint.Builder> hosts = hosts(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    EndpointSet before = of(hosts);
    EndpointSet after = of(hosts.subList(1, hosts.size()));
    EndpointPicker p1 = EndpointPicker.of(policy, before);
    EndpointPicker p2 = EndpointPicker.of(policy, after);
    SplittableRandom random = new SplittableRandom(13);
    int kept = 0;
    int others = 0;
    for (int i = 0; i < KEYS; i++) {
      long hash = random.nextLong();
      Endpoint was = before.endpoints().get(p1.pick(hash));
      if (was.equals(before.endpoints().get(0))) {
        continue;
      }
      others++;
      if (after.endpoints().get(p2.pick(hash)).equals(was)) {
        kept++;
      }
    }
    assertThat((double) kept / others).isGreaterThan(0.85);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("policies")
  void sameHashSameHost(LbPolicy policy, double tolerance) {
    EndpointSet set = of(hosts(1, 2, 3));
    EndpointPicker a = EndpointPicker.of(policy, set);
    EndpointPicker b = EndpointPicker.of(policy, set);
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 1_000; i++) {
      long hash = random.nextLong();
      assertThat(a.pick(hash)).isEqualTo(b.pick(hash)).isEqualTo(a.pick(hash));
    }
  }

  @Test
  void ringHasEnvoysMinimumSize() {
    RingHashPicker ring =
        (RingHashPicker) EndpointPicker.of(LbPolicy.RING_HASH, of(hosts(1, 1, 1)));
    // 1/3 of 1,024 rounded up to whole hashes per host: 342 × 3.
    assertThat(ring.ringSize(0)).isEqualTo(1026);
  }
}
