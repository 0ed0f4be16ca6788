package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.cluster.CircuitBreakerThresholds;
import io.meshagent.model.cluster.CircuitBreakerThresholds.Limits;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.OutlierDetectionPolicy;
import java.time.Duration;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterPoliciesTest {
  private static final String NAME = "outbound|9080|v1|reviews.default.svc.cluster.local";

  private static Cluster parse(io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder proto)
      throws ResourceInvalidException {
    return ClusterType.INSTANCE.parse(Any.pack(proto.build())).value();
  }

  private static io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder withOutlier(
      OutlierDetection.Builder od) {
    return io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
        .setName(NAME)
        .setOutlierDetection(od);
  }

  private static com.google.protobuf.Duration seconds(long s) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(s).build();
  }

  private static UInt32Value u32(int v) {
    return UInt32Value.of(v);
  }

  @Test
  void noOutlierDetectionIsNullAndNoCircuitBreakersAreEnvoysDefaults() throws Exception {
    Cluster c = parse(io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder().setName(NAME));

    assertThat(c.outlierDetection()).isNull();
    assertThat(c.circuitBreakers()).isEqualTo(CircuitBreakerThresholds.DEFAULTS);
    assertThat(CircuitBreakerThresholds.DEFAULTS.defaultPriority())
        .isEqualTo(new Limits(1024, 1024, 1024, 3));
  }

  @Test
  void emptyOutlierDetectionTakesEveryEnvoyDefault() throws Exception {
    OutlierDetectionPolicy p = parse(withOutlier(OutlierDetection.newBuilder())).outlierDetection();

    assertThat(p)
        .isEqualTo(
            new OutlierDetectionPolicy(
                5,
                5,
                5,
                false,
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(300),
                Duration.ZERO,
                10,
                false,
                100,
                0,
                100,
                100,
                100,
                0,
                0,
                5,
                100,
                1900,
                85,
                5,
                50))
        .isEqualTo(OutlierDetectionPolicy.DEFAULTS);
  }

  static Stream<Arguments> outlierFields() {
    return Stream.of(
        row("consecutive_5xx", b -> b.setConsecutive5Xx(u32(7)), p -> p.consecutive5xx(), 7L),
        row(
            "consecutive_gateway_failure",
            b -> b.setConsecutiveGatewayFailure(u32(3)),
            p -> p.consecutiveGatewayFailure(),
            3L),
        row(
            "consecutive_local_origin_failure",
            b -> b.setConsecutiveLocalOriginFailure(u32(2)),
            p -> p.consecutiveLocalOriginFailure(),
            2L),
        row(
            "split_external_local_origin_errors",
            b -> b.setSplitExternalLocalOriginErrors(true),
            p -> p.splitExternalLocalOriginErrors(),
            true),
        row("interval", b -> b.setInterval(seconds(1)), p -> p.interval(), Duration.ofSeconds(1)),
        row(
            "base_ejection_time",
            b -> b.setBaseEjectionTime(seconds(2)),
            p -> p.baseEjectionTime(),
            Duration.ofSeconds(2)),
        row(
            "max_ejection_time",
            b -> b.setMaxEjectionTime(seconds(60)),
            p -> p.maxEjectionTime(),
            Duration.ofSeconds(60)),
        row(
            "max_ejection_time defaults to base_ejection_time when that is larger",
            b -> b.setBaseEjectionTime(seconds(600)),
            p -> p.maxEjectionTime(),
            Duration.ofSeconds(600)),
        row(
            "max_ejection_time_jitter",
            b -> b.setMaxEjectionTimeJitter(seconds(3)),
            p -> p.maxEjectionTimeJitter(),
            Duration.ofSeconds(3)),
        row(
            "max_ejection_percent",
            b -> b.setMaxEjectionPercent(u32(100)),
            p -> p.maxEjectionPercent(),
            100),
        row(
            "always_eject_one_host",
            b -> b.setAlwaysEjectOneHost(BoolValue.of(true)),
            p -> p.alwaysEjectOneHost(),
            true),
        row(
            "enforcing_consecutive_5xx",
            b -> b.setEnforcingConsecutive5Xx(u32(50)),
            p -> p.enforcingConsecutive5xx(),
            50),
        row(
            "enforcing_consecutive_gateway_failure",
            b -> b.setEnforcingConsecutiveGatewayFailure(u32(40)),
            p -> p.enforcingConsecutiveGatewayFailure(),
            40),
        row(
            "enforcing_consecutive_local_origin_failure",
            b -> b.setEnforcingConsecutiveLocalOriginFailure(u32(30)),
            p -> p.enforcingConsecutiveLocalOriginFailure(),
            30),
        row(
            "enforcing_success_rate",
            b -> b.setEnforcingSuccessRate(u32(0)),
            p -> p.enforcingSuccessRate(),
            0),
        row(
            "enforcing_local_origin_success_rate",
            b -> b.setEnforcingLocalOriginSuccessRate(u32(20)),
            p -> p.enforcingLocalOriginSuccessRate(),
            20),
        row(
            "enforcing_failure_percentage",
            b -> b.setEnforcingFailurePercentage(u32(100)),
            p -> p.enforcingFailurePercentage(),
            100),
        row(
            "enforcing_failure_percentage_local_origin",
            b -> b.setEnforcingFailurePercentageLocalOrigin(u32(10)),
            p -> p.enforcingFailurePercentageLocalOrigin(),
            10),
        row(
            "success_rate_minimum_hosts",
            b -> b.setSuccessRateMinimumHosts(u32(3)),
            p -> p.successRateMinimumHosts(),
            3L),
        row(
            "success_rate_request_volume",
            b -> b.setSuccessRateRequestVolume(u32(10)),
            p -> p.successRateRequestVolume(),
            10L),
        row(
            "success_rate_stdev_factor",
            b -> b.setSuccessRateStdevFactor(u32(1000)),
            p -> p.successRateStdevFactor(),
            1000L),
        row(
            "failure_percentage_threshold",
            b -> b.setFailurePercentageThreshold(u32(50)),
            p -> p.failurePercentageThreshold(),
            50),
        row(
            "failure_percentage_minimum_hosts",
            b -> b.setFailurePercentageMinimumHosts(u32(2)),
            p -> p.failurePercentageMinimumHosts(),
            2L),
        row(
            "failure_percentage_request_volume",
            b -> b.setFailurePercentageRequestVolume(u32(20)),
            p -> p.failurePercentageRequestVolume(),
            20L),
        row(
            "uint32 counts are unsigned",
            b -> b.setConsecutive5Xx(u32(-1)),
            p -> p.consecutive5xx(),
            4294967295L));
  }

  private static Arguments row(
      String field,
      Function<OutlierDetection.Builder, OutlierDetection.Builder> set,
      Function<OutlierDetectionPolicy, Object> get,
      Object expected) {
    return Arguments.of(field, set, get, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outlierFields")
  void convertsEachOutlierField(
      String field,
      Function<OutlierDetection.Builder, OutlierDetection.Builder> set,
      Function<OutlierDetectionPolicy, Object> get,
      Object expected)
      throws Exception {
    OutlierDetectionPolicy p =
        parse(withOutlier(set.apply(OutlierDetection.newBuilder()))).outlierDetection();

    assertThat(p).isNotNull();
    assertThat(get.apply(p)).isEqualTo(expected);
  }

  static Stream<Arguments> invalidOutlierDetection() {
    return Stream.of(
        Arguments.of(
            OutlierDetection.newBuilder().setMaxEjectionPercent(u32(101)),
            "outlier_detection.max_ejection_percent: must be at most 100, got 101"),
        Arguments.of(
            OutlierDetection.newBuilder().setEnforcingSuccessRate(u32(200)),
            "outlier_detection.enforcing_success_rate: must be at most 100, got 200"),
        Arguments.of(
            OutlierDetection.newBuilder().setFailurePercentageThreshold(u32(-1)),
            "outlier_detection.failure_percentage_threshold: must be at most 100, got 4294967295"),
        Arguments.of(
            OutlierDetection.newBuilder().setInterval(seconds(0)),
            "outlier_detection.interval: must be greater than 0"),
        Arguments.of(
            OutlierDetection.newBuilder().setBaseEjectionTime(seconds(0)),
            "outlier_detection.base_ejection_time: must be greater than 0"),
        Arguments.of(
            OutlierDetection.newBuilder()
                .setBaseEjectionTime(seconds(60))
                .setMaxEjectionTime(seconds(30)),
            "outlier_detection.max_ejection_time: must not be smaller than base_ejection_time"
                + " (PT30S < PT1M)"),
        Arguments.of(
            OutlierDetection.newBuilder().setInterval(seconds(-1)),
            "outlier_detection.interval: invalid duration (seconds=-1, nanos=0); must be"
                + " non-negative"));
  }

  @ParameterizedTest
  @MethodSource("invalidOutlierDetection")
  void rejectsInvalidOutlierDetectionNamingTheField(OutlierDetection.Builder od, String message) {
    assertThatThrownBy(() -> parse(withOutlier(od)))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }

  private static CircuitBreakerThresholds breakers(CircuitBreakers.Builder cb) throws Exception {
    return parse(
            io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
                .setName(NAME)
                .setCircuitBreakers(cb))
        .circuitBreakers();
  }

  @Test
  void convertsCircuitBreakerLimitsPerPriority() throws Exception {
    CircuitBreakerThresholds t =
        breakers(
            CircuitBreakers.newBuilder()
                .addThresholds(
                    Thresholds.newBuilder()
                        .setMaxConnections(u32(10))
                        .setMaxPendingRequests(u32(20))
                        .setMaxRequests(u32(30))
                        .setMaxRetries(u32(4)))
                .addThresholds(
                    Thresholds.newBuilder()
                        .setPriority(RoutingPriority.HIGH)
                        .setMaxConnections(u32(100))));

    assertThat(t.defaultPriority()).isEqualTo(new Limits(10, 20, 30, 4));
    assertThat(t.highPriority()).isEqualTo(new Limits(100, 1024, 1024, 3));
    assertThat(t.forPriority(io.meshagent.model.cluster.RoutingPriority.HIGH))
        .isSameAs(t.highPriority());
  }

  @Test
  void firstThresholdsOfAPriorityWinsAndAMissingPriorityTakesDefaults() throws Exception {
    CircuitBreakerThresholds t =
        breakers(
            CircuitBreakers.newBuilder()
                .addThresholds(Thresholds.newBuilder().setMaxRequests(u32(1)))
                .addThresholds(Thresholds.newBuilder().setMaxRequests(u32(2))));

    assertThat(t.defaultPriority().maxRequests()).isEqualTo(1);
    assertThat(t.highPriority()).isEqualTo(Limits.DEFAULTS);
  }

  @Test
  void istiosUnlimitedValuesStayUnsigned() throws Exception {
    // istiod writes 4294967295 for "no limit".
    CircuitBreakerThresholds t =
        breakers(
            CircuitBreakers.newBuilder()
                .addThresholds(
                    Thresholds.newBuilder()
                        .setMaxConnections(u32(-1))
                        .setMaxPendingRequests(u32(-1))
                        .setMaxRequests(u32(-1))
                        .setMaxRetries(u32(-1))));

    assertThat(t.defaultPriority())
        .isEqualTo(new Limits(4294967295L, 4294967295L, 4294967295L, 4294967295L));
  }

  @Test
  void rejectsAnUnknownPriority() {
    assertThatThrownBy(
            () ->
                breakers(
                    CircuitBreakers.newBuilder()
                        .addThresholds(Thresholds.newBuilder().setPriorityValue(7))))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(
            "circuit_breakers.thresholds[0].priority: 7 is not supported; supported: DEFAULT,"
                + " HIGH");
  }
}
