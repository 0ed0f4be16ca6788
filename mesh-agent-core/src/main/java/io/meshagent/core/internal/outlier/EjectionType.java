package io.meshagent.core.internal.outlier;

/** Why a host was ejected, as Envoy's {@code envoy.data.cluster.v3.OutlierEjectionType}. */
public enum EjectionType {
  CONSECUTIVE_5XX,
  CONSECUTIVE_GATEWAY_FAILURE,
  CONSECUTIVE_LOCAL_ORIGIN_FAILURE,
  SUCCESS_RATE,
  SUCCESS_RATE_LOCAL_ORIGIN,
  FAILURE_PERCENTAGE,
  FAILURE_PERCENTAGE_LOCAL_ORIGIN
}
