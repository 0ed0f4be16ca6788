package io.meshagent.core.internal.telemetry;

import org.jspecify.annotations.Nullable;

/**
 * The kind of controller a workload is, as Istio's peer metadata names it (istio/proxy {@code
 * extensions/common/metadata_object.h} {@code WorkloadType}): it appears in the {@code OWNER} of
 * {@code x-envoy-peer-metadata} and as the {@code <kind>} of the {@code k8s.<kind>.name} baggage
 * key.
 */
public enum WorkloadType {
  UNKNOWN(null),
  POD("pod"),
  DEPLOYMENT("deployment"),
  JOB("job"),
  CRONJOB("cronjob");

  private final @Nullable String suffix;

  WorkloadType(@Nullable String suffix) {
    this.suffix = suffix;
  }

  /** The lower-case kind ({@code deployment}), or null for {@link #UNKNOWN}. */
  public @Nullable String suffix() {
    return suffix;
  }

  /** The type whose {@link #suffix()} is {@code suffix}, {@link #UNKNOWN} for any other. */
  public static WorkloadType fromSuffix(String suffix) {
    for (WorkloadType t : values()) {
      if (suffix.equals(t.suffix)) {
        return t;
      }
    }
    return UNKNOWN;
  }
}
