package io.meshagent.core.internal.circuitbreaker;

/** One circuit-breaker limit, named as in {@code envoy.config.cluster.v3.CircuitBreakers}. */
public enum Limit {
  MAX_CONNECTIONS("max_connections"),
  MAX_PENDING_REQUESTS("max_pending_requests"),
  MAX_REQUESTS("max_requests"),
  MAX_RETRIES("max_retries");

  private final String fieldName;

  Limit(String fieldName) {
    this.fieldName = fieldName;
  }

  /** The proto field name, for logs and access-log details. */
  public String fieldName() {
    return fieldName;
  }
}
