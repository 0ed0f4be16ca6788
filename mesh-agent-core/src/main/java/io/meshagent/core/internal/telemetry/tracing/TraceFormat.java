package io.meshagent.core.internal.telemetry.tracing;

/** A way trace context travels in HTTP headers. */
public enum TraceFormat {
  /** W3C Trace Context: {@code traceparent} and {@code tracestate}. */
  W3C,
  /** Zipkin's single {@code b3} header. */
  B3_SINGLE,
  /**
   * Zipkin's {@code x-b3-traceid}, {@code x-b3-spanid}, {@code x-b3-sampled} headers: what Envoy's
   * Zipkin tracer, Istio's default, sends.
   */
  B3_MULTI
}
