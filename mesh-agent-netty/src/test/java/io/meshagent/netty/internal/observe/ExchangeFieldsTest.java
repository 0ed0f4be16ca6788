package io.meshagent.netty.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.peer.LocalPeerMetadata;
import io.meshagent.netty.internal.outbound.Http2Messages;
import io.meshagent.netty.internal.outbound.HttpMessages;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The metadata-exchange fields at the codec: the encoders put ours on every message in place of any
 * the app set; the decoders note the peer's (and baggage, request id, trace headers) and keep them
 * from the app.
 */
class ExchangeFieldsTest {
  private static final String ID = "x-envoy-peer-metadata-id";
  private static final String METADATA = "x-envoy-peer-metadata";

  private final LocalPeerMetadata me =
      new LocalPeerMetadata(
          WorkloadMetadata.UNKNOWN,
          "sidecar~10.0.0.1~reviews-v1.bookinfo~bookinfo.svc.cluster.local",
          "CgsKA...ours",
          "k8s.namespace.name=bookinfo");
  private final OwnFields own = new OwnFields(me);

  private static MeshHttpRequest forged() {
    return MeshHttpRequest.builder("GET", "reviews:9080", "/")
        .header(METADATA, "forged")
        .header(ID, "forged-id")
        .header("x-a", "1")
        .build();
  }

  @Test
  void encodersPutOursInPlaceOfTheAppsOnRequestsAndResponses() {
    Http2Headers request = Http2Messages.requestHeaders(forged(), own);
    Http2Headers response =
        Http2Messages.responseHeaders(
            new MeshHttpResponse(200, List.of(new HttpHeader(METADATA, "forged")), new byte[0]),
            own);
    FullHttpRequest http1 = HttpMessages.toNetty(forged(), own);

    for (Http2Headers h : List.of(request, response)) {
      assertThat(h.getAll(METADATA))
          .extracting(CharSequence::toString)
          .containsExactly("CgsKA...ours");
      assertThat(h.getAll(ID))
          .extracting(CharSequence::toString)
          .containsExactly("sidecar~10.0.0.1~reviews-v1.bookinfo~bookinfo.svc.cluster.local");
    }
    assertThat(request.get("x-a").toString()).isEqualTo("1");
    assertThat(http1.headers().getAll(METADATA)).containsExactly("CgsKA...ours");
    assertThat(http1.headers().getAll(ID)).hasSize(1);
    http1.release();
  }

  @Test
  void withTelemetryOffTheAppsFieldsGoAsTheyAre() {
    Http2Headers h = Http2Messages.requestHeaders(forged(), null);
    assertThat(h.get(METADATA).toString()).isEqualTo("forged");
    assertThat(h.get(ID).toString()).isEqualTo("forged-id");
  }

  @Test
  void decoderNotesThePeersFieldsAndKeepsTheExchangeOnesFromTheApp() {
    Http2Headers h = new DefaultHttp2Headers().method("POST").path("/").authority("reviews:9080");
    h.add(ID, "sidecar~10.0.0.2~productpage");
    h.add(METADATA, "CgsKA...theirs");
    h.add("baggage", "k8s.namespace.name=bookinfo");
    h.add("x-request-id", "r-1");
    h.add("x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7");
    h.add("x-a", "1");
    ReceivedFields noted = new ReceivedFields();

    MeshHttpRequest r = Http2Messages.request(h, new byte[3], noted);

    assertThat(r.headers())
        .extracting(HttpHeader::name)
        .containsExactly("baggage", "x-request-id", "x-b3-traceid", "x-a", "content-length");
    assertThat(noted.metadata).isEqualTo("CgsKA...theirs");
    assertThat(noted.baggage).isEqualTo("k8s.namespace.name=bookinfo");
    assertThat(noted.requestId).isEqualTo("r-1");
    assertThat(noted.traced).isTrue();
    // Their size still counts in istio_request_bytes: name, value, ": " and CRLF each.
    assertThat(noted.exchangeBytes)
        .isEqualTo(
            ID.length()
                + "sidecar~10.0.0.2~productpage".length()
                + 4
                + METADATA.length()
                + "CgsKA...theirs".length()
                + 4);
  }

  @Test
  void responsesAreReadTheSameWay() {
    Http2Headers h = new DefaultHttp2Headers().status("200");
    h.add(METADATA, "CgsKA...theirs");
    h.add("x-a", "1");
    ReceivedFields noted = new ReceivedFields();

    MeshHttpResponse r = Http2Messages.response(h, new byte[0], noted);

    assertThat(r.header(METADATA)).isNull();
    assertThat(r.header("x-a")).isEqualTo("1");
    assertThat(noted.metadata).isEqualTo("CgsKA...theirs");
    assertThat(noted.traced).isFalse();
  }

  @Test
  void anHttp1MessagesFieldsAreReadTheSameWayFromItsList() {
    ReceivedFields noted =
        ReceivedFields.of(
            List.of(
                new HttpHeader(ID, "i"),
                new HttpHeader(METADATA, "m"),
                new HttpHeader("content-type", "application/grpc"),
                new HttpHeader("grpc-status", "14"),
                new HttpHeader(
                    "traceparent", "00-80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-01")));

    assertThat(noted.metadata).isEqualTo("m");
    assertThat(noted.contentType).isEqualTo("application/grpc");
    assertThat(noted.grpcStatus).isEqualTo("14");
    assertThat(noted.traced).isTrue();
    assertThat(noted.exchangeBytes).isEqualTo(ID.length() + 1 + 4 + METADATA.length() + 1 + 4);
  }

  @Test
  void withTelemetryOffTheInboundSideLeavesTheFieldsToTheApp() {
    Telemetry off =
        Telemetry.disabled(
            io.meshagent.core.internal.telemetry.metrics.IstioMetrics.create(),
            () -> me,
            io.meshagent.core.internal.telemetry.accesslog.AccessLog.create(false));
    MeshHttpRequest r = forged();

    MeshHttpRequest seen =
        off.inbound(r, new io.meshagent.traffic.InboundContext(null, "10.0.0.1:4000", "plaintext"))
            .request();

    assertThat(off.ownFields()).isNull();
    assertThat(seen.header(METADATA)).isEqualTo("forged");
    assertThat(seen.header(ID)).isEqualTo("forged-id");
    off.close();
  }

  @Test
  void exchangeFieldNamesAreRecognisedExactly() {
    assertThat(OwnFields.isExchangeField(METADATA)).isTrue();
    assertThat(OwnFields.isExchangeField(ID)).isTrue();
    assertThat(OwnFields.isExchangeField("x-envoy-peer-metadata-idx")).isFalse();
    assertThat(OwnFields.isExchangeField("x-envoy-peer")).isFalse();
  }
}
