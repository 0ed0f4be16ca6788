package io.meshagent.model.route;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code RetryPolicy}.
 *
 * @param retryOn the retry conditions ({@code 5xx}, {@code connect-failure}, {@code
 *     retriable-status-codes}, {@code reset}, ...), in order, trimmed
 * @param numRetries how many retries (Envoy's default 1)
 * @param perTryTimeout the timeout of each attempt, or null to use the route's timeout
 * @param retriableStatusCodes the status codes {@code retriable-status-codes} retries on
 * @param baseInterval the backoff's base interval (Envoy's default 25 ms)
 * @param maxInterval the backoff's cap (Envoy's default ten times the base interval)
 * @param retryHostPredicates the names of the host predicates, for example istiod's {@code
 *     envoy.retry_host_predicates.previous_hosts}
 * @param hostSelectionRetryMaxAttempts how many times host selection is retried to satisfy the
 *     predicates (Envoy's default 1)
 */
public record RetryPolicy(
    List<String> retryOn,
    int numRetries,
    @Nullable Duration perTryTimeout,
    List<Integer> retriableStatusCodes,
    Duration baseInterval,
    Duration maxInterval,
    List<String> retryHostPredicates,
    long hostSelectionRetryMaxAttempts) {
  public RetryPolicy {
    retryOn = List.copyOf(retryOn);
    retriableStatusCodes = List.copyOf(retriableStatusCodes);
    retryHostPredicates = List.copyOf(retryHostPredicates);
  }
}
