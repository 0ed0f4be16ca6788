package io.meshagent.core.internal.telemetry.metrics;

/**
 * The {@code connection_security_policy} label. Istio's server side reports {@code mutual_tls} when
 * both ends presented a certificate and {@code none} otherwise; its client side always reports
 * {@code unknown}.
 */
public enum SecurityPolicy {
  MUTUAL_TLS("mutual_tls"),
  NONE("none"),
  UNKNOWN("unknown");

  private final String label;

  SecurityPolicy(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }
}
