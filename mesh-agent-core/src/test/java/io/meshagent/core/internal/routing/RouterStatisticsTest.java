package io.meshagent.core.internal.routing;

import static io.meshagent.core.internal.routing.RouteActionTest.abort;
import static io.meshagent.core.internal.routing.RouteActionTest.cluster;
import static io.meshagent.core.internal.routing.RouteActionTest.percent;
import static io.meshagent.core.internal.routing.RouteActionTest.split;
import static io.meshagent.core.internal.routing.RouteActionTest.weight;
import static io.meshagent.core.internal.routing.RouteProtos.action;
import static io.meshagent.core.internal.routing.RouteProtos.config;
import static io.meshagent.core.internal.routing.RouteProtos.parse;
import static io.meshagent.core.internal.routing.RouteProtos.prefix;
import static io.meshagent.core.internal.routing.RouteProtos.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.meshagent.model.route.RouteConfiguration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Shares decided by the draw, over many draws with a fixed seed, against a chi-square bound. */
class RouterStatisticsTest {
  private static final int DRAWS = 100_000;

  /** Chi-square critical value at p = 0.001 for 1, 2 and 3 degrees of freedom. */
  private static final double[] CHI2_999 = {0, 10.83, 13.82, 16.27};

  private static double chiSquare(long[] observed, double[] expectedShares) {
    long n = 0;
    for (long o : observed) {
      n += o;
    }
    double chi = 0;
    for (int i = 0; i < observed.length; i++) {
      double e = expectedShares[i] * n;
      chi += (observed[i] - e) * (observed[i] - e) / e;
    }
    return chi;
  }

  @Test
  void weightedSplitFollowsTheWeights() {
    RouteConfiguration config =
        parse(
            config(
                vhost("vh", "*")
                    .addRoutes(
                        action(
                            prefix("/"),
                            split(weight("v1", 70), weight("v2", 20), weight("v3", 10))))));
    RequestHeaders request = RouteProtos.get("h", "/");
    Map<String, Integer> counts = new HashMap<>();
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < DRAWS; i++) {
      var f = (RouteDecision.Forward) Router.route(config, request, random.nextLong(1_000_000));
      counts.merge(f.cluster(), 1, Integer::sum);
    }

    long[] observed = {counts.get("v1"), counts.get("v2"), counts.get("v3")};
    assertThat(chiSquare(observed, new double[] {0.7, 0.2, 0.1})).isLessThan(CHI2_999[2]);
  }

  @Test
  void mirrorAndFaultPercentagesAreSampledIndependentlyOfTheSplit() {
    RouteAction.Builder action =
        split(weight("a", 50), weight("b", 50))
            .addRequestMirrorPolicies(
                RouteAction.RequestMirrorPolicy.newBuilder()
                    .setCluster("shadow")
                    .setRuntimeFraction(
                        RuntimeFractionalPercent.newBuilder().setDefaultValue(percent(30))));
    RouteConfiguration config =
        parse(
            config(
                vhost("vh", "*")
                    .addRoutes(
                        action(prefix("/"), action)
                            .putTypedPerFilterConfig("envoy.filters.http.fault", abort(503, 20)))));
    RequestHeaders request = RouteProtos.get("h", "/");
    // Cells: (cluster a/b) × (mirrored yes/no); and aborted or not.
    long[] cells = new long[4];
    long aborted = 0;
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < DRAWS; i++) {
      var f = (RouteDecision.Forward) Router.route(config, request, random.nextLong(1_000_000));
      int cell = (f.cluster().equals("a") ? 0 : 2) + (f.mirrorClusters().isEmpty() ? 1 : 0);
      cells[cell]++;
      if (f.fault() != null) {
        aborted++;
      }
    }

    assertThat(chiSquare(cells, new double[] {0.15, 0.35, 0.15, 0.35})).isLessThan(CHI2_999[3]);
    assertThat(chiSquare(new long[] {aborted, DRAWS - aborted}, new double[] {0.2, 0.8}))
        .isLessThan(CHI2_999[1]);
  }

  @Test
  void clusterOnlyRouteIgnoresTheDraw() {
    RouteConfiguration config =
        parse(config(vhost("vh", "*").addRoutes(action(prefix("/"), cluster("only")))));
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 10_000; i++) {
      assertThat(
              ((RouteDecision.Forward)
                      Router.route(config, RouteProtos.get("h", "/"), random.nextLong(1_000_000)))
                  .cluster())
          .isEqualTo("only");
    }
  }
}
