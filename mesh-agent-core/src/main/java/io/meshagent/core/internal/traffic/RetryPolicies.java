package io.meshagent.core.internal.traffic;

import io.meshagent.model.route.RetryPolicy;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Envoy's router retry decisions ({@code source/common/router/retry_state_impl.cc}): which outcomes
 * a {@code retry_on} list retries, and the jittered exponential back-off between tries.
 */
public final class RetryPolicies {
  private RetryPolicies() {}

  /** How an attempt ended. */
  public enum Outcome {
    /** The upstream answered; the status decides. */
    RESPONSE,
    /** The connection could not be made (connect, TLS, HBONE CONNECT). */
    CONNECT_FAILURE,
    /** The connection or stream broke before the response. */
    RESET,
    /**
     * The upstream refused the stream (HTTP/2 {@code REFUSED_STREAM}): it did not process the
     * request, so retrying is safe.
     */
    REFUSED_STREAM,
    /** The per-try timeout fired. */
    PER_TRY_TIMEOUT
  }

  /**
   * Whether {@code policy} retries an attempt that ended so (with {@code status} for responses).
   */
  public static boolean retriable(RetryPolicy policy, Outcome outcome, int status) {
    // Envoy's wouldRetryFromReset: every non-response (a per-try timeout is a local reset) is a
    // reset, which 5xx, gateway-error and reset retry; the others retry only their own kind.
    boolean reset = outcome != Outcome.RESPONSE;
    for (String on : policy.retryOn()) {
      boolean hit =
          switch (on.trim()) {
            case "5xx" -> reset || status >= 500;
            case "gateway-error" -> reset || status == 502 || status == 503 || status == 504;
            case "reset" -> reset;
            case "reset-before-request" -> outcome == Outcome.CONNECT_FAILURE;
            case "connect-failure" -> outcome == Outcome.CONNECT_FAILURE;
            case "refused-stream" -> outcome == Outcome.REFUSED_STREAM;
            case "retriable-4xx" -> outcome == Outcome.RESPONSE && status == 409;
            case "retriable-status-codes" ->
                outcome == Outcome.RESPONSE && policy.retriableStatusCodes().contains(status);
            default -> false;
          };
      if (hit) {
        return true;
      }
    }
    return false;
  }

  /**
   * The wait before retry {@code n} (1-based): uniformly random in [0, min(base·2^n − 1, max)), as
   * Envoy's {@code JitteredExponentialBackOffStrategy}.
   */
  public static Duration backoff(RetryPolicy policy, int n) {
    long base = Math.max(1, policy.baseInterval().toMillis());
    long max = Math.max(base, policy.maxInterval().toMillis());
    long ceiling = Math.min(max, base * ((1L << Math.min(n, 20)) - 1));
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, ceiling)));
  }
}
