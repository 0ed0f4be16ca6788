package io.meshagent.core.internal.traffic;

/**
 * No endpoint can take the request; Envoy answers 503 with the response flag given ({@code NC}: no
 * such cluster, {@code UH}: no healthy upstream, {@code UO}: circuit breaker overflow).
 */
public final class NoUpstreamException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String responseFlag;

  public NoUpstreamException(String responseFlag, String message) {
    super(message, null, false, false); // an expected answer, not a bug: no stack trace
    this.responseFlag = responseFlag;
  }

  /** Envoy's response flag for access logs and telemetry. */
  public String responseFlag() {
    return responseFlag;
  }
}
