package io.meshagent.core.internal.telemetry.metrics;

/**
 * What a request's labels depend on: a {@link RequestRecord} compared without its measurements, the
 * key of the label cache.
 *
 * <p>The two workloads and the service are compared by identity, with the hash taken once: a data
 * plane reuses their instances from request to request (its peer and service caches), and hashing
 * two twelve-field records per request was a third of telemetry's cost. Equal instances that are
 * not the same object make separate keys whose {@code Attributes} are equal, which the SDK records
 * into one series; the cache is bounded, so the only cost of such callers is a rebuilt label set.
 */
final class RequestLabels {
  private final RequestRecord r;
  private final int hash;

  private RequestLabels(RequestRecord r) {
    this.r = r;
    int h = r.reporter().ordinal();
    h = h * 31 + System.identityHashCode(r.source());
    h = h * 31 + System.identityHashCode(r.destination());
    h = h * 31 + System.identityHashCode(r.service());
    h = h * 31 + r.protocol().ordinal();
    h = h * 31 + r.responseCode();
    h = h * 31 + r.grpcStatus();
    h = h * 31 + r.responseFlags().hashCode();
    this.hash = h * 31 + r.securityPolicy().ordinal();
  }

  static RequestLabels of(RequestRecord r) {
    return new RequestLabels(r);
  }

  /** The record the labels are built from (its measurements are not part of the key). */
  RequestRecord record() {
    return r;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RequestLabels k) || k.hash != hash) {
      return false;
    }
    RequestRecord x = k.r;
    return x.source() == r.source()
        && x.destination() == r.destination()
        && x.service() == r.service()
        && x.reporter() == r.reporter()
        && x.protocol() == r.protocol()
        && x.responseCode() == r.responseCode()
        && x.grpcStatus() == r.grpcStatus()
        && x.securityPolicy() == r.securityPolicy()
        && x.responseFlags().equals(r.responseFlags());
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
