package io.meshagent.netty.internal.outbound;

/**
 * The connection or stream ended before the whole response arrived: Envoy's upstream reset, which
 * {@code reset} retry policies retry. Its {@link #flag}: {@code UC} when the connection under the
 * request ended (the peer's FIN or RST, a crash), {@code UR} otherwise (the stream was reset, the
 * response was malformed or too large).
 */
class UpstreamResetException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String flag;

  UpstreamResetException(String message) {
    this(message, "UR");
  }

  private UpstreamResetException(String message, String flag) {
    super(message);
    this.flag = flag;
  }

  /** The connection under the request ended first: Envoy's connection termination. */
  static UpstreamResetException connectionEnded(String message) {
    return new UpstreamResetException(message, "UC");
  }

  /** Envoy's response flag: {@code UC} or {@code UR}. */
  String flag() {
    return flag;
  }
}
