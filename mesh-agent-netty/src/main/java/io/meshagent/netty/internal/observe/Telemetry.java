package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.accesslog.AccessLog;
import io.meshagent.core.internal.telemetry.accesslog.AccessLogEntry;
import io.meshagent.core.internal.telemetry.metrics.ConnectionRecord;
import io.meshagent.core.internal.telemetry.metrics.IstioMetrics;
import io.meshagent.core.internal.telemetry.metrics.Reporter;
import io.meshagent.core.internal.telemetry.metrics.RequestProtocol;
import io.meshagent.core.internal.telemetry.metrics.RequestRecord;
import io.meshagent.core.internal.telemetry.metrics.SecurityPolicy;
import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.core.internal.telemetry.peer.LocalPeerMetadata;
import io.meshagent.core.internal.telemetry.peer.PeerBaggage;
import io.meshagent.core.internal.telemetry.peer.PeerMetadataHeaders;
import io.meshagent.core.internal.telemetry.tracing.RequestSpan;
import io.meshagent.core.internal.telemetry.tracing.RequestSpans;
import io.meshagent.core.internal.telemetry.tracing.SpanRequest;
import io.meshagent.core.internal.telemetry.tracing.TracePropagation;
import io.meshagent.identity.SpiffeId;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Telemetry for the requests and connections of one data plane, as a sidecar's {@code istio.stats}
 * and metadata-exchange filters, access log and tracer produce it: outbound requests carry this
 * workload's peer metadata and trace context and are recorded with {@code reporter="source"};
 * inbound requests are read for the caller's metadata (stripped before the app sees them), answered
 * with ours, and recorded with {@code reporter="destination"}. Recording takes no lock.
 */
public final class Telemetry implements AutoCloseable {
  /** Headers that carry peer metadata between proxies; never shown to the app. */
  private static final Set<String> PEER_HEADERS =
      Set.of(PeerMetadataHeaders.METADATA, PeerMetadataHeaders.METADATA_ID);

  private final IstioMetrics metrics;
  private final Supplier<LocalPeerMetadata> local;
  private final AccessLog accessLog;
  private final RequestSpans spans;
  private final TracePropagation propagation;
  private final boolean enabled;
  private final ServiceLabels services;
  private final PeerLookup peers = new PeerLookup();

  /** Telemetry that records nothing and changes no message (the access log still works). */
  public static Telemetry disabled(
      IstioMetrics metrics, Supplier<LocalPeerMetadata> local, AccessLog accessLog) {
    return new Telemetry(
        metrics,
        local,
        accessLog,
        RequestSpans.create(io.opentelemetry.api.OpenTelemetry.noop()),
        TracePropagation.defaults(),
        false,
        name -> null);
  }

  public Telemetry(
      IstioMetrics metrics,
      Supplier<LocalPeerMetadata> local,
      AccessLog accessLog,
      RequestSpans spans,
      TracePropagation propagation) {
    this(metrics, local, accessLog, spans, propagation, true, name -> null);
  }

  /**
   * Telemetry that labels services from the {@code istio} metadata of the clusters {@code clusters}
   * finds by name (the agent's current snapshot), as Istio's stats filter does.
   */
  public Telemetry(
      IstioMetrics metrics,
      Supplier<LocalPeerMetadata> local,
      AccessLog accessLog,
      RequestSpans spans,
      TracePropagation propagation,
      Function<String, @Nullable Cluster> clusters) {
    this(metrics, local, accessLog, spans, propagation, true, clusters);
  }

  private Telemetry(
      IstioMetrics metrics,
      Supplier<LocalPeerMetadata> local,
      AccessLog accessLog,
      RequestSpans spans,
      TracePropagation propagation,
      boolean enabled,
      Function<String, @Nullable Cluster> clusters) {
    this.enabled = enabled;
    this.services = new ServiceLabels(clusters);
    this.metrics = metrics;
    this.local = local;
    this.accessLog = accessLog;
    this.spans = spans;
    this.propagation = propagation;
  }

  /** This workload's {@code baggage} for HBONE CONNECTs, or null when telemetry is off. */
  public @Nullable String baggage() {
    return enabled ? local.get().baggage() : null;
  }

  /** The metrics in Prometheus text format. */
  public String prometheusText() {
    return metrics.prometheusText();
  }

  /** An outbound request in flight. */
  public final class Outbound {
    private final long startNanos = System.nanoTime();
    // Wall-clock time only for the access log: reading it costs more than the rest of a record.
    private final @Nullable Instant start = accessLog.isEnabled() ? Instant.now() : null;
    private final MeshHttpRequest request;
    private final @Nullable RequestSpan span;

    private Outbound(MeshHttpRequest request, @Nullable RequestSpan span) {
      this.request = request;
      this.span = span;
    }

    /** The request as it goes upstream: with peer metadata and trace context. */
    public MeshHttpRequest request() {
      return request;
    }

    /** Records the result; returns the response without the peer's metadata headers. */
    public MeshHttpResponse finish(MeshHttpResponse r) {
      if (!enabled) {
        logOnly(request, r, r.responseFlags(), startNanos, start, r.upstreamHost(), null);
        return r;
      }
      long nanos = System.nanoTime() - startNanos;
      long requestSize = size(request.headers(), request.bodyLength());
      long responseSize = size(r.headers(), r.bodyLength());
      WorkloadMetadata peer = peers.of(r.header(PeerMetadataHeaders.METADATA), r.peer());
      String flags = r.responseFlags().isEmpty() ? "-" : r.responseFlags();
      metrics.recordRequest(
          new RequestRecord(
              Reporter.SOURCE,
              local.get().workload(),
              peer,
              services.of(r.upstreamCluster(), request.authority()),
              protocol(request),
              r.status(),
              grpcStatus(r),
              flags,
              // Istio's source reporter does not know the connection's policy.
              SecurityPolicy.UNKNOWN,
              nanos,
              requestSize,
              responseSize));
      if (span != null) {
        span.end(r.status(), r.responseFlags().isEmpty() ? null : r.responseFlags());
      }
      log(
          request,
          r.status(),
          flags,
          nanos,
          r.upstreamHost(),
          r.upstreamCluster(),
          null,
          start,
          requestSize,
          responseSize);
      List<HttpHeader> without = withoutPeerHeaders(r.headers());
      return without == r.headers() ? r : r.withHeaders(without);
    }
  }

  /** Starts an outbound request: a client span, trace context and our peer metadata added. */
  public Outbound outbound(MeshHttpRequest request, String cluster) {
    if (!enabled) {
      return new Outbound(request, null);
    }
    Context current = Context.current();
    RequestSpan span =
        spans.isNoop()
            ? spans.passThrough(current)
            : spans.startClient(
                current,
                new SpanRequest(
                    request.authority(),
                    request.method(),
                    request.authority(),
                    request.path(),
                    protocolName(request),
                    request.header("x-request-id"),
                    cluster));
    List<HttpHeader> headers = withOurMetadata(request.headers());
    if (span.context() != Context.root()) {
      propagation.inject(span.context(), headers, (h, k, v) -> replace(h, k, v));
    }
    return new Outbound(request.withHeaders(headers), span);
  }

  /** An inbound request being served. */
  public final class Inbound {
    private final long startNanos = System.nanoTime();
    // Wall-clock time only for the access log: reading it costs more than the rest of a record.
    private final @Nullable Instant start = accessLog.isEnabled() ? Instant.now() : null;
    private final MeshHttpRequest original;
    private final MeshHttpRequest request;
    private final WorkloadMetadata peer;
    private final InboundContext context;
    private final @Nullable RequestSpan span;
    private final String cluster;

    private Inbound(
        MeshHttpRequest original,
        MeshHttpRequest request,
        WorkloadMetadata peer,
        InboundContext context,
        @Nullable RequestSpan span,
        String cluster) {
      this.cluster = cluster;
      this.original = original;
      this.request = request;
      this.peer = peer;
      this.context = context;
      this.span = span;
    }

    /** The request as the app sees it: without the peer's metadata headers. */
    public MeshHttpRequest request() {
      return request;
    }

    /** Records the answer; returns it with our peer metadata for the caller. */
    public MeshHttpResponse finish(MeshHttpResponse r, String flags) {
      if (!enabled) {
        logOnly(original, r, flags, startNanos, start, null, context.sourceAddress());
        return r;
      }
      long nanos = System.nanoTime() - startNanos;
      long requestSize = size(original.headers(), original.bodyLength());
      long responseSize = size(r.headers(), r.bodyLength());
      metrics.recordRequest(
          new RequestRecord(
              Reporter.DESTINATION,
              peer,
              local.get().workload(),
              services.of(cluster, original.authority()),
              protocol(original),
              r.status(),
              grpcStatus(r),
              flags.isEmpty() ? "-" : flags,
              context.peer() != null ? SecurityPolicy.MUTUAL_TLS : SecurityPolicy.NONE,
              nanos,
              requestSize,
              responseSize));
      if (span != null) {
        span.end(r.status(), flags.isEmpty() ? null : flags);
      }
      log(
          original,
          r.status(),
          flags.isEmpty() ? "-" : flags,
          nanos,
          null,
          null,
          context.sourceAddress(),
          start,
          requestSize,
          responseSize);
      return r.withHeaders(withOurMetadata(r.headers()));
    }
  }

  /** Starts serving an inbound request: the caller's metadata read, a server span started. */
  public Inbound inbound(MeshHttpRequest request, InboundContext context) {
    return inbound(request, context, null);
  }

  /**
   * Starts serving an inbound request; {@code tunnelBaggage} is the {@code baggage} of the HBONE
   * CONNECT it came through (how ztunnel and waypoints say who the caller is), or null.
   */
  public Inbound inbound(
      MeshHttpRequest request, InboundContext context, @Nullable String tunnelBaggage) {
    return inbound(request, context, tunnelBaggage, "");
  }

  /**
   * The same, for a request served for the inbound cluster {@code cluster} ({@code
   * inbound|<port>||}), whose {@code istio} metadata names the service.
   */
  public Inbound inbound(
      MeshHttpRequest request,
      InboundContext context,
      @Nullable String tunnelBaggage,
      String cluster) {
    if (!enabled) {
      return new Inbound(request, request, WorkloadMetadata.UNKNOWN, context, null, cluster);
    }
    InboundFields in = InboundFields.of(request.headers());
    WorkloadMetadata peer = peers.of(in.metadata, context.peer());
    String baggage = in.baggage;
    if (baggage == null) {
      baggage = tunnelBaggage;
    }
    if (in.metadata == null && baggage != null) {
      WorkloadMetadata fromBaggage = PeerBaggage.decode(baggage);
      peer = context.peer() != null ? fromBaggage.withPrincipal(context.peer()) : fromBaggage;
    }
    // Without any trace header there is nothing to extract; the propagators would look for seven.
    Context parent =
        in.traced ? propagation.extract(Context.root(), request, GETTER) : Context.root();
    RequestSpan span =
        spans.isNoop()
            ? spans.passThrough(parent)
            : spans.startServer(
                parent,
                new SpanRequest(
                    request.authority(),
                    request.method(),
                    request.authority(),
                    request.path(),
                    protocolName(request),
                    in.requestId,
                    null));
    List<HttpHeader> without = withoutPeerHeaders(request.headers());
    MeshHttpRequest stripped =
        without == request.headers() ? request : request.withHeaders(without);
    return new Inbound(request, stripped, peer, context, span, cluster);
  }

  /**
   * The metrics of a TCP connection (or tunnel) with a peer known by its certificate.
   *
   * @param reporter {@code SOURCE} for outbound, {@code DESTINATION} for inbound
   */
  public TcpConnectionMetrics tcp(
      Reporter reporter, @Nullable SpiffeId peer, String cluster, String host) {
    return tcp(reporter, peer, cluster, host, null);
  }

  /** The same, for a tunnel whose CONNECT carried the peer's {@code baggage}. */
  public TcpConnectionMetrics tcp(
      Reporter reporter,
      @Nullable SpiffeId peer,
      String cluster,
      String host,
      @Nullable String baggage) {
    if (!enabled) {
      return TcpConnectionMetrics.NOOP;
    }
    WorkloadMetadata known =
        baggage == null ? WorkloadMetadata.UNKNOWN : PeerBaggage.decode(baggage);
    WorkloadMetadata other = peer == null ? known : known.withPrincipal(peer);
    WorkloadMetadata me = local.get().workload();
    boolean source = reporter == Reporter.SOURCE;
    TcpConnectionMetrics m =
        metrics.tcpConnection(
            new ConnectionRecord(
                reporter,
                source ? me : other,
                source ? other : me,
                services.of(cluster, host),
                "-",
                source
                    ? SecurityPolicy.UNKNOWN
                    : peer != null ? SecurityPolicy.MUTUAL_TLS : SecurityPolicy.NONE));
    m.recordOpen();
    return m;
  }

  /** What the inbound side reads of a request's headers, found in one pass. */
  private static final class InboundFields {
    @Nullable String metadata;
    @Nullable String baggage;
    @Nullable String requestId;
    boolean traced;

    static InboundFields of(List<HttpHeader> headers) {
      InboundFields f = new InboundFields();
      for (HttpHeader h : headers) {
        String n = h.name();
        if (f.metadata == null && n.equals(PeerMetadataHeaders.METADATA)) {
          f.metadata = h.value();
        } else if (f.baggage == null && n.equals(PeerBaggage.HEADER)) {
          f.baggage = h.value();
        } else if (f.requestId == null && n.equals("x-request-id")) {
          f.requestId = h.value();
        } else if (n.equals("traceparent") || n.equals("b3") || n.startsWith("x-b3-")) {
          f.traced = true;
        }
      }
      return f;
    }
  }

  /** Our metadata as header fields, made once per {@link LocalPeerMetadata}. */
  private record OwnHeaders(LocalPeerMetadata from, HttpHeader id, HttpHeader metadata) {}

  private volatile @Nullable OwnHeaders ownHeaders;

  private OwnHeaders ownHeaders() {
    LocalPeerMetadata me = local.get();
    OwnHeaders h = ownHeaders;
    if (h == null || h.from != me) {
      h =
          new OwnHeaders(
              me,
              new HttpHeader(PeerMetadataHeaders.METADATA_ID, me.metadataId()),
              new HttpHeader(PeerMetadataHeaders.METADATA, me.metadata()));
      ownHeaders = h;
    }
    return h;
  }

  private static final TextMapGetter<MeshHttpRequest> GETTER =
      new TextMapGetter<>() {
        @Override
        @SuppressWarnings(
            "deprecation") // still abstract in the API; propagators here never call it
        public Iterable<String> keys(MeshHttpRequest carrier) {
          return carrier.headers().stream().map(HttpHeader::name).toList();
        }

        @Override
        public @Nullable String get(@Nullable MeshHttpRequest carrier, String key) {
          return carrier == null ? null : carrier.header(key);
        }
      };

  private static void replace(@Nullable List<HttpHeader> headers, String name, String value) {
    if (headers != null) {
      String n = name.toLowerCase(java.util.Locale.ROOT);
      headers.removeIf(h -> h.name().equals(n));
      headers.add(new HttpHeader(n, value));
    }
  }

  /** {@code headers} without any peer's metadata fields and with ours, in a list to add to. */
  private List<HttpHeader> withOurMetadata(List<HttpHeader> headers) {
    OwnHeaders own = ownHeaders();
    List<HttpHeader> without = withoutPeerHeaders(headers);
    List<HttpHeader> out = new ArrayList<>(without.size() + 2);
    out.addAll(without);
    out.add(own.id);
    out.add(own.metadata);
    return out;
  }

  private static List<HttpHeader> withoutPeerHeaders(List<HttpHeader> headers) {
    boolean any = false;
    for (HttpHeader h : headers) {
      any |= PEER_HEADERS.contains(h.name());
    }
    if (!any) {
      return headers;
    }
    List<HttpHeader> out = new ArrayList<>(headers.size());
    for (HttpHeader h : headers) {
      if (!PEER_HEADERS.contains(h.name())) {
        out.add(h);
      }
    }
    return out;
  }

  private static RequestProtocol protocol(MeshHttpRequest r) {
    String ct = r.header("content-type");
    return ct != null && ct.startsWith("application/grpc")
        ? RequestProtocol.GRPC
        : RequestProtocol.HTTP;
  }

  private static String protocolName(MeshHttpRequest r) {
    return r.protocol() == HttpProtocol.HTTP_2 ? "HTTP/2" : "HTTP/1.1";
  }

  private static int grpcStatus(MeshHttpResponse r) {
    String s = r.header("grpc-status");
    if (s == null) {
      return -1;
    }
    try {
      int code = Integer.parseInt(s.trim());
      return code >= 0 ? code : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Bytes on the wire, approximately as HTTP/1.1 frames them: headers plus body. */
  private static long size(List<HttpHeader> headers, int body) {
    long n = body;
    for (HttpHeader h : headers) {
      n += h.name().length() + h.value().length() + 4;
    }
    return n;
  }

  private void logOnly(
      MeshHttpRequest r,
      MeshHttpResponse resp,
      String flags,
      long startNanos,
      @Nullable Instant start,
      @Nullable String upstreamHost,
      @Nullable String downstreamRemote) {
    if (accessLog.isEnabled()) {
      log(
          r,
          resp.status(),
          flags.isEmpty() ? "-" : flags,
          System.nanoTime() - startNanos,
          upstreamHost,
          resp.upstreamCluster().isEmpty() ? null : resp.upstreamCluster(),
          downstreamRemote,
          start,
          r.bodyLength(),
          resp.bodyLength());
    }
  }

  private void log(
      MeshHttpRequest r,
      int status,
      String flags,
      long nanos,
      @Nullable String upstreamHost,
      @Nullable String cluster,
      @Nullable String downstreamRemote,
      @Nullable Instant start,
      long received,
      long sent) {
    if (!accessLog.isEnabled()) {
      return;
    }
    accessLog.log(
        // A log switched on while the request was in flight has no start time: now, then.
        AccessLogEntry.builder(start != null ? start : Instant.now())
            .request(r.method(), r.path(), protocolName(r))
            .response(status, flags, null)
            .bytes(received, sent)
            .durationMillis(nanos / 1_000_000)
            .headers(
                r.header("x-forwarded-for"),
                r.header("user-agent"),
                r.header("x-request-id"),
                r.authority())
            .upstream(upstreamHost, cluster, null)
            .downstream(null, downstreamRemote, null)
            .build());
  }

  @Override
  public void close() {
    metrics.close();
  }
}
