package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.cluster.CircuitBreakerThresholds;
import io.meshagent.model.cluster.CircuitBreakerThresholds.Limits;
import io.meshagent.model.cluster.OutlierDetectionPolicy;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A cluster's {@code outlier_detection} and {@code circuit_breakers} to {@link
 * OutlierDetectionPolicy} and {@link CircuitBreakerThresholds}, with Envoy's defaults for unset
 * fields and its validation rules.
 */
final class ClusterPolicies {
  private ClusterPolicies() {}

  static OutlierDetectionPolicy outlierDetection(OutlierDetection p, String path)
      throws ResourceInvalidException {
    OutlierDetectionPolicy d = OutlierDetectionPolicy.DEFAULTS;
    Duration interval = positive(p.hasInterval(), p.getInterval(), d.interval(), path, "interval");
    Duration base =
        positive(
            p.hasBaseEjectionTime(),
            p.getBaseEjectionTime(),
            d.baseEjectionTime(),
            path,
            "base_ejection_time");
    // Unset, Envoy takes the larger of its default and base_ejection_time.
    Duration max =
        positive(
            p.hasMaxEjectionTime(),
            p.getMaxEjectionTime(),
            base.compareTo(d.maxEjectionTime()) > 0 ? base : d.maxEjectionTime(),
            path,
            "max_ejection_time");
    if (max.compareTo(base) < 0) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "max_ejection_time"),
              "must not be smaller than base_ejection_time (" + max + " < " + base + ")"));
    }
    Duration jitter =
        p.hasMaxEjectionTimeJitter()
            ? Durations.of(
                p.getMaxEjectionTimeJitter(), Paths.field(path, "max_ejection_time_jitter"))
            : d.maxEjectionTimeJitter();
    return new OutlierDetectionPolicy(
        count(p.hasConsecutive5Xx(), p.getConsecutive5Xx(), d.consecutive5xx()),
        count(
            p.hasConsecutiveGatewayFailure(),
            p.getConsecutiveGatewayFailure(),
            d.consecutiveGatewayFailure()),
        count(
            p.hasConsecutiveLocalOriginFailure(),
            p.getConsecutiveLocalOriginFailure(),
            d.consecutiveLocalOriginFailure()),
        p.getSplitExternalLocalOriginErrors(),
        interval,
        base,
        max,
        jitter,
        percent(
            p.hasMaxEjectionPercent(),
            p.getMaxEjectionPercent(),
            d.maxEjectionPercent(),
            path,
            "max_ejection_percent"),
        flag(p.hasAlwaysEjectOneHost(), p.getAlwaysEjectOneHost(), d.alwaysEjectOneHost()),
        percent(
            p.hasEnforcingConsecutive5Xx(),
            p.getEnforcingConsecutive5Xx(),
            d.enforcingConsecutive5xx(),
            path,
            "enforcing_consecutive_5xx"),
        percent(
            p.hasEnforcingConsecutiveGatewayFailure(),
            p.getEnforcingConsecutiveGatewayFailure(),
            d.enforcingConsecutiveGatewayFailure(),
            path,
            "enforcing_consecutive_gateway_failure"),
        percent(
            p.hasEnforcingConsecutiveLocalOriginFailure(),
            p.getEnforcingConsecutiveLocalOriginFailure(),
            d.enforcingConsecutiveLocalOriginFailure(),
            path,
            "enforcing_consecutive_local_origin_failure"),
        percent(
            p.hasEnforcingSuccessRate(),
            p.getEnforcingSuccessRate(),
            d.enforcingSuccessRate(),
            path,
            "enforcing_success_rate"),
        percent(
            p.hasEnforcingLocalOriginSuccessRate(),
            p.getEnforcingLocalOriginSuccessRate(),
            d.enforcingLocalOriginSuccessRate(),
            path,
            "enforcing_local_origin_success_rate"),
        percent(
            p.hasEnforcingFailurePercentage(),
            p.getEnforcingFailurePercentage(),
            d.enforcingFailurePercentage(),
            path,
            "enforcing_failure_percentage"),
        percent(
            p.hasEnforcingFailurePercentageLocalOrigin(),
            p.getEnforcingFailurePercentageLocalOrigin(),
            d.enforcingFailurePercentageLocalOrigin(),
            path,
            "enforcing_failure_percentage_local_origin"),
        count(
            p.hasSuccessRateMinimumHosts(),
            p.getSuccessRateMinimumHosts(),
            d.successRateMinimumHosts()),
        count(
            p.hasSuccessRateRequestVolume(),
            p.getSuccessRateRequestVolume(),
            d.successRateRequestVolume()),
        count(
            p.hasSuccessRateStdevFactor(),
            p.getSuccessRateStdevFactor(),
            d.successRateStdevFactor()),
        percent(
            p.hasFailurePercentageThreshold(),
            p.getFailurePercentageThreshold(),
            d.failurePercentageThreshold(),
            path,
            "failure_percentage_threshold"),
        count(
            p.hasFailurePercentageMinimumHosts(),
            p.getFailurePercentageMinimumHosts(),
            d.failurePercentageMinimumHosts()),
        count(
            p.hasFailurePercentageRequestVolume(),
            p.getFailurePercentageRequestVolume(),
            d.failurePercentageRequestVolume()));
  }

  /**
   * The limits per priority; for each priority the first {@code thresholds} entry naming it wins,
   * as in Envoy. {@code retry_budget} is not supported and the fixed {@code max_retries} applies.
   */
  static CircuitBreakerThresholds circuitBreakers(CircuitBreakers p, String path)
      throws ResourceInvalidException {
    @Nullable Limits defaultPriority = null;
    @Nullable Limits highPriority = null;
    for (int i = 0; i < p.getThresholdsCount(); i++) {
      CircuitBreakers.Thresholds t = p.getThresholds(i);
      switch (t.getPriority()) {
        case DEFAULT -> {
          if (defaultPriority == null) {
            defaultPriority = limits(t);
          }
        }
        case HIGH -> {
          if (highPriority == null) {
            highPriority = limits(t);
          }
        }
        case UNRECOGNIZED ->
            throw new ResourceInvalidException(
                Paths.at(
                    Paths.field(Paths.element(path, "thresholds", i), "priority"),
                    t.getPriorityValue() + " is not supported; supported: DEFAULT, HIGH"));
      }
    }
    return new CircuitBreakerThresholds(
        defaultPriority == null ? Limits.DEFAULTS : defaultPriority,
        highPriority == null ? Limits.DEFAULTS : highPriority);
  }

  private static Limits limits(CircuitBreakers.Thresholds t) {
    Limits d = Limits.DEFAULTS;
    return new Limits(
        count(t.hasMaxConnections(), t.getMaxConnections(), d.maxConnections()),
        count(t.hasMaxPendingRequests(), t.getMaxPendingRequests(), d.maxPendingRequests()),
        count(t.hasMaxRequests(), t.getMaxRequests(), d.maxRequests()),
        count(t.hasMaxRetries(), t.getMaxRetries(), d.maxRetries()));
  }

  private static long count(boolean has, UInt32Value value, long otherwise) {
    return has ? Integer.toUnsignedLong(value.getValue()) : otherwise;
  }

  private static boolean flag(boolean has, BoolValue value, boolean otherwise) {
    return has ? value.getValue() : otherwise;
  }

  private static int percent(
      boolean has, UInt32Value value, int otherwise, String path, String field)
      throws ResourceInvalidException {
    if (!has) {
      return otherwise;
    }
    long v = Integer.toUnsignedLong(value.getValue());
    if (v > 100) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, field), "must be at most 100, got " + v));
    }
    return (int) v;
  }

  private static Duration positive(
      boolean has,
      com.google.protobuf.Duration value,
      Duration otherwise,
      String path,
      String field)
      throws ResourceInvalidException {
    if (!has) {
      return otherwise;
    }
    Duration d = Durations.of(value, Paths.field(path, field));
    if (d.isZero()) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, field), "must be greater than 0"));
    }
    return d;
  }
}
