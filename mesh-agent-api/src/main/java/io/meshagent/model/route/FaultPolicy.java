package io.meshagent.model.route;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Fault injection ({@code envoy.extensions.filters.http.fault.v3.HTTPFault}): the configuration of
 * the {@code envoy.filters.http.fault} HTTP filter, or a {@code typed_per_filter_config} entry for
 * it that overrides that configuration for a route configuration, virtual host, route or weighted
 * cluster.
 *
 * @param delay the delay to inject, or null
 * @param abort the abort to inject, or null
 * @param headers request header matchers that must all match for a fault to be injected
 * @param upstreamCluster the only cluster whose requests get faults, or empty for any
 * @param downstreamNodes the {@code x-envoy-downstream-service-node} values whose requests get
 *     faults, or empty for any request
 * @param maxActiveFaults the most requests with an active fault at a time, or null for no limit
 */
public record FaultPolicy(
    @Nullable Delay delay,
    @Nullable Abort abort,
    List<HeaderMatcher> headers,
    String upstreamCluster,
    List<String> downstreamNodes,
    @Nullable Long maxActiveFaults) {

  /**
   * Injects nothing: an {@code HTTPFault} without delay or abort, and what a disabled {@code
   * FilterConfig} means as the most specific override.
   */
  public static final FaultPolicy NONE = new FaultPolicy(null, null);

  public FaultPolicy {
    headers = List.copyOf(headers);
    downstreamNodes = List.copyOf(downstreamNodes);
    requireNonNull(upstreamCluster, "upstreamCluster");
  }

  /** A fault without conditions. */
  public FaultPolicy(@Nullable Delay delay, @Nullable Abort abort) {
    this(delay, abort, List.of(), "", List.of(), null);
  }

  /** Whether this can inject anything. */
  public boolean injects() {
    return delay != null || abort != null;
  }

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
