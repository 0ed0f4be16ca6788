package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.telemetry.metrics.RequestProtocol;
import io.meshagent.core.internal.telemetry.metrics.RequestRecord;
import io.meshagent.core.internal.telemetry.tracing.SpanRequest;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
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

  private static final String GRPC = "application/grpc";

  /**
   * The protocol label of a request with this {@code content-type}: gRPC is exactly {@code
   * application/grpc} or starts with {@code application/grpc+} (Envoy's {@code
   * Grpc::Common::hasGrpcContentType}); gRPC-Web's {@code application/grpc-web} is HTTP.
   */
  static RequestProtocol protocol(@Nullable String ct) {
    boolean grpc =
        ct != null
            && ct.startsWith(GRPC)
            && (ct.length() == GRPC.length() || ct.charAt(GRPC.length()) == '+');
    return grpc ? RequestProtocol.GRPC : RequestProtocol.HTTP;
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

  /**
   * The {@code grpc_response_status} of a response, as Istio's stats filter finds it through
   * Envoy's {@code Grpc::Common::getGrpcStatus}: for a gRPC request only, the trailers' {@code
   * grpc-status}, else the header block's ({@code headerStatus}: a trailers-only response), else
   * the HTTP status mapped to gRPC's. An empty value counts as none; one that is no number or above
   * 16 is Envoy's invalid code. Not gRPC: {@link RequestRecord#NO_GRPC_STATUS}.
   */
  static int grpcStatus(
      RequestProtocol protocol, MeshHttpResponse r, @Nullable String headerStatus) {
    if (protocol != RequestProtocol.GRPC) {
      return RequestRecord.NO_GRPC_STATUS;
    }
    String s = r.trailers().isEmpty() ? null : r.trailer("grpc-status");
    if (s == null || s.isEmpty()) {
      s = headerStatus;
    }
    return s == null || s.isEmpty() ? fromHttp(r.status()) : parseStatus(s);
  }

  private static int parseStatus(String s) {
    try {
      int code = Integer.parseInt(s);
      return code >= 0 && code <= 16 ? code : RequestRecord.INVALID_GRPC_STATUS;
    } catch (NumberFormatException e) {
      return RequestRecord.INVALID_GRPC_STATUS;
    }
  }

  /** Envoy's {@code Grpc::Utility::httpToGrpcStatus}. */
  static int fromHttp(int status) {
    return switch (status) {
      case 400 -> 13; // INTERNAL
      case 401 -> 16; // UNAUTHENTICATED
      case 403 -> 7; // PERMISSION_DENIED
      case 404 -> 12; // UNIMPLEMENTED
      case 429, 502, 503, 504 -> 14; // UNAVAILABLE
      default -> 2; // UNKNOWN
    };
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
