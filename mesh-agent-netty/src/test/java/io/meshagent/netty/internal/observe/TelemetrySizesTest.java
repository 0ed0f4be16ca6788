package io.meshagent.netty.internal.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.internal.telemetry.peer.PeerMetadataHeaders;
import io.meshagent.identity.SpiffeId;
import io.meshagent.traffic.HttpHeader;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code istio_request_bytes} and {@code istio_response_bytes} as Envoy's downstream meter counts
 * them: on the client side what the app sent and is given (neither side's exchange fields), on the
 * server side what the caller sent and is sent (both sides' exchange fields). Sizes are HTTP/1.1's
 * framing of a field, {@code name: value\r\n}.
 */
class TelemetrySizesTest {
  private static final String METADATA = "CgsKA...theirs";

  private static long field(String name, String value) {
    return name.length() + value.length() + 4;
  }

  /** The histogram's sum over the reporter's one series. */
  private static double sum(Telemetry t, String metric, String reporter) {
    return t.prometheusText()
        .lines()
        .filter(l -> l.startsWith(metric + "_sum{") && l.contains("reporter=\"" + reporter + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void theClientSideCountsWhatTheAppSentAndIsGiven() {
    Telemetry t = TelemetryServiceLabelsTest.telemetry(Map.of());
    MeshHttpRequest request =
        MeshHttpRequest.builder("POST", "ratings:9080", "/r")
            .header("x-a", "1")
            .body(new byte[3])
            .build();
    // An HTTP/1.1 response: the peer's exchange field is still in its list.
    MeshHttpResponse response =
        new MeshHttpResponse(
                200,
                List.of(
                    new HttpHeader("x-b", "22"),
                    new HttpHeader(PeerMetadataHeaders.METADATA, METADATA)),
                new byte[5])
            .withUpstream(null, "outbound|9080||ratings", "10.0.0.3:9080", 1, "");

    MeshHttpResponse given = t.outbound(request, "outbound|9080||ratings").finish(response);

    assertThat(given.header(PeerMetadataHeaders.METADATA)).isNull();
    assertThat(sum(t, "istio_request_bytes", "source")).isEqualTo(field("x-a", "1") + 3);
    assertThat(sum(t, "istio_response_bytes", "source")).isEqualTo(field("x-b", "22") + 5);
  }

  @Test
  void theServerSideCountsBothSidesExchangeFields() {
    Telemetry t = TelemetryServiceLabelsTest.telemetry(Map.of());
    MeshHttpRequest request =
        MeshHttpRequest.builder("GET", "reviews:9080", "/r")
            .header("x-a", "1")
            .header(PeerMetadataHeaders.METADATA, METADATA)
            .build();
    InboundContext from =
        new InboundContext(
            SpiffeId.ofIstio("cluster.local", "bookinfo", "productpage"), "10.0.0.1:4000", "mtls");

    Telemetry.Inbound in = t.inbound(request, from);
    in.finish(new MeshHttpResponse(200, List.of(new HttpHeader("x-b", "22")), new byte[5]), "");

    assertThat(in.request().header(PeerMetadataHeaders.METADATA)).isNull();
    assertThat(sum(t, "istio_request_bytes", "destination"))
        .isEqualTo(field("x-a", "1") + field(PeerMetadataHeaders.METADATA, METADATA));
    assertThat(sum(t, "istio_response_bytes", "destination"))
        .isEqualTo(field("x-b", "22") + 5 + t.ownFields().size());
  }
}
