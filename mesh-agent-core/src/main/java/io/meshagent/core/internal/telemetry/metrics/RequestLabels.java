package io.meshagent.core.internal.telemetry.metrics;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;

/**
 * What a request's labels depend on: a {@link RequestRecord} without its measurements, the key of
 * the label cache. Equal {@link WorkloadMetadata} instances compare by identity first, so a data
 * plane that reuses them pays little for the lookup.
 */
record RequestLabels(
    Reporter reporter,
    WorkloadMetadata source,
    WorkloadMetadata destination,
    DestinationService service,
    RequestProtocol protocol,
    int responseCode,
    int grpcStatus,
    String responseFlags,
    SecurityPolicy securityPolicy) {

  static RequestLabels of(RequestRecord r) {
    return new RequestLabels(
        r.reporter(),
        r.source(),
        r.destination(),
        r.service(),
        r.protocol(),
        r.responseCode(),
        r.grpcStatus(),
        r.responseFlags(),
        r.securityPolicy());
  }
}
