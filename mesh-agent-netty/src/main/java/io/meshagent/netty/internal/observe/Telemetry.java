package io.meshagent.netty.internal.observe;

import static io.meshagent.netty.internal.observe.MessageFields.GETTER;
import static io.meshagent.netty.internal.observe.MessageFields.grpcStatus;
import static io.meshagent.netty.internal.observe.MessageFields.protocol;
import static io.meshagent.netty.internal.observe.MessageFields.replace;
import static io.meshagent.netty.internal.observe.MessageFields.size;
import static io.meshagent.netty.internal.observe.MessageFields.spanRequest;
import static io.meshagent.netty.internal.observe.MessageFields.withoutPeerHeaders;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.accesslog.AccessLog;
import io.meshagent.core.internal.telemetry.accesslog.ResponseCodeDetails;
import io.meshagent.core.internal.telemetry.metrics.ConnectionRecord;
import io.meshagent.core.internal.telemetry.metrics.IstioMetrics;
import io.meshagent.core.internal.telemetry.metrics.Reporter;
import io.meshagent.core.internal.telemetry.metrics.RequestProtocol;
import io.meshagent.core.internal.telemetry.metrics.RequestRecord;
import io.meshagent.core.internal.telemetry.metrics.SecurityPolicy;
import io.meshagent.core.internal.telemetry.metrics.TcpConnectionMetrics;
import io.meshagent.core.internal.telemetry.peer.LocalPeerMetadata;
import io.meshagent.core.internal.telemetry.peer.TcpMetadataExchange;
import io.meshagent.core.internal.telemetry.tracing.RequestSpan;
import io.meshagent.core.internal.telemetry.tracing.RequestSpans;
import io.meshagent.core.internal.telemetry.tracing.TracePropagation;
import io.meshagent.identity.SpiffeId;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
  // For inbound requests while telemetry is off: never noted into, never read.
  private static final ReceivedFields NOTHING_NOTED = new ReceivedFields();

  final IstioMetrics metrics;
  final LocalSide localSide;
  final AccessLogLines lines;
  final RequestSpans spans;
  private final TracePropagation propagation;
  final boolean enabled;
  // The client side falls back on the request's Host; istiod turns that off for inbound.
  final ServiceLabels clientServices;
  private final ServiceLabels serverServices;
  final PeerLookup peers = new PeerLookup();

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
        name -> null,
        () -> Boolean.TRUE);
  }

  public Telemetry(
      IstioMetrics metrics,
      Supplier<LocalPeerMetadata> local,
      AccessLog accessLog,
      RequestSpans spans,
      TracePropagation propagation) {
    this(metrics, local, accessLog, spans, propagation, true, name -> null, () -> Boolean.TRUE);
  }

  /**
   * Telemetry that labels services from the {@code istio} metadata of the clusters {@code clusters}
   * finds by name, as Istio's stats filter does; {@code clusters} answers the same for as long as
   * {@code generation} returns the same object (the agent's current snapshot).
   */
  public Telemetry(
      IstioMetrics metrics,
      Supplier<LocalPeerMetadata> local,
      AccessLog accessLog,
      RequestSpans spans,
      TracePropagation propagation,
      Function<String, @Nullable Cluster> clusters,
      Supplier<?> generation) {
    this(metrics, local, accessLog, spans, propagation, true, clusters, generation);
  }

  private Telemetry(
      IstioMetrics metrics,
      Supplier<LocalPeerMetadata> local,
      AccessLog accessLog,
      RequestSpans spans,
      TracePropagation propagation,
      boolean enabled,
      Function<String, @Nullable Cluster> clusters,
      Supplier<?> generation) {
    this.enabled = enabled;
    this.clientServices = new ServiceLabels(clusters, generation, true);
    this.serverServices = new ServiceLabels(clusters, generation, false);
    this.metrics = metrics;
    this.localSide = new LocalSide(local);
    this.lines = new AccessLogLines(accessLog);
    this.spans = spans;
    this.propagation = propagation;
  }

  /** This workload's {@code baggage} for HBONE CONNECTs, or null when telemetry is off. */
  public @Nullable String baggage() {
    return enabled ? localSide.current().baggage() : null;
  }

  /** The metrics in Prometheus text format. */
  public String prometheusText() {
    return metrics.prometheusText();
  }

  /** Starts an outbound request: a client span, trace context and our peer metadata added. */
  public OutboundTelemetry outbound(MeshHttpRequest request, String cluster) {
    if (!enabled) {
      return new OutboundTelemetry(this, request, null, request.headers());
    }
    Context current = Context.current();
    if (!spans.isNoop()
        && !Span.fromContext(current).getSpanContext().isValid()
        && ReceivedFields.anyTraceField(request.headers())) {
      // No span of the app's is current: the app forwarded its caller's trace headers, as Istio
      // asks apps to, and the client span continues that trace (as Envoy's outbound does).
      current = propagation.extract(current, request, GETTER);
    }
    RequestSpan span =
        spans.isNoop()
            ? spans.passThrough(current)
            : spans.startClient(
                current, spanRequest(request, request.header("x-request-id"), cluster));
    if (span.context() == Context.root()) {
      return new OutboundTelemetry(this, request, span, request.headers());
    }
    return new OutboundTelemetry(this, withTrace(request, span.context()), span, request.headers());
  }

  /** {@code r} with {@code context}'s trace headers in place of any it had. */
  private MeshHttpRequest withTrace(MeshHttpRequest r, Context context) {
    List<HttpHeader> headers = new ArrayList<>(r.headers());
    propagation.inject(context, headers, (h, k, v) -> replace(h, k, v));
    return r.withHeaders(headers);
  }

  /** An inbound request being served. */
  public final class Inbound {
    private final long startNanos = System.nanoTime();
    private final @Nullable Instant start = lines.start();
    private final MeshHttpRequest request;
    // What was noted of the request's fields (its exchange fields' size, content-type).
    private final ReceivedFields fields;
    private final WorkloadMetadata peer;
    private final InboundContext context;
    private final @Nullable RequestSpan span;
    private final String cluster;
    private @Nullable InetAddress localIp;
    private int localPort;
    // The app the request was forwarded to and the local end of that connection, or null (an
    // in-process handler, which has no connection).
    private @Nullable SocketAddress app;
    private @Nullable SocketAddress appLocal;

    private Inbound(
        MeshHttpRequest request,
        ReceivedFields fields,
        WorkloadMetadata peer,
        InboundContext context,
        @Nullable RequestSpan span,
        String cluster) {
      this.cluster = cluster;
      this.fields = fields;
      this.request = request;
      this.peer = peer;
      this.context = context;
      this.span = span;
    }

    /** The request as the app sees it: without the peer's metadata headers. */
    public MeshHttpRequest request() {
      return request;
    }

    /** The address the caller connected to: the log line's downstream local address. */
    public void downstreamLocal(InetAddress ip, int port) {
      localIp = ip;
      localPort = port;
    }

    /**
     * The app the request was forwarded to, and the local address of the connection to it (null if
     * none came up): the log line's upstream host and upstream local address.
     */
    public void forwardedTo(SocketAddress app, @Nullable SocketAddress local) {
      this.app = app;
      this.appLocal = local;
    }

    /**
     * Makes the server span current on this thread, for the in-process handler's call: an app
     * instrumented with OpenTelemetry starts its own spans under it. Close the scope after the call
     * returns.
     */
    public Scope makeSpanCurrent() {
      if (spans.isNoop()) {
        return Scope.noop(); // no tracer: the app's trace headers pass as they are
      }
      Context c = span == null ? Context.root() : span.context();
      return c == Context.root() ? Scope.noop() : c.makeCurrent();
    }

    /** Records the app's answer ({@code via_upstream}). */
    public MeshHttpResponse finish(MeshHttpResponse r, String flags) {
      return finish(r, flags, ResponseCodeDetails.VIA_UPSTREAM);
    }

    /**
     * Records the answer, given for {@code details} ({@link ResponseCodeDetails}). The responder's
     * encoder adds our metadata for the caller ({@link #ownFields}).
     */
    public MeshHttpResponse finish(MeshHttpResponse r, String flags, String details) {
      if (!enabled) {
        log(r, flags, details, System.nanoTime() - startNanos);
        return r;
      }
      long nanos = System.nanoTime() - startNanos;
      // The response's size as the server side's downstream meter counts it: ours included, which
      // the encoder adds.
      long responseSize = size(r.headers(), r.bodyLength()) + localSide.ownFields().size();
      RequestProtocol protocol = protocol(fields.contentType);
      record(
          protocol,
          r.status(),
          grpcStatus(protocol, r, r.header("grpc-status")),
          flags,
          nanos,
          responseSize);
      log(r, flags, details, nanos);
      return r; // the encoder adds our metadata (ownFields)
    }

    /**
     * Records a request whose caller went away before its answer could be sent, as Envoy does:
     * response code 0, flag {@code DC} (downstream connection termination), nothing sent.
     */
    public void abandoned() {
      long nanos = System.nanoTime() - startNanos;
      if (enabled) {
        record(protocol(fields.contentType), 0, RequestRecord.NO_GRPC_STATUS, "DC", nanos, 0);
      }
      log(0, "DC", ResponseCodeDetails.DOWNSTREAM_REMOTE_DISCONNECT, nanos, 0);
    }

    private void record(
        RequestProtocol protocol,
        int status,
        int grpcStatus,
        String flags,
        long nanos,
        long responseSize) {
      metrics.recordRequest(
          new RequestRecord(
              Reporter.DESTINATION,
              peer,
              localSide.workload(context.peer() != null),
              serverServices.of(cluster, request.authority()),
              protocol,
              status,
              grpcStatus,
              flags.isEmpty() ? "-" : flags,
              context.peer() != null ? SecurityPolicy.MUTUAL_TLS : SecurityPolicy.NONE,
              nanos,
              // What the caller sent, its exchange fields included.
              size(request.headers(), request.bodyLength()) + fields.exchangeBytes,
              responseSize));
      if (span != null) {
        span.end(status, flags.isEmpty() ? null : flags);
      }
    }

    private void log(MeshHttpResponse r, String flags, String details, long nanos) {
      log(r.status(), flags, details, nanos, r.bodyLength());
    }

    private void log(int status, String flags, String details, long nanos, long sent) {
      if (!lines.isEnabled()) {
        return;
      }
      lines.request(
          request,
          status,
          flags,
          details,
          nanos,
          start,
          request.bodyLength(),
          sent,
          new ConnectionEnds(
              cluster,
              ConnectionEnds.address(app),
              ConnectionEnds.address(appLocal),
              localIp == null ? null : ConnectionEnds.address(localIp, localPort),
              context.sourceAddress(),
              null));
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
    return inbound(request, null, context, tunnelBaggage, cluster);
  }

  /**
   * The same, for a request whose fields the decoder noted in {@code fields} (given only when
   * {@link #isEnabled}; the request is then without the exchange fields already), or null to read
   * them here.
   */
  public Inbound inbound(
      MeshHttpRequest request,
      @Nullable ReceivedFields fields,
      InboundContext context,
      @Nullable String tunnelBaggage,
      String cluster) {
    if (!enabled) {
      return new Inbound(request, NOTHING_NOTED, WorkloadMetadata.UNKNOWN, context, null, cluster);
    }
    ReceivedFields in = fields;
    MeshHttpRequest stripped = request;
    if (in == null) {
      in = ReceivedFields.of(request.headers());
      List<HttpHeader> without = withoutPeerHeaders(request.headers());
      stripped = without == request.headers() ? request : request.withHeaders(without);
    }
    String baggage = in.baggage != null ? in.baggage : tunnelBaggage;
    WorkloadMetadata peer =
        in.metadata == null && baggage != null
            ? peers.ofBaggage(baggage, context.peer())
            : peers.of(in.metadata, context.peer());
    // Without any trace header there is nothing to extract; the propagators would look for seven.
    Context parent =
        in.traced ? propagation.extract(Context.root(), request, GETTER) : Context.root();
    if (spans.isNoop()) {
      // No tracer: the trace headers reach the app as they came.
      return new Inbound(stripped, in, peer, context, spans.passThrough(parent), cluster);
    }
    RequestSpan span = spans.startServer(parent, spanRequest(request, in.requestId, null));
    // The app sees the server span as its parent, as Envoy's inbound rewrites the headers: an app
    // that forwards them (or uses the context made current for its handler) continues from it.
    return new Inbound(withTrace(stripped, span.context()), in, peer, context, span, cluster);
  }

  /**
   * The metrics of a TCP connection (or tunnel) between {@code ends}, opened now, with a peer known
   * by its certificate and by its workload {@code known} when its metadata exchange or its tunnel's
   * {@code baggage} ({@link #workloadOf}) said; they write the connection's access-log line when it
   * closes (with telemetry off too).
   *
   * @param reporter {@code SOURCE} for outbound, {@code DESTINATION} for inbound
   * @param startNanos when the connection was accepted (inbound) or asked for (outbound), a {@link
   *     System#nanoTime}: where its access-log line's duration starts
   */
  public TcpConnectionMetrics tcp(
      Reporter reporter,
      @Nullable SpiffeId peer,
      @Nullable WorkloadMetadata known,
      ConnectionEnds ends,
      long startNanos) {
    TcpConnectionMetrics m = TcpConnectionMetrics.NOOP;
    if (enabled) {
      m = connection(reporter, peer, ends.cluster(), known, "-");
      m.recordOpen();
    }
    return lines.connection(m, ends, startNanos);
  }

  /**
   * Records a TCP connection that never came up, as Istio's stats filter reports one at its end:
   * opened and closed at once, with Envoy's response flags ({@code UF,URX} for a failed connect
   * with no attempt left, {@code UH} no healthy upstream, {@code UO} overflow); and its access-log
   * line. Outbound it has no peer; inbound (an app that could not be reached, a connection network
   * RBAC refused) it has its caller ({@code peer}, its workload {@code known} if it is). {@code
   * terminationDetails} is why the agent closed it, as Envoy's connection termination details;
   * {@code startNanos} as for {@link #tcp}.
   */
  public void tcpFailed(
      Reporter reporter,
      @Nullable SpiffeId peer,
      @Nullable WorkloadMetadata known,
      String flags,
      @Nullable String terminationDetails,
      ConnectionEnds ends,
      long startNanos) {
    lines.connectionFailed(flags, terminationDetails, ends, startNanos);
    if (!enabled) {
      return;
    }
    TcpConnectionMetrics m = connection(reporter, peer, ends.cluster(), known, flags);
    m.recordOpen();
    m.recordClose();
  }

  /** The workload a tunnel's {@code baggage} names, or null (none, or telemetry off). */
  public @Nullable WorkloadMetadata workloadOf(@Nullable String baggage) {
    return enabled && baggage != null ? peers.ofBaggage(baggage, null) : null;
  }

  /** The metrics of a connection with {@code peer} (its workload {@code known}, if it is). */
  private TcpConnectionMetrics connection(
      Reporter reporter,
      @Nullable SpiffeId peer,
      String cluster,
      @Nullable WorkloadMetadata known,
      String flags) {
    if (known == null) {
      known = WorkloadMetadata.UNKNOWN;
    }
    WorkloadMetadata other = peer == null ? known : known.withPrincipal(peer);
    WorkloadMetadata me = localSide.workload(peer != null);
    boolean source = reporter == Reporter.SOURCE;
    return metrics.tcpConnection(
        new ConnectionRecord(
            reporter,
            source ? me : other,
            source ? other : me,
            // A connection has no Host to fall back on.
            (source ? clientServices : serverServices).of(cluster, ""),
            flags,
            source
                ? SecurityPolicy.UNKNOWN
                : peer != null ? SecurityPolicy.MUTUAL_TLS : SecurityPolicy.NONE));
  }

  /**
   * Our frame of Istio's TCP metadata exchange ({@link TcpMetadataExchange}), sent whenever a
   * connection's ALPN asks for the exchange, with telemetry off too: the peer takes it off the
   * stream either way.
   */
  public byte[] tcpExchangeFrame() {
    return localSide.exchangeFrame();
  }

  /**
   * Our metadata-exchange fields, for the encoders to add to every request and response, or null
   * when telemetry is off.
   */
  public @Nullable OwnFields ownFields() {
    return enabled ? localSide.ownFields() : null;
  }

  /** Whether requests are recorded and metadata exchanged. */
  public boolean isEnabled() {
    return enabled;
  }

  @Override
  public void close() {
    metrics.close();
  }
}
