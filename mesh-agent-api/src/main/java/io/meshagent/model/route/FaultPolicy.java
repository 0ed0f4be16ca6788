package io.meshagent.model.route;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Fault injection ({@code envoy.extensions.filters.http.fault.v3.HTTPFault}) as configured in a
 * {@code typed_per_filter_config} entry for {@code envoy.filters.http.fault}.
 *
 * @param delay the delay to inject, or null
 * @param abort the abort to inject, or null
 */
public record FaultPolicy(@Nullable Delay delay, @Nullable Abort abort) {

  /**
   * A fixed delay.
   *
   * @param fixed how long
   * @param perMillion the share of requests delayed, in parts per million
   */
  public record Delay(Duration fixed, int perMillion) {}

  /**
   * An abort with an HTTP status or, for gRPC, a gRPC status.
   *
   * @param httpStatus the HTTP status, or 0 when {@code grpcStatus} is set
   * @param grpcStatus the gRPC status, or -1 when {@code httpStatus} is set
   * @param perMillion the share of requests aborted, in parts per million
   */
  public record Abort(int httpStatus, int grpcStatus, int perMillion) {}
}
