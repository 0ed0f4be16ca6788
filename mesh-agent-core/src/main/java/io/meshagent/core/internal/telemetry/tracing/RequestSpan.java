package io.meshagent.core.internal.telemetry.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import org.jspecify.annotations.Nullable;

/** A started request span ({@link RequestSpans}) and the context that carries it. */
public final class RequestSpan {
  private final Span span;
  private final Context context;
  private final int errorFrom;

  private final boolean recording;

  RequestSpan(Span span, Context context, int errorFrom) {
    this.span = span;
    this.recording = span.isRecording();
    this.context = context;
    this.errorFrom = errorFrom;
  }

  /** The span. */
  public Span span() {
    return span;
  }

  /** The parent context with this span: what to inject downstream and to make current. */
  public Context context() {
    return context;
  }

  /**
   * Ends the span with the response: its status code, Envoy's response flags when there are any,
   * and error status from 5xx (server spans) or 4xx (client spans) on, or when no response was sent
   * (code 0).
   */
  public void end(int responseCode, @Nullable String responseFlags) {
    if (!recording) {
      return; // attributes, status and end are no-ops on a span that records nothing
    }
    if (responseCode > 0) {
      span.setAttribute(RequestSpans.STATUS_CODE, (long) responseCode);
    }
    if (responseFlags != null && !responseFlags.isEmpty() && !responseFlags.equals("-")) {
      span.setAttribute(RequestSpans.RESPONSE_FLAGS, responseFlags);
    }
    if (responseCode == 0 || responseCode >= errorFrom) {
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }
}
