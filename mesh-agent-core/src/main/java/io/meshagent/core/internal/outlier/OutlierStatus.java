package io.meshagent.core.internal.outlier;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A cluster's outlier state for the admin {@code /clusters} view, as Envoy prints it ({@code
 * outlier::success_rate_average}, {@code outlier::success_rate_ejection_threshold}, per host {@code
 * success_rate} and {@code failed_outlier_check}).
 *
 * @param cluster the cluster's name
 * @param ejectionsActive hosts ejected now ({@code outlier_detection.ejections_active})
 * @param ejectionsOverflow ejections refused by {@code max_ejection_percent} ({@code
 *     ejections_overflow})
 * @param ejectionsDetected detections per type, enforced or not ({@code ejections_detected_*})
 * @param ejectionsEnforced ejections carried out per type ({@code ejections_enforced_*})
 * @param successRateAverage the mean success rate of the last sweep, or -1
 * @param successRateEjectionThreshold the ejection threshold of the last sweep, or -1
 * @param localOriginSuccessRateAverage the same for local-origin results, or -1
 * @param localOriginSuccessRateEjectionThreshold the same for local-origin results, or -1
 * @param hosts one entry per host, by key
 */
public record OutlierStatus(
    String cluster,
    int ejectionsActive,
    long ejectionsOverflow,
    Map<EjectionType, Long> ejectionsDetected,
    Map<EjectionType, Long> ejectionsEnforced,
    double successRateAverage,
    double successRateEjectionThreshold,
    double localOriginSuccessRateAverage,
    double localOriginSuccessRateEjectionThreshold,
    List<Host> hosts) {
  public OutlierStatus {
    ejectionsDetected = Map.copyOf(ejectionsDetected);
    ejectionsEnforced = Map.copyOf(ejectionsEnforced);
    hosts = List.copyOf(hosts);
  }

  /**
   * One host.
   *
   * @param endpointKey the host's key
   * @param ejected whether it is ejected now
   * @param numEjections how many times it has been ejected
   * @param ejectionMultiplier the multiplier of {@code base_ejection_time} for its next ejection
   * @param lastEjectionType why it was last ejected, or null if never
   * @param successRate its success rate in the last interval, or -1 without enough volume
   * @param localOriginSuccessRate the same for local-origin results, or -1
   * @param consecutive5xx its current run of 5xx responses
   * @param consecutiveGatewayFailure its current run of gateway failures
   * @param consecutiveLocalOriginFailure its current run of local-origin failures
   */
  public record Host(
      String endpointKey,
      boolean ejected,
      int numEjections,
      int ejectionMultiplier,
      @Nullable EjectionType lastEjectionType,
      double successRate,
      double localOriginSuccessRate,
      long consecutive5xx,
      long consecutiveGatewayFailure,
      long consecutiveLocalOriginFailure) {}
}
