package io.meshagent.core.internal.telemetry.metrics;

/** Which proxy reports a request: the {@code reporter} label. */
public enum Reporter {
  /** The client side (an outbound request from this workload). */
  SOURCE("source"),
  /** The server side (an inbound request to this workload). */
  DESTINATION("destination"),
  /** A waypoint between the two; the agent never is one, but decodes and labels the same way. */
  WAYPOINT("waypoint");

  private final String label;

  Reporter(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }

  /** Whether the local workload is the destination (the peer is the source). */
  boolean serverSide() {
    return this != SOURCE;
  }
}
