package io.meshagent.core.internal.telemetry.metrics;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;

/**
 * What a request's labels depend on: a {@link RequestRecord} without its measurements, the key of
 * the label cache.
 *
 * <p>The two workloads and the service are compared by identity, with the hash taken once: a data
 * plane reuses their instances from request to request (its peer and service caches), and hashing
 * two twelve-field records per request was a third of telemetry's cost. Equal instances that are
 * not the same object make separate keys whose {@code Attributes} are equal, which the SDK records
 * into one series; the cache is bounded, so the only cost of such callers is a rebuilt label set.
 */
final class RequestLabels {
  private final Reporter reporter;
  private final WorkloadMetadata source;
  private final WorkloadMetadata destination;
  private final DestinationService service;
  private final RequestProtocol protocol;
  private final int responseCode;
  private final int grpcStatus;
  private final String responseFlags;
  private final SecurityPolicy securityPolicy;
  private final int hash;

  RequestLabels(
      Reporter reporter,
      WorkloadMetadata source,
      WorkloadMetadata destination,
      DestinationService service,
      RequestProtocol protocol,
      int responseCode,
      int grpcStatus,
      String responseFlags,
      SecurityPolicy securityPolicy) {
    this.reporter = reporter;
    this.source = source;
    this.destination = destination;
    this.service = service;
    this.protocol = protocol;
    this.responseCode = responseCode;
    this.grpcStatus = grpcStatus;
    this.responseFlags = responseFlags;
    this.securityPolicy = securityPolicy;
    int h = reporter.ordinal();
    h = h * 31 + System.identityHashCode(source);
    h = h * 31 + System.identityHashCode(destination);
    h = h * 31 + System.identityHashCode(service);
    h = h * 31 + protocol.ordinal();
    h = h * 31 + responseCode;
    h = h * 31 + grpcStatus;
    h = h * 31 + responseFlags.hashCode();
    this.hash = h * 31 + securityPolicy.ordinal();
  }

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

  Reporter reporter() {
    return reporter;
  }

  WorkloadMetadata source() {
    return source;
  }

  WorkloadMetadata destination() {
    return destination;
  }

  DestinationService service() {
    return service;
  }

  RequestProtocol protocol() {
    return protocol;
  }

  int responseCode() {
    return responseCode;
  }

  int grpcStatus() {
    return grpcStatus;
  }

  String responseFlags() {
    return responseFlags;
  }

  SecurityPolicy securityPolicy() {
    return securityPolicy;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RequestLabels k
        && k.hash == hash
        && k.source == source
        && k.destination == destination
        && k.service == service
        && k.reporter == reporter
        && k.protocol == protocol
        && k.responseCode == responseCode
        && k.grpcStatus == grpcStatus
        && k.securityPolicy == securityPolicy
        && k.responseFlags.equals(responseFlags);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
