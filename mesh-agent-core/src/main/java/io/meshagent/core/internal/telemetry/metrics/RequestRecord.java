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
 * @param grpcStatus the gRPC status code; {@link #NO_GRPC_STATUS} for none (not gRPC), {@link
 *     #INVALID_GRPC_STATUS} for a {@code grpc-status} that is not a known code
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

  /** Not gRPC: an empty {@code grpc_response_status}. */
  public static final int NO_GRPC_STATUS = -1;

  /**
   * A {@code grpc-status} that is no number or above 16: Envoy's {@code InvalidCode}, labelled
   * {@code -1}.
   */
  public static final int INVALID_GRPC_STATUS = -2;

  public RequestRecord {
    requireNonNull(reporter, "reporter");
    requireNonNull(source, "source");
    requireNonNull(destination, "destination");
    requireNonNull(service, "service");
    requireNonNull(protocol, "protocol");
    requireNonNull(responseFlags, "responseFlags");
    requireNonNull(securityPolicy, "securityPolicy");
    if (grpcStatus < INVALID_GRPC_STATUS) {
      throw new IllegalArgumentException(
          "grpcStatus " + grpcStatus + " is neither a code nor NO_ or INVALID_GRPC_STATUS");
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
