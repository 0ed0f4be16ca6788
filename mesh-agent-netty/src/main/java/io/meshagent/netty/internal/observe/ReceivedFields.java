package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.telemetry.peer.PeerBaggage;
import io.meshagent.core.internal.telemetry.peer.PeerMetadataHeaders;
import io.meshagent.traffic.HttpHeader;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What telemetry reads of a received message's fields, noted while the decoder walks them: the
 * peer's metadata-exchange fields (kept from the app's view, as Envoy's filter removes them),
 * {@code baggage}, {@code x-request-id}, {@code content-type}, {@code grpc-status}, and whether any
 * trace header came. The message then needs no second scan, and no copy of its header list to drop
 * the exchange fields.
 */
public final class ReceivedFields {
  @Nullable String metadata;
  @Nullable String baggage;
  @Nullable String requestId;
  @Nullable String contentType;
  @Nullable String grpcStatus;
  boolean traced;
  // The exchange fields' share of the request's size, which istio_request_bytes includes.
  long exchangeBytes;

  /**
   * Notes one field of the request.
   *
   * @return true for a metadata-exchange field, which the app must not see
   */
  public boolean note(String name, String value) {
    switch (name) {
      case PeerMetadataHeaders.METADATA -> {
        if (metadata == null) {
          metadata = value;
        }
        exchangeBytes += MessageFields.fieldSize(name, value);
        return true;
      }
      case PeerMetadataHeaders.METADATA_ID -> {
        exchangeBytes += MessageFields.fieldSize(name, value);
        return true;
      }
      case PeerBaggage.HEADER -> {
        if (baggage == null) {
          baggage = value;
        }
      }
      case "x-request-id" -> {
        if (requestId == null) {
          requestId = value;
        }
      }
      case "content-type" -> {
        if (contentType == null) {
          contentType = value;
        }
      }
      case "grpc-status" -> {
        if (grpcStatus == null) {
          grpcStatus = value;
        }
      }
      case "traceparent", "b3" -> traced = true;
      default -> traced |= isTraceField(name);
    }
    return false;
  }

  /**
   * Whether {@code name} carries trace context (W3C {@code traceparent}, B3 single or multi):
   * without any such field, extraction finds none, so it need not run.
   */
  static boolean isTraceField(String name) {
    return name.equals("traceparent") || name.equals("b3") || name.startsWith("x-b3-");
  }

  /** Whether any of {@code headers} carries trace context. */
  static boolean anyTraceField(List<HttpHeader> headers) {
    for (HttpHeader h : headers) {
      if (isTraceField(h.name())) {
        return true;
      }
    }
    return false;
  }

  /** The fields of a message whose header list still has everything (the HTTP/1 path). */
  static ReceivedFields of(List<HttpHeader> headers) {
    ReceivedFields f = new ReceivedFields();
    for (HttpHeader h : headers) {
      f.note(h.name(), h.value());
    }
    return f;
  }
}
