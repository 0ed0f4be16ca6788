package io.meshagent.core.internal.telemetry.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** W3C and B3 in, configured formats out. */
class TracePropagationTest {
  /** Exact-case lookups: the propagation must ask for lower-case names. */
  static final TextMapGetter<Map<String, String>> GETTER =
      (carrier, key) -> carrier == null ? null : carrier.get(key);

  static final TextMapSetter<Map<String, String>> SETTER = Map::put;

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  private static SpanContext extracted(Map<String, String> headers) {
    return Span.fromContext(TracePropagation.defaults().extract(Context.root(), headers, GETTER))
        .getSpanContext();
  }

  @Test
  void readsW3c() {
    SpanContext c =
        extracted(
            Map.of("traceparent", "00-" + TRACE + "-" + SPAN + "-01", "tracestate", "vendor=x"));
    assertThat(c.getTraceId()).isEqualTo(TRACE);
    assertThat(c.getSpanId()).isEqualTo(SPAN);
    assertThat(c.isSampled()).isTrue();
    assertThat(c.isRemote()).isTrue();
    assertThat(c.getTraceState().get("vendor")).isEqualTo("x");
  }

  @Test
  void readsB3MultiAndSingle() {
    SpanContext multi =
        extracted(Map.of("x-b3-traceid", TRACE, "x-b3-spanid", SPAN, "x-b3-sampled", "1"));
    assertThat(multi.getTraceId()).isEqualTo(TRACE);
    assertThat(multi.isSampled()).isTrue();
    SpanContext single = extracted(Map.of("b3", TRACE + "-" + SPAN + "-0"));
    assertThat(single.getSpanId()).isEqualTo(SPAN);
    assertThat(single.isSampled()).isFalse();
  }

  @Test
  void w3cWinsOverB3() {
    String otherTrace = "0af7651916cd43dd8448eb211c80319c";
    SpanContext c =
        extracted(
            Map.of(
                "traceparent",
                "00-" + TRACE + "-" + SPAN + "-01",
                "x-b3-traceid",
                otherTrace,
                "x-b3-spanid",
                SPAN,
                "x-b3-sampled",
                "1"));
    assertThat(c.getTraceId()).isEqualTo(TRACE);
  }

  @Test
  void nothingToReadIsNoSpan() {
    assertThat(extracted(Map.of("x-request-id", "abc")).isValid()).isFalse();
  }

  @Test
  void writesTheConfiguredFormats() {
    Context ctx =
        Context.root()
            .with(
                Span.wrap(
                    SpanContext.create(
                        TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault())));
    Map<String, String> defaults = new HashMap<>();
    TracePropagation.defaults().inject(ctx, defaults, SETTER);
    assertThat(defaults)
        .containsEntry("traceparent", "00-" + TRACE + "-" + SPAN + "-01")
        .containsEntry("x-b3-traceid", TRACE)
        .containsEntry("x-b3-spanid", SPAN)
        .containsEntry("x-b3-sampled", "1")
        .doesNotContainKey("b3");

    Map<String, String> single = new HashMap<>();
    TracePropagation.of(Set.of(TraceFormat.B3_SINGLE)).inject(ctx, single, SETTER);
    assertThat(single).containsOnly(Map.entry("b3", TRACE + "-" + SPAN + "-1"));

    Map<String, String> none = new HashMap<>();
    TracePropagation readOnly = TracePropagation.of(EnumSet.noneOf(TraceFormat.class));
    readOnly.inject(ctx, none, SETTER);
    assertThat(none).isEmpty();
    assertThat(readOnly.fields()).isEmpty();
  }

  @Test
  void neverWritesBaggage() {
    assertThat(TracePropagation.of(EnumSet.allOf(TraceFormat.class)).fields())
        .doesNotContain("baggage")
        .contains("traceparent", "tracestate", "b3", "x-b3-traceid");
  }
}
