package io.meshagent.netty.internal.outbound;

/**
 * The connection to an endpoint could not be made: TCP connect, TLS handshake, the peer's identity,
 * or the HBONE CONNECT failed. Envoy counts it as a connect failure ({@code UF}); the message names
 * the endpoint and the reason.
 */
final class UpstreamConnectException extends Exception {
  private static final long serialVersionUID = 1L;

  UpstreamConnectException(String message, @org.jspecify.annotations.Nullable Throwable cause) {
    super(message, cause);
  }
}
