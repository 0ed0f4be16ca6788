package io.meshagent.core.internal.traffic;

import static io.meshagent.core.internal.traffic.RetryPolicies.Outcome.CONNECT_FAILURE;
import static io.meshagent.core.internal.traffic.RetryPolicies.Outcome.PER_TRY_TIMEOUT;
import static io.meshagent.core.internal.traffic.RetryPolicies.Outcome.RESET;
import static io.meshagent.core.internal.traffic.RetryPolicies.Outcome.RESPONSE;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshagent.core.internal.routing.RequestHeaders;
import io.meshagent.core.internal.routing.RouteDecision;
import io.meshagent.core.internal.routing.RouteTable;
import io.meshagent.core.internal.routing.Router;
import io.meshagent.core.internal.traffic.RetryPolicies.Outcome;
import io.meshagent.model.route.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Envoy's retry decisions ({@code source/common/router/retry_state_impl.cc}: {@code
 * wouldRetryFromHeaders}, {@code wouldRetryFromReset}; a per-try timeout is judged as a local
 * reset) and its jittered exponential back-off.
 */
class RetryPoliciesTest {

  private static RetryPolicy on(String retryOn, Integer... retriableStatusCodes) {
    return new RetryPolicy(
        List.of(retryOn.split(",")),
        2,
        null,
        List.of(retriableStatusCodes),
        Duration.ofMillis(25),
        Duration.ofMillis(250),
        List.of(),
        1);
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // 5xx: any 5xx response, and any reset or connect failure (Envoy counts those as 5xx).
        Arguments.of("5xx", RESPONSE, 500, true),
        Arguments.of("5xx", RESPONSE, 503, true),
        Arguments.of("5xx", RESPONSE, 599, true),
        Arguments.of("5xx", RESPONSE, 404, false),
        Arguments.of("5xx", RESPONSE, 409, false),
        Arguments.of("5xx", RESPONSE, 200, false),
        Arguments.of("5xx", CONNECT_FAILURE, 0, true),
        Arguments.of("5xx", RESET, 0, true),
        Arguments.of("5xx", PER_TRY_TIMEOUT, 0, true),
        // gateway-error: 502, 503, 504 responses; connect failures and timeouts.
        Arguments.of("gateway-error", RESPONSE, 502, true),
        Arguments.of("gateway-error", RESPONSE, 503, true),
        Arguments.of("gateway-error", RESPONSE, 504, true),
        Arguments.of("gateway-error", RESPONSE, 500, false),
        Arguments.of("gateway-error", RESPONSE, 501, false),
        Arguments.of("gateway-error", RESPONSE, 429, false),
        Arguments.of("gateway-error", CONNECT_FAILURE, 0, true),
        Arguments.of("gateway-error", PER_TRY_TIMEOUT, 0, true),
        // connect-failure: only connection failures.
        Arguments.of("connect-failure", CONNECT_FAILURE, 0, true),
        Arguments.of("connect-failure", RESET, 0, false),
        Arguments.of("connect-failure", RESPONSE, 503, false),
        // reset: any reset, connect failures and timeouts included; never a response.
        Arguments.of("reset", RESET, 0, true),
        Arguments.of("reset", CONNECT_FAILURE, 0, true),
        Arguments.of("reset", PER_TRY_TIMEOUT, 0, true),
        Arguments.of("reset", RESPONSE, 503, false),
        Arguments.of("reset", RESPONSE, 500, false),
        // refused-stream: never a response or a connect failure.
        Arguments.of("refused-stream", CONNECT_FAILURE, 0, false),
        Arguments.of("refused-stream", RESPONSE, 503, false),
        // retriable-4xx: 409 only.
        Arguments.of("retriable-4xx", RESPONSE, 409, true),
        Arguments.of("retriable-4xx", RESPONSE, 404, false),
        Arguments.of("retriable-4xx", RESPONSE, 408, false),
        Arguments.of("retriable-4xx", RESPONSE, 429, false),
        Arguments.of("retriable-4xx", RESPONSE, 500, false),
        Arguments.of("retriable-4xx", CONNECT_FAILURE, 0, false),
        Arguments.of("retriable-4xx", RESET, 0, false),
        // retriable-status-codes: the listed codes only (503 and 429 here).
        Arguments.of("retriable-status-codes", RESPONSE, 503, true),
        Arguments.of("retriable-status-codes", RESPONSE, 429, true),
        Arguments.of("retriable-status-codes", RESPONSE, 500, false),
        Arguments.of("retriable-status-codes", RESPONSE, 200, false),
        Arguments.of("retriable-status-codes", CONNECT_FAILURE, 0, false),
        Arguments.of("retriable-status-codes", RESET, 0, false),
        // gRPC conditions read grpc-status, which the outcome does not carry: never here.
        Arguments.of("unavailable", RESPONSE, 503, false),
        Arguments.of("unavailable", RESET, 0, false),
        // Several conditions: any of them.
        Arguments.of("connect-failure,retriable-4xx", RESPONSE, 409, true),
        Arguments.of("connect-failure,retriable-4xx", CONNECT_FAILURE, 0, true),
        Arguments.of("connect-failure,retriable-4xx", RESPONSE, 503, false),
        Arguments.of(" 5xx , connect-failure", RESPONSE, 500, true));
  }

  @ParameterizedTest(name = "retry_on {0}, {1} {2}: {3}")
  @MethodSource("table")
  void retriable(String retryOn, Outcome outcome, int status, boolean expected) {
    assertThat(RetryPolicies.retriable(on(retryOn, 503, 429), outcome, status)).isEqualTo(expected);
  }

  @Test
  void nothingIsRetriedWithoutConditions() {
    RetryPolicy none =
        new RetryPolicy(
            List.of(),
            2,
            null,
            List.of(),
            Duration.ofMillis(25),
            Duration.ofMillis(250),
            List.of(),
            1);

    for (Outcome o : Outcome.values()) {
      assertThat(RetryPolicies.retriable(none, o, 503)).as("%s", o).isFalse();
    }
  }

  /**
   * Rows where the agent differs from Envoy's {@code wouldRetryFromReset}:
   *
   * <ul>
   *   <li>{@code gateway-error} retries every reset (Envoy: "we count an upstream reset as a 5xx");
   *   <li>{@code refused-stream} retries only a REFUSED_STREAM reset, not any reset — retrying any
   *       reset re-sends requests the upstream may already have processed;
   *   <li>a per-try timeout is a local reset: retried under {@code 5xx}, {@code gateway-error} and
   *       {@code reset} only (Envoy's router: "non-hedged per try timeouts ... are only retried if
   *       the applicable retry policy specifies either RETRY_ON_5XX or RETRY_ON_GATEWAY_ERROR"),
   *       not under istiod's default {@code connect-failure,refused-stream,unavailable,cancelled,
   *       retriable-status-codes}.
   * </ul>
   */
  static Stream<Arguments> envoyResets() {
    return Stream.of(
        Arguments.of("gateway-error", RESET, true),
        Arguments.of("refused-stream", RESET, false),
        Arguments.of("refused-stream", PER_TRY_TIMEOUT, false),
        Arguments.of("connect-failure", PER_TRY_TIMEOUT, false),
        Arguments.of("retriable-4xx", PER_TRY_TIMEOUT, false),
        Arguments.of("retriable-status-codes", PER_TRY_TIMEOUT, false),
        Arguments.of(
            "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes",
            PER_TRY_TIMEOUT,
            false));
  }

  @ParameterizedTest(name = "retry_on {0}, {1}: {2}")
  @MethodSource("envoyResets")
  void resetsAndTimeoutsAsEnvoyJudgesThem(String retryOn, Outcome outcome, boolean expected) {
    assertThat(RetryPolicies.retriable(on(retryOn, 503), outcome, 0)).isEqualTo(expected);
  }

  /** istiod's default retry policy, through the RDS parser. */
  @Test
  void istiodsDefaultPolicyFromRds() {
    RouteConfiguration rc =
        RouteConfiguration.newBuilder()
            .setName("r")
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName("vh")
                    .addDomains("*")
                    .addRoutes(
                        Route.newBuilder()
                            .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                            .setRoute(
                                RouteAction.newBuilder()
                                    .setCluster("c")
                                    .setRetryPolicy(
                                        io.envoyproxy.envoy.config.route.v3.RetryPolicy.newBuilder()
                                            .setRetryOn(
                                                "connect-failure,refused-stream,unavailable,"
                                                    + "cancelled,retriable-status-codes")
                                            .setNumRetries(UInt32Value.of(2))
                                            .addRetriableStatusCodes(503)))))
            .build();
    RouteDecision.Forward f =
        (RouteDecision.Forward)
            Router.route(
                RouteTable.of(Xds.routes(rc)), RequestHeaders.builder("a", "/").build(), 0);
    RetryPolicy p = f.retryPolicy();

    assertThat(p).isNotNull();
    assertThat(RetryPolicies.retriable(p, RESPONSE, 503)).isTrue();
    assertThat(RetryPolicies.retriable(p, RESPONSE, 500)).isFalse();
    assertThat(RetryPolicies.retriable(p, RESPONSE, 200)).isFalse();
    assertThat(RetryPolicies.retriable(p, CONNECT_FAILURE, 0)).isTrue();
  }

  static Stream<Arguments> backoffs() {
    return Stream.of(
        Arguments.of(25, 250), // Envoy's defaults
        Arguments.of(100, 1_000),
        Arguments.of(10, 10), // max equal to base
        Arguments.of(1, 1_000),
        Arguments.of(50, 30)); // max below base: treated as base
  }

  /** {@code 0 ≤ wait < min(base·(2^n − 1), max)} over many draws, and the range is used. */
  @ParameterizedTest(name = "base {0} ms, max {1} ms")
  @MethodSource("backoffs")
  void backoffStaysWithinItsJitteredBound(int baseMs, int maxMs) {
    RetryPolicy p =
        new RetryPolicy(
            List.of("5xx"),
            100,
            null,
            List.of(),
            Duration.ofMillis(baseMs),
            Duration.ofMillis(maxMs),
            List.of(),
            1);
    long max = Math.max(baseMs, maxMs);

    for (int n = 1; n <= 40; n++) {
      long ceiling = Math.min(max, baseMs * ((1L << Math.min(n, 30)) - 1));
      long highest = 0;
      for (int draw = 0; draw < 2_000; draw++) {
        long wait = RetryPolicies.backoff(p, n).toMillis();
        assertThat(wait)
            .as("retry %d", n)
            .isGreaterThanOrEqualTo(0)
            .isLessThan(Math.max(1, ceiling));
        highest = Math.max(highest, wait);
      }
      if (ceiling >= 10) {
        // 2,000 uniform draws all in the lowest 80%: probability 0.8^2000.
        assertThat(highest)
            .as("retry %d uses its range", n)
            .isGreaterThanOrEqualTo(ceiling * 8 / 10);
      }
    }
  }

  @Test
  void backoffGrowsThenCaps() {
    RetryPolicy p = on("5xx");

    assertThat(ceilingSeen(p, 1)).isLessThan(25);
    assertThat(ceilingSeen(p, 2)).isBetween(25L, 74L);
    assertThat(ceilingSeen(p, 3)).isBetween(75L, 174L);
    assertThat(ceilingSeen(p, 10)).isBetween(175L, 249L);
  }

  private static long ceilingSeen(RetryPolicy p, int n) {
    long highest = 0;
    for (int i = 0; i < 5_000; i++) {
      highest = Math.max(highest, RetryPolicies.backoff(p, n).toMillis());
    }
    return highest;
  }
}
