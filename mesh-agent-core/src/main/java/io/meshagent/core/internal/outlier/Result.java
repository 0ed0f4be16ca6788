package io.meshagent.core.internal.outlier;

/**
 * One outcome the data plane reports for an endpoint, classified as Envoy's outlier detector
 * classifies it: an HTTP status the upstream sent, or a local-origin event (the proxy's own
 * connection attempt, timeout or reset).
 */
public sealed interface Result permits Result.HttpStatus, Result.LocalOrigin {

  /** The result for a response status; cached for 100 to 599, so reporting does not allocate. */
  static HttpStatus httpStatus(int code) {
    return code >= 100 && code < 600 ? HttpStatus.CACHE[code - 100] : new HttpStatus(code);
  }

  /**
   * A response the upstream sent.
   *
   * @param code the HTTP status
   */
  record HttpStatus(int code) implements Result {
    private static final HttpStatus[] CACHE = new HttpStatus[500];

    static {
      for (int i = 0; i < CACHE.length; i++) {
        CACHE[i] = new HttpStatus(i + 100);
      }
    }

    /** Whether Envoy counts it as a 5xx. */
    public boolean isServerError() {
      return code >= 500 && code < 600;
    }

    /** Whether Envoy counts it as a gateway failure: 502, 503 or 504. */
    public boolean isGatewayError() {
      return code == 502 || code == 503 || code == 504;
    }
  }

  /**
   * A local-origin event. Without {@code split_external_local_origin_errors} Envoy maps failures to
   * 503 (connect failure, reset) or 504 (timeout) and a final connect success to 200; with it they
   * feed the local-origin counters and success rate instead.
   */
  enum LocalOrigin implements Result {
    /** The connection could not be established. */
    CONNECT_FAILED,
    /** The upstream did not answer in time. */
    TIMEOUT,
    /**
     * The connection or stream was reset before a response (Envoy reports this as connect failed).
     */
    RESET,
    /** The connection was established; a higher-layer result (an HTTP status) follows. */
    CONNECT_SUCCESS,
    /** The connection was established and that is the whole transaction (TCP proxying). */
    CONNECT_SUCCESS_FINAL;

    boolean isFailure() {
      return this == CONNECT_FAILED || this == TIMEOUT || this == RESET;
    }

    /** The status Envoy counts it as without the split, or 0 when it is not counted. */
    int asHttpStatus() {
      return switch (this) {
        case CONNECT_FAILED, RESET -> 503;
        case TIMEOUT -> 504;
        case CONNECT_SUCCESS -> 0;
        case CONNECT_SUCCESS_FINAL -> 200;
      };
    }
  }
}
