package io.meshagent.core.internal.telemetry.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server and a client span per request; nothing recorded without an SDK, context kept. */
class RequestSpansTest {
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  private final OpenTelemetry sdk =
      OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final Context INCOMING =
      Context.root()
          .with(
              Span.wrap(
                  SpanContext.createFromRemoteParent(
                      TRACE,
                      "00f067aa0ba902b7",
                      TraceFlags.getSampled(),
                      TraceState.getDefault())));

  private static final SpanRequest REQUEST =
      new SpanRequest(
          "reviews.bookinfo.svc.cluster.local:9080/*",
          "GET",
          "reviews:9080",
          "/reviews/0?token=secret",
          "HTTP/1.1",
          "84961386-6d84-929d-98bd-c5aee93b5c88",
          "outbound|9080||reviews.bookinfo.svc.cluster.local");

  @AfterEach
  void close() {
    tracerProvider.close();
  }

  @Test
  void withoutTracingTheIncomingTraceIsCarriedOnAndNothingIsRecorded() {
    RequestSpans none = RequestSpans.create(OpenTelemetry.noop());
    assertThat(none.isNoop()).isTrue();
    assertThat(RequestSpans.create(sdk).isNoop()).isFalse();

    RequestSpan span = none.passThrough(INCOMING);
    span.end(503, "UF");

    // What is injected downstream is the caller's span context, as a no-op tracer's span carries.
    assertThat(Span.fromContext(span.context()).getSpanContext().getTraceId()).isEqualTo(TRACE);
    assertThat(Span.fromContext(span.context()).getSpanContext().getSpanId())
        .isEqualTo("00f067aa0ba902b7");
    assertThat(none.passThrough(Context.root()).context()).isSameAs(Context.root());
    assertThat(exporter.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void aServerSpanContinuesTheIncomingTrace() {
    RequestSpan span = RequestSpans.create(sdk).startServer(INCOMING, REQUEST);
    span.end(200, "-");

    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertThat(spans).hasSize(1);
    SpanData s = spans.get(0);
    assertThat(s.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(s.getName()).isEqualTo("reviews.bookinfo.svc.cluster.local:9080/*");
    assertThat(s.getTraceId()).isEqualTo(TRACE);
    assertThat(s.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(s.getAttributes().get(RequestSpans.METHOD)).isEqualTo("GET");
    assertThat(s.getAttributes().get(RequestSpans.URL_PATH)).isEqualTo("/reviews/0");
    assertThat(s.getAttributes().get(RequestSpans.PROTOCOL)).isEqualTo("1.1");
    assertThat(s.getAttributes().get(RequestSpans.STATUS_CODE)).isEqualTo(200L);
    assertThat(s.getAttributes().get(RequestSpans.REQUEST_ID))
        .isEqualTo("84961386-6d84-929d-98bd-c5aee93b5c88");
    assertThat(s.getAttributes().get(RequestSpans.RESPONSE_FLAGS)).isNull();
    assertThat(s.getAttributes().get(RequestSpans.UPSTREAM_CLUSTER)).isNull();
    assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void aClientSpanIsTheParentOfWhatIsInjected() {
    RequestSpan span = RequestSpans.create(sdk).startClient(INCOMING, REQUEST);
    Map<String, String> headers = new HashMap<>();
    TracePropagation.defaults().inject(span.context(), headers, TracePropagationTest.SETTER);
    span.end(404, "NR");

    SpanData s = exporter.getFinishedSpanItems().get(0);
    assertThat(s.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(headers.get("traceparent")).isEqualTo("00-" + TRACE + "-" + s.getSpanId() + "-01");
    assertThat(s.getAttributes().get(RequestSpans.UPSTREAM_CLUSTER))
        .isEqualTo("outbound|9080||reviews.bookinfo.svc.cluster.local");
    assertThat(s.getAttributes().get(RequestSpans.RESPONSE_FLAGS)).isEqualTo("NR");
    assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR); // 4xx: client error
  }

  @Test
  void errorStatusFollowsTheSide() {
    RequestSpans spans = RequestSpans.create(sdk);
    spans.startServer(INCOMING, REQUEST).end(404, null);
    spans.startServer(INCOMING, REQUEST).end(503, "UF");
    spans.startServer(INCOMING, REQUEST).end(0, "DC");
    List<StatusCode> statuses =
        exporter.getFinishedSpanItems().stream().map(s -> s.getStatus().getStatusCode()).toList();
    assertThat(statuses).containsExactly(StatusCode.UNSET, StatusCode.ERROR, StatusCode.ERROR);
  }

  @Test
  void withoutAnSdkTheTraceStillPassesThrough() {
    RequestSpan span = RequestSpans.create(OpenTelemetry.noop()).startClient(INCOMING, REQUEST);
    Map<String, String> headers = new HashMap<>();
    TracePropagation.defaults().inject(span.context(), headers, TracePropagationTest.SETTER);
    span.end(200, null);
    assertThat(span.span().isRecording()).isFalse();
    assertThat(headers.get("traceparent")).isEqualTo("00-" + TRACE + "-00f067aa0ba902b7-01");
  }
}
