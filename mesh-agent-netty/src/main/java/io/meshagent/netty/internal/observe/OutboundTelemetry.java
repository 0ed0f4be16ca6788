package io.meshagent.netty.internal.observe;

import static io.meshagent.netty.internal.observe.MessageFields.grpcStatus;
import static io.meshagent.netty.internal.observe.MessageFields.protocol;
import static io.meshagent.netty.internal.observe.MessageFields.size;
import static io.meshagent.netty.internal.observe.MessageFields.withoutPeerHeaders;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.accesslog.ResponseCodeDetails;
import io.meshagent.core.internal.telemetry.metrics.Reporter;
import io.meshagent.core.internal.telemetry.metrics.RequestProtocol;
import io.meshagent.core.internal.telemetry.metrics.RequestRecord;
import io.meshagent.core.internal.telemetry.metrics.SecurityPolicy;
import io.meshagent.core.internal.telemetry.peer.PeerMetadataHeaders;
import io.meshagent.core.internal.telemetry.tracing.RequestSpan;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** An outbound request in flight: its span, trace context, metrics and access-log line. */
public final class OutboundTelemetry {
  private final Telemetry t;
  private final long startNanos = System.nanoTime();
  private final @Nullable Instant start;
  private final MeshHttpRequest request;
  private final @Nullable RequestSpan span;
  // The fields the app sent, before trace context was added: what the client side counts.
  private final List<HttpHeader> appFields;
  // The last upstream response's fields as its reader noted them, or null.
  private volatile @Nullable ReceivedFields upstreamFields;
  private volatile @Nullable String upstreamBaggage;
  // The local address of the connection that answered, or null (a local answer).
  private volatile @Nullable SocketAddress upstreamLocal;
  private volatile @Nullable String details;

  OutboundTelemetry(
      Telemetry t,
      MeshHttpRequest request,
      @Nullable RequestSpan span,
      List<HttpHeader> appFields) {
    this.t = t;
    this.start = t.lines.start();
    this.request = request;
    this.span = span;
    this.appFields = appFields;
  }

  /**
   * The request as it goes upstream: with trace context; the encoder adds our metadata ({@link
   * Telemetry#ownFields}).
   */
  public MeshHttpRequest request() {
    return request;
  }

  /**
   * What the reader of the last upstream response noted of its fields (the response is then without
   * the peer's metadata-exchange fields), or null.
   */
  public void upstreamFields(@Nullable ReceivedFields fields) {
    upstream(fields, null, null);
  }

  /**
   * What the answering connection told of the response: its reader's notes ({@code fields}), the
   * {@code baggage} of the HBONE 200 its tunnel got (it names the destination when the response
   * carries no metadata: an app behind ztunnel, which has no sidecar to add any, as ztunnel labels
   * it), and its local address, the access log's upstream local address.
   */
  public void upstream(
      @Nullable ReceivedFields fields,
      @Nullable String tunnelBaggage,
      @Nullable SocketAddress localAddress) {
    upstreamFields = fields;
    upstreamBaggage = tunnelBaggage;
    upstreamLocal = localAddress;
  }

  /**
   * Why the answer has its status, for the access log ({@link ResponseCodeDetails}): said before
   * the answer completes. Without it, an answer after an attempt came {@code via_upstream}.
   */
  public void details(String why) {
    details = why;
  }

  private @Nullable String details(MeshHttpResponse r) {
    String d = details;
    return d != null ? d : r.attempts() > 0 ? ResponseCodeDetails.VIA_UPSTREAM : null;
  }

  /** Records the result; returns the response without the peer's metadata headers. */
  public MeshHttpResponse finish(MeshHttpResponse r) {
    if (!t.enabled) {
      log(r, System.nanoTime() - startNanos);
      return r;
    }
    long nanos = System.nanoTime() - startNanos;
    // Sizes as Envoy's downstream meter counts them on the client side: what the app sent and is
    // given, so neither our exchange fields (added upstream) nor the peer's (taken off).
    long requestSize = size(appFields, request.bodyLength());
    ReceivedFields noted = upstreamFields;
    // An HTTP/2 reader left the peer's exchange fields out already (noted); HTTP/1 did not.
    List<HttpHeader> visible = noted != null ? r.headers() : withoutPeerHeaders(r.headers());
    long responseSize = size(visible, r.bodyLength());
    String metadata = noted != null ? noted.metadata : r.header(PeerMetadataHeaders.METADATA);
    String baggage = upstreamBaggage;
    WorkloadMetadata peer =
        metadata == null && baggage != null
            ? t.peers.ofBaggage(baggage, r.peer())
            : t.peers.of(metadata, r.peer());
    String flags = r.responseFlags().isEmpty() ? "-" : r.responseFlags();
    RequestProtocol protocol = protocol(request.header("content-type"));
    t.metrics.recordRequest(
        new RequestRecord(
            Reporter.SOURCE,
            t.localSide.workload(r.peer() != null),
            peer,
            t.clientServices.of(r.upstreamCluster(), request.authority()),
            protocol,
            r.status(),
            grpcStatus(protocol, r, noted != null ? noted.grpcStatus : r.header("grpc-status")),
            flags,
            // Istio's source reporter does not know the connection's policy.
            SecurityPolicy.UNKNOWN,
            nanos,
            requestSize,
            responseSize));
    if (span != null) {
      span.end(r.status(), r.responseFlags().isEmpty() ? null : r.responseFlags());
    }
    log(r, nanos);
    return visible == r.headers() ? r : r.withHeaders(visible);
  }

  private void log(MeshHttpResponse r, long nanos) {
    if (!t.lines.isEnabled()) {
      return;
    }
    t.lines.request(
        request,
        r.status(),
        r.responseFlags(),
        details(r),
        nanos,
        start,
        request.bodyLength(),
        r.bodyLength(),
        ConnectionEnds.outbound(r.upstreamCluster(), r.upstreamHost(), upstreamLocal));
  }
}
