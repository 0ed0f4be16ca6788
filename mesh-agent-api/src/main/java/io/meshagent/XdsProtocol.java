package io.meshagent;

/** The ADS variant used to talk to the control plane. */
public enum XdsProtocol {
  /** {@code DeltaAggregatedResources}: incremental; istiod's default since 1.22. */
  DELTA,
  /** {@code StreamAggregatedResources}: state of the world. */
  SOTW
}
