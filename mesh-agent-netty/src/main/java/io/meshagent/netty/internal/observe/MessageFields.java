package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.telemetry.metrics.RequestProtocol;
import io.meshagent.core.internal.telemetry.tracing.SpanRequest;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.MeshHttpRequest;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What telemetry reads off a message, without state: sizes as Istio counts them, the protocol and
 * gRPC status labels, the span's view of a request, and the header-list edits around the exchange
 * fields and trace context.
 */
final class MessageFields {
  private MessageFields() {}

  /** Reads a request's headers for the trace propagators. */
  static final TextMapGetter<MeshHttpRequest> GETTER =
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

  /** Sets {@code name} (lower-cased) to {@code value} in a mutable header list, once. */
  static void replace(@Nullable List<HttpHeader> headers, String name, String value) {
    if (headers != null) {
      String n = name.toLowerCase(java.util.Locale.ROOT);
      headers.removeIf(h -> h.name().equals(n));
      headers.add(new HttpHeader(n, value));
    }
  }

  /** {@code headers} without the metadata-exchange fields; the same list when it has none. */
  static List<HttpHeader> withoutPeerHeaders(List<HttpHeader> headers) {
    boolean any = false;
    for (HttpHeader h : headers) {
      any |= OwnFields.isExchangeField(h.name());
    }
    if (!any) {
      return headers;
    }
    List<HttpHeader> out = new ArrayList<>(headers.size());
    for (HttpHeader h : headers) {
      if (!OwnFields.isExchangeField(h.name())) {
        out.add(h);
      }
    }
    return out;
  }

  /** The protocol label of a request with this {@code content-type}. */
  static RequestProtocol protocol(@Nullable String ct) {
    return ct != null && ct.startsWith("application/grpc")
        ? RequestProtocol.GRPC
        : RequestProtocol.HTTP;
  }

  /** What a span records of {@code r}. */
  static SpanRequest spanRequest(
      MeshHttpRequest r, @Nullable String requestId, @Nullable String cluster) {
    return new SpanRequest(
        r.authority(), r.method(), r.authority(), r.path(), protocolName(r), requestId, cluster);
  }

  /** The protocol as access logs and spans name it. */
  static String protocolName(MeshHttpRequest r) {
    return r.protocol() == HttpProtocol.HTTP_2 ? "HTTP/2" : "HTTP/1.1";
  }

  /** The {@code grpc_response_status} of a response with this {@code grpc-status}, or -1. */
  static int grpcStatus(@Nullable String s) {
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
  static long size(List<HttpHeader> headers, int body) {
    long n = body;
    for (int i = 0, k = headers.size(); i < k; i++) { // the API's lists are random-access
      HttpHeader h = headers.get(i);
      n += fieldSize(h.name(), h.value());
    }
    return n;
  }

  /** A field's bytes as {@link #size} counts them: {@code name: value} and CRLF. */
  static long fieldSize(CharSequence name, CharSequence value) {
    return name.length() + value.length() + 4L;
  }
}
