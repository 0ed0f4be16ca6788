package io.meshagent.netty.internal.outbound;

/**
 * The connection or stream ended before the whole response arrived: Envoy's upstream reset ({@code
 * UR}, {@code UC}), which {@code reset} retry policies retry.
 */
class UpstreamResetException extends Exception {
  private static final long serialVersionUID = 1L;

  UpstreamResetException(String message) {
    super(message);
  }
}
