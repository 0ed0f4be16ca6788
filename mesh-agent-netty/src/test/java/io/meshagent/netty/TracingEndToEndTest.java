package io.meshagent.netty;

import static io.meshagent.netty.MeshYaml.inboundHttpChain;
import static io.meshagent.netty.MeshYaml.route;
import static io.meshagent.netty.MeshYaml.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshagent.MeshAgent;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One trace across two agents with an OpenTelemetry SDK installed, as Envoy sidecars keep it: the
 * caller's client span continues the trace the app forwarded (or its current span), the callee's
 * server span is the client span's child, and the app behind it sees the server span, in the
 * headers it would forward and as the current span of its handler's call.
 */
class TracingEndToEndTest {
  static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String APP_SPAN = "00f067aa0ba902b7";

  @TempDir static Path dir;
  static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  static SdkTracerProvider tracing;
  static MeshAgent reviewsAgent;
  static MeshAgent productpageAgent;
  static MeshDataPlane reviews;
  static MeshDataPlane productpage;
  // What the app behind reviews saw of the last request.
  static final AtomicReference<String> seenTraceparent = new AtomicReference<>();
  static final AtomicReference<SpanContext> seenCurrent = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    tracing =
        SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
    OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tracing).build();
    Path ca = dir.resolve("ca");
    Path reviewsYaml = dir.resolve("reviews.json");
    Files.writeString(
        reviewsYaml,
        new MeshYaml()
            .virtualInbound(inboundHttpChain(9080, true, TwoAgents.PRODUCTPAGE_ID))
            .render());
    reviewsAgent = TwoAgents.agent(reviewsYaml, "reviews-v1", "bookinfo-reviews", ca);
    reviews =
        MeshDataPlane.start(
            reviewsAgent,
            DataPlaneOptions.defaults().withEventLoopThreads(1).withOpenTelemetry(otel));
    InetSocketAddress http =
        reviews.serveHttp(
            new InetSocketAddress(TwoAgents.REVIEWS_IP, 0), 9080, TracingEndToEndTest::serve);
    String san = "spiffe://" + TwoAgents.REVIEWS_ID.toString().substring("spiffe://".length());
    Path productpageYaml = dir.resolve("productpage.json");
    Files.writeString(
        productpageYaml,
        new MeshYaml()
            .cluster(REVIEWS, san, "")
            .endpoints(
                REVIEWS, "\"tlsMode\": \"istio\"", TwoAgents.REVIEWS_IP + ":" + http.getPort())
            .httpListener(9080)
            .routes(
                9080,
                vhost(
                    "reviews",
                    List.of("reviews", "reviews:9080"),
                    route("/", "\"cluster\": \"" + REVIEWS + "\"", "")))
            .render());
    productpageAgent =
        TwoAgents.agent(productpageYaml, "productpage-v1", "bookinfo-productpage", ca);
    productpage =
        MeshDataPlane.start(
            productpageAgent,
            DataPlaneOptions.defaults().withEventLoopThreads(1).withOpenTelemetry(otel));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c :
        List.<AutoCloseable>of(productpage, reviews, productpageAgent, reviewsAgent, tracing)) {
      if (c != null) {
        c.close();
      }
    }
  }

  static CompletableFuture<MeshHttpResponse> serve(MeshHttpRequest request, InboundContext ctx) {
    seenTraceparent.set(request.header("traceparent"));
    seenCurrent.set(Span.current().getSpanContext());
    return CompletableFuture.completedFuture(MeshHttpResponse.of(200, "traced"));
  }

  @BeforeEach
  void clear() {
    spans.reset();
  }

  private static MeshHttpResponse send(MeshHttpRequest r) throws Exception {
    return productpage.client().send(r).get(20, TimeUnit.SECONDS);
  }

  /** The two spans of one call: the client span (productpage's) and the server span (reviews'). */
  private static List<SpanData> clientAndServer() {
    await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().size() == 2);
    List<SpanData> all = spans.getFinishedSpanItems();
    SpanData client = all.stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().get();
    SpanData server = all.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().get();
    return List.of(client, server);
  }

  @Test
  void aTraceTheAppForwardsInItsHeadersContinuesThroughBothAgents() throws Exception {
    MeshHttpResponse r =
        send(
            MeshHttpRequest.builder("GET", "reviews:9080", "/reviews/1")
                .header("traceparent", "00-" + TRACE + "-" + APP_SPAN + "-01")
                .build());
    assertThat(r.status()).as(r.bodyText()).isEqualTo(200);

    List<SpanData> pair = clientAndServer();
    SpanData client = pair.get(0);
    SpanData server = pair.get(1);
    assertThat(client.getTraceId()).isEqualTo(TRACE);
    assertThat(client.getParentSpanId()).isEqualTo(APP_SPAN);
    assertThat(server.getTraceId()).isEqualTo(TRACE);
    assertThat(server.getParentSpanId()).isEqualTo(client.getSpanId());
    // The app sees the server span: in the header it would forward, and as its current span.
    assertThat(seenTraceparent.get()).isEqualTo("00-" + TRACE + "-" + server.getSpanId() + "-01");
    assertThat(seenCurrent.get().getSpanId()).isEqualTo(server.getSpanId());
    assertThat(seenCurrent.get().getTraceId()).isEqualTo(TRACE);
  }

  @Test
  void theAppsCurrentSpanIsTheParentWhenItHasOne() throws Exception {
    Span appSpan = tracing.get("app").spanBuilder("app work").startSpan();
    MeshHttpResponse r;
    try (Scope s = appSpan.makeCurrent()) {
      r = send(MeshHttpRequest.get("reviews:9080", "/reviews/2"));
    } finally {
      appSpan.end();
    }
    assertThat(r.status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().size() == 3);
    SpanData client =
        spans.getFinishedSpanItems().stream()
            .filter(s -> s.getKind() == SpanKind.CLIENT)
            .findFirst()
            .get();
    assertThat(client.getTraceId()).isEqualTo(appSpan.getSpanContext().getTraceId());
    assertThat(client.getParentSpanId()).isEqualTo(appSpan.getSpanContext().getSpanId());
  }

  @Test
  void withoutAnyTraceTheCallStartsOneTheServerSpanJoins() throws Exception {
    MeshHttpResponse r = send(MeshHttpRequest.get("reviews:9080", "/reviews/3"));
    assertThat(r.status()).isEqualTo(200);
    List<SpanData> pair = clientAndServer();
    assertThat(pair.get(0).getParentSpanContext().isValid()).isFalse();
    assertThat(pair.get(1).getTraceId()).isEqualTo(pair.get(0).getTraceId());
    assertThat(pair.get(1).getParentSpanId()).isEqualTo(pair.get(0).getSpanId());
  }
}
