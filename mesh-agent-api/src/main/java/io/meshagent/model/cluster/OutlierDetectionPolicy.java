package io.meshagent.model.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * A cluster's outlier detection ({@code envoy.config.cluster.v3.OutlierDetection}), with Envoy's
 * defaults filled in for every field the cluster leaves unset.
 *
 * <p>Percentages are whole numbers in {@code [0, 100]}; counts are unsigned 32-bit values held in a
 * {@code long}. Not modelled: {@code successful_active_health_check_uneject_host} (there is no
 * active health checking here) and extension {@code monitors}.
 *
 * @param consecutive5xx consecutive 5xx responses (gateway errors included) before an ejection
 * @param consecutiveGatewayFailure consecutive 502/503/504 responses before an ejection
 * @param consecutiveLocalOriginFailure consecutive local-origin failures (connect failure, timeout,
 *     reset) before an ejection; only with {@code splitExternalLocalOriginErrors}
 * @param splitExternalLocalOriginErrors whether local-origin errors are counted apart from the
 *     responses the upstream sent; when false they are counted as 503 (connect failure, reset) or
 *     504 (timeout)
 * @param interval the time between success-rate / failure-percentage sweeps and un-ejection checks
 * @param baseEjectionTime an ejection lasts this times the host's ejection multiplier
 * @param maxEjectionTime the cap on one ejection's length
 * @param maxEjectionTimeJitter a random extra (0 to this) added to each ejection
 * @param maxEjectionPercent the largest share of the cluster's hosts that may be ejected at once
 * @param alwaysEjectOneHost whether one host may be ejected whatever {@code maxEjectionPercent}
 * @param enforcingConsecutive5xx the chance, in percent, that a consecutive-5xx detection ejects
 * @param enforcingConsecutiveGatewayFailure the same for consecutive gateway failures
 * @param enforcingConsecutiveLocalOriginFailure the same for consecutive local-origin failures
 * @param enforcingSuccessRate the same for success-rate outliers
 * @param enforcingLocalOriginSuccessRate the same for local-origin success-rate outliers
 * @param enforcingFailurePercentage the same for failure-percentage outliers
 * @param enforcingFailurePercentageLocalOrigin the same for local-origin failure-percentage
 *     outliers
 * @param successRateMinimumHosts hosts with enough volume needed before success rate is judged
 * @param successRateRequestVolume requests in one interval for a host to count for success rate
 * @param successRateStdevFactor the threshold is {@code mean - (factor / 1000) * stdev}
 * @param failurePercentageThreshold a host failing this percentage of requests or more is ejected
 * @param failurePercentageMinimumHosts hosts with enough volume needed before failure percentage is
 *     judged
 * @param failurePercentageRequestVolume requests in one interval for a host to count for failure
 *     percentage
 */
public record OutlierDetectionPolicy(
    long consecutive5xx,
    long consecutiveGatewayFailure,
    long consecutiveLocalOriginFailure,
    boolean splitExternalLocalOriginErrors,
    Duration interval,
    Duration baseEjectionTime,
    Duration maxEjectionTime,
    Duration maxEjectionTimeJitter,
    int maxEjectionPercent,
    boolean alwaysEjectOneHost,
    int enforcingConsecutive5xx,
    int enforcingConsecutiveGatewayFailure,
    int enforcingConsecutiveLocalOriginFailure,
    int enforcingSuccessRate,
    int enforcingLocalOriginSuccessRate,
    int enforcingFailurePercentage,
    int enforcingFailurePercentageLocalOrigin,
    long successRateMinimumHosts,
    long successRateRequestVolume,
    long successRateStdevFactor,
    int failurePercentageThreshold,
    long failurePercentageMinimumHosts,
    long failurePercentageRequestVolume) {

  /** Envoy's values for an {@code outlier_detection} with no field set. */
  public static final OutlierDetectionPolicy DEFAULTS =
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
          50);

  public OutlierDetectionPolicy {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(baseEjectionTime, "baseEjectionTime");
    Objects.requireNonNull(maxEjectionTime, "maxEjectionTime");
    Objects.requireNonNull(maxEjectionTimeJitter, "maxEjectionTimeJitter");
  }
}
