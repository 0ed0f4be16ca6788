package io.meshagent.core.internal.telemetry.tracing;

import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static java.util.Objects.requireNonNull;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * Starts the server span of an inbound request and the client span of an outbound one through the
 * OpenTelemetry API. Attribute names are OpenTelemetry's HTTP conventions plus the tags Envoy adds
 * to Istio's spans ({@code upstream_cluster}, {@code response_flags}, {@code guid:x-request-id}).
 * Without an SDK ({@link OpenTelemetry#noop()}) the spans do nothing, but a child still carries its
 * parent's context, so the trace continues through the agent.
 *
 * <p>The OpenTelemetry instance is given, never looked up globally: in the API versions Spring Boot
 * 3.5 and Quarkus 3.30 pin (1.49, 1.55), {@code GlobalOpenTelemetry.get()} installs a no-op when
 * nothing is set yet, and the application's later {@code set} then fails.
 */
public final class RequestSpans {
  /** The instrumentation scope of the spans. */
  public static final String SCOPE = "io.meshagent";

  static final AttributeKey<String> METHOD = stringKey("http.request.method");
  static final AttributeKey<String> SERVER_ADDRESS = stringKey("server.address");
  static final AttributeKey<String> URL_PATH = stringKey("url.path");
  static final AttributeKey<String> PROTOCOL = stringKey("network.protocol.version");
  static final AttributeKey<Long> STATUS_CODE = longKey("http.response.status_code");
  static final AttributeKey<String> REQUEST_ID = stringKey("guid:x-request-id");
  static final AttributeKey<String> UPSTREAM_CLUSTER = stringKey("upstream_cluster");
  static final AttributeKey<String> RESPONSE_FLAGS = stringKey("response_flags");

  private final Tracer tracer;

  private final boolean noop;

  private RequestSpans(Tracer tracer, boolean noop) {
    this.tracer = tracer;
    this.noop = noop;
  }

  /** Spans through {@code openTelemetry}; {@link OpenTelemetry#noop()} for none. */
  public static RequestSpans create(OpenTelemetry openTelemetry) {
    requireNonNull(openTelemetry, "openTelemetry");
    return new RequestSpans(openTelemetry.getTracer(SCOPE), openTelemetry == OpenTelemetry.noop());
  }

  /**
   * Whether spans are not recorded ({@link OpenTelemetry#noop()}, the default): then {@link
   * #passThrough} stands for starting one, without building its attributes.
   */
  public boolean isNoop() {
    return noop;
  }

  /**
   * A span that records nothing and carries {@code parent} on: what a no-op tracer's span amounts
   * to (its context is the parent's span context), without allocating one per request.
   */
  public RequestSpan passThrough(Context parent) {
    requireNonNull(parent, "parent");
    return parent == Context.root() ? ROOT : new RequestSpan(Span.getInvalid(), parent, 500);
  }

  private static final RequestSpan ROOT = new RequestSpan(Span.getInvalid(), Context.root(), 500);

  /** Starts the server span of an inbound request whose extracted context is {@code parent}. */
  public RequestSpan startServer(Context parent, SpanRequest request) {
    Span span = builder(SpanKind.SERVER, parent, request).startSpan();
    return new RequestSpan(span, parent.with(span), 500);
  }

  /**
   * Starts the client span of an outbound request; {@code parent} is the application's current
   * context. Inject {@link RequestSpan#context()} into the request's headers.
   */
  public RequestSpan startClient(Context parent, SpanRequest request) {
    SpanBuilder b = builder(SpanKind.CLIENT, parent, request);
    if (request.upstreamCluster() != null) {
      b.setAttribute(UPSTREAM_CLUSTER, request.upstreamCluster());
    }
    Span span = b.startSpan();
    // OpenTelemetry's HTTP conventions: 4xx is the client's error, not the server's.
    return new RequestSpan(span, parent.with(span), 400);
  }

  private SpanBuilder builder(SpanKind kind, Context parent, SpanRequest r) {
    requireNonNull(parent, "parent");
    requireNonNull(r, "request");
    SpanBuilder b =
        tracer
            .spanBuilder(r.operation())
            .setSpanKind(kind)
            .setParent(parent)
            .setAttribute(METHOD, r.method())
            .setAttribute(SERVER_ADDRESS, r.authority())
            .setAttribute(URL_PATH, path(r.path()))
            .setAttribute(PROTOCOL, protocolVersion(r.protocol()));
    if (r.requestId() != null) {
      b.setAttribute(REQUEST_ID, r.requestId());
    }
    return b;
  }

  /** {@code url.path} excludes the query, which may hold secrets. */
  private static String path(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  /** {@code HTTP/1.1} → {@code 1.1}: the conventions' form. */
  private static String protocolVersion(String protocol) {
    return protocol.startsWith("HTTP/") ? protocol.substring(5) : protocol;
  }
}
