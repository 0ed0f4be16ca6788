package io.meshagent.benchmarks.telemetry;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentBuilder;
import io.meshagent.ProxyProfile;
import io.meshagent.core.internal.node.IstioNodeFactory;
import io.meshagent.core.internal.telemetry.accesslog.AccessLog;
import io.meshagent.core.internal.telemetry.metrics.IstioMetrics;
import io.meshagent.core.internal.telemetry.peer.LocalPeerMetadata;
import io.meshagent.core.internal.telemetry.tracing.RequestSpans;
import io.meshagent.core.internal.telemetry.tracing.TracePropagation;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.observe.OutboundTelemetry;
import io.meshagent.netty.internal.observe.ReceivedFields;
import io.meshagent.netty.internal.observe.Telemetry;
import io.meshagent.netty.internal.outbound.Http2Messages;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.opentelemetry.api.OpenTelemetry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 7's overhead, without the network: the telemetry work of one request as the two data planes
 * of the side-by-side benchmark do it (the client's source reporter and the server's destination
 * reporter: peer metadata added by each side's encoder and noted by the other's decoder, spans
 * through a no-op OpenTelemetry, trace context, eight metric recordings), against the same calls
 * with telemetry off. The difference, divided by the data-plane benchmark's CPU per request with
 * telemetry off, is the overhead this part of telemetry adds; the extra header fields' HPACK and
 * framing are not in it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TelemetryBenchmark {

  /** A client's and a server's telemetry, on or off, and a request between them. */
  @State(Scope.Benchmark)
  public static class Pair {
    Telemetry client;
    Telemetry server;
    Telemetry clientOff;
    Telemetry serverOff;
    MeshHttpRequest request;
    InboundContext inbound;
    MeshHttpResponse answer;
    SpiffeId serverId = SpiffeId.ofIstio("cluster.local", "default", "reviews");
    long sequence;

    @Setup
    public void setUp() {
      SpiffeId clientId = SpiffeId.ofIstio("cluster.local", "default", "productpage");
      LocalPeerMetadata clientMeta =
          LocalPeerMetadata.of(node("productpage-v1-6b746f74dc-9stvs", "productpage"), clientId);
      LocalPeerMetadata serverMeta =
          LocalPeerMetadata.of(node("reviews-v2-7d8b6b7c9f-x5v2q", "reviews"), serverId);
      client = on(clientMeta);
      server = on(serverMeta);
      clientOff =
          Telemetry.disabled(IstioMetrics.create(), () -> clientMeta, AccessLog.create(false));
      serverOff =
          Telemetry.disabled(IstioMetrics.create(), () -> serverMeta, AccessLog.create(false));
      request =
          MeshHttpRequest.builder("POST", "reviews:9080", "/reviews/1")
              .protocol(HttpProtocol.HTTP_2)
              .header("user-agent", "bench")
              .header("x-request-id", "9f6c0f2e-7f2a-4d1b-8c3e-1a2b3c4d5e6f")
              .header("content-type", "application/json")
              .body(new byte[1024])
              .build();
      inbound = new InboundContext(clientId, "127.0.0.1:40000", "mtls");
      answer =
          new MeshHttpResponse(
              200, List.of(new HttpHeader("content-type", "text/plain")), new byte[1024]);
    }

    private static Telemetry on(LocalPeerMetadata meta) {
      return new Telemetry(
          IstioMetrics.create(),
          () -> meta,
          AccessLog.create(false),
          RequestSpans.create(OpenTelemetry.noop()),
          TracePropagation.defaults());
    }

    @TearDown
    public void tearDown() {
      client.close();
      server.close();
      clientOff.close();
      serverOff.close();
    }
  }

  private static Node node(String pod, String app) {
    MeshAgentBuilder b =
        MeshAgent.builder()
            .xdsAddress("istiod.istio-system.svc:15012")
            .podName(pod)
            .namespace("default")
            .serviceAccount(app)
            .instanceIps(List.of("10.244.1.17"))
            .label("app", app)
            .label("version", "v1");
    return IstioNodeFactory.build(b.buildConfig().node(), ProxyProfile.SIDECAR);
  }

  /**
   * Both reporters' work for one request, as the messages cross from one side to the other: each
   * message made into an HTTP/2 header block by its sender's encoder (which adds the sender's
   * metadata-exchange fields) and read back by the receiver's decoder (which notes and leaves out
   * the peer's), HPACK and framing aside.
   */
  private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

  private static final String REQUEST_ID_TAIL = "-7f2a-4d1b-8c3e-1a2b3c4d5e6f";

  private static int exchange(Pair p, Telemetry client, Telemetry server) {
    OutboundTelemetry out =
        client.outbound(p.request, "outbound|9080||reviews.default.svc.cluster.local");
    Http2Headers sent = Http2Messages.requestHeaders(out.request(), client.ownFields());
    // A fresh request id each time, as HPACK delivers a literal field: the decoder's identity
    // caches miss it, as they would in the data plane.
    sent.set(X_REQUEST_ID, new AsciiString(Long.toHexString(p.sequence++) + REQUEST_ID_TAIL));
    ReceivedFields requestFields = server.isEnabled() ? new ReceivedFields() : null;
    MeshHttpRequest arrived = Http2Messages.request(sent, p.request.body(), requestFields);
    Telemetry.Inbound in =
        server.inbound(arrived, requestFields, p.inbound, null, "inbound|9080||");
    MeshHttpResponse served = in.finish(p.answer, "");
    Http2Headers answered = Http2Messages.responseHeaders(served, server.ownFields());
    ReceivedFields responseFields = client.isEnabled() ? new ReceivedFields() : null;
    MeshHttpResponse back = Http2Messages.response(answered, p.answer.body(), responseFields);
    out.upstreamFields(responseFields);
    MeshHttpResponse received =
        out.finish(
            back.withUpstream(
                p.serverId,
                "outbound|9080||reviews.default.svc.cluster.local",
                "10.0.0.2:9080",
                1,
                ""));
    return received.status() + in.request().headers().size();
  }

  @Benchmark
  public int telemetryOn(Pair p) {
    return exchange(p, p.client, p.server);
  }

  @Benchmark
  public int telemetryOff(Pair p) {
    return exchange(p, p.clientOff, p.serverOff);
  }
}
