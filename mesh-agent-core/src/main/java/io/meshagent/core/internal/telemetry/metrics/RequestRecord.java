package io.meshagent.core.internal.telemetry.metrics;

import static java.util.Objects.requireNonNull;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;

/**
 * One finished HTTP or gRPC request, as the data plane reports it to {@link
 * IstioMetrics#recordRequest}. The local workload is {@code source} when the reporter is {@link
 * Reporter#SOURCE} and {@code destination} otherwise; the other side is the peer, known from peer
 * metadata and its verified certificate ({@link WorkloadMetadata#withPrincipal}).
 *
 * @param reporter which side reports
 * @param source the client workload
 * @param destination the server workload
 * @param service the service the request was addressed to
 * @param protocol {@code http} or {@code grpc}
 * @param responseCode the HTTP status, 0 when no response was sent
 * @param grpcStatus the gRPC status code, or -1 for none (not gRPC, or no status received)
 * @param responseFlags Envoy's short response flags ({@code UH}, {@code UF,URX}), or {@code -} (or
 *     empty) for none
 * @param securityPolicy how the connection was secured
 * @param durationNanos from the first request byte to the last response byte
 * @param requestBytes request bytes on the wire, headers included (Envoy's downstream bytes meter)
 * @param responseBytes response bytes on the wire, headers included
 */
public record RequestRecord(
    Reporter reporter,
    WorkloadMetadata source,
    WorkloadMetadata destination,
    DestinationService service,
    RequestProtocol protocol,
    int responseCode,
    int grpcStatus,
    String responseFlags,
    SecurityPolicy securityPolicy,
    long durationNanos,
    long requestBytes,
    long responseBytes) {

  public RequestRecord {
    requireNonNull(reporter, "reporter");
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    requireNonNull(service, "service");
    requireNonNull(protocol, "protocol");
    requireNonNull(responseFlags, "responseFlags");
    requireNonNull(securityPolicy, "securityPolicy");
    if (grpcStatus < -1) {
      throw new IllegalArgumentException("grpcStatus " + grpcStatus + " is neither -1 nor a code");
    }
    if (durationNanos < 0 || requestBytes < 0 || responseBytes < 0) {
      throw new IllegalArgumentException(
          "negative duration or size: durationNanos="
              + durationNanos
              + ", requestBytes="
              + requestBytes
              + ", responseBytes="
              + responseBytes);
    }
  }
}
