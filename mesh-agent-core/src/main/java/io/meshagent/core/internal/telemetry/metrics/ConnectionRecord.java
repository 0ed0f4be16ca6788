package io.meshagent.core.internal.telemetry.metrics;

import static java.util.Objects.requireNonNull;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;

/**
 * Who a TCP connection (or HBONE tunnel) is between, for {@link IstioMetrics#tcpConnection}: the
 * labels of its {@code istio_tcp_*} metrics. Roles as in {@link RequestRecord}.
 *
 * @param reporter which side reports
 * @param source the client workload
 * @param destination the server workload
 * @param service the service the connection was addressed to
 * @param responseFlags Envoy's short response flags, or {@code -} (or empty) for none
 * @param securityPolicy how the connection was secured
 */
public record ConnectionRecord(
    Reporter reporter,
    WorkloadMetadata source,
    WorkloadMetadata destination,
    DestinationService service,
    String responseFlags,
    SecurityPolicy securityPolicy) {

  public ConnectionRecord {
    requireNonNull(reporter, "reporter");
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    requireNonNull(service, "service");
    requireNonNull(responseFlags, "responseFlags");
    requireNonNull(securityPolicy, "securityPolicy");
  }
}
