package io.meshagent.core.internal.telemetry.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Istio's TCP metadata exchange frame: what a sidecar writes, and what the agent writes. */
class TcpMetadataExchangeTest {

  /** A sidecar's frame body as its filter builds it: an Any of a Struct with both keys. */
  private static byte[] sidecarBody() throws Exception {
    Struct node =
        Struct.parseFrom(Base64.getDecoder().decode(PeerMetadataHeadersTest.SIDECAR_REVIEWS_V2));
    Struct data =
        Struct.newBuilder()
            .putFields("x-envoy-peer-metadata", Value.newBuilder().setStructValue(node).build())
            .putFields(
                "x-envoy-peer-metadata-id",
                Value.newBuilder()
                    .setStringValue(
                        "sidecar~10.244.1.17~reviews-v2-7d8b6b7c9f-x5v2q.bookinfo~"
                            + "bookinfo.svc.cluster.local")
                    .build())
            .build();
    return Any.newBuilder()
        .setTypeUrl("type.googleapis.com/google.protobuf.Struct")
        .setValue(data.toByteString())
        .build()
        .toByteArray();
  }

  @Test
  void readsASidecarsFrame() throws Exception {
    assertThat(TcpMetadataExchange.parse(sidecarBody()))
        .isEqualTo(PeerMetadataHeadersTest.REVIEWS_V2);
  }

  @Test
  void writesTheMagicTheLengthAndAnAnyOfTheStruct() throws Exception {
    byte[] frame = TcpMetadataExchange.frame(PeerMetadataHeadersTest.REVIEWS_V2, "node-id");
    ByteBuffer b = ByteBuffer.wrap(frame);
    assertThat(b.getInt()).isEqualTo(0x3D230467);
    assertThat(b.getInt()).isEqualTo(frame.length - TcpMetadataExchange.HEADER_BYTES);
    Any any = Any.parseFrom(Arrays.copyOfRange(frame, 8, frame.length));
    assertThat(any.getTypeUrl()).isEqualTo("type.googleapis.com/google.protobuf.Struct");
    Struct data = Struct.parseFrom(any.getValue());
    assertThat(data.getFieldsMap().get("x-envoy-peer-metadata-id").getStringValue())
        .isEqualTo("node-id");
    // The same Struct the HTTP exchange sends in x-envoy-peer-metadata.
    assertThat(data.getFieldsMap().get("x-envoy-peer-metadata").getStructValue())
        .isEqualTo(
            Struct.parseFrom(
                Base64.getDecoder()
                    .decode(PeerMetadataHeaders.encode(PeerMetadataHeadersTest.REVIEWS_V2))));
    assertThat(TcpMetadataExchange.parse(Arrays.copyOfRange(frame, 8, frame.length)))
        .isEqualTo(PeerMetadataHeadersTest.REVIEWS_V2);
  }

  @Test
  void anUnreadableBodyLeavesThePeerUnknown() {
    assertThat(TcpMetadataExchange.parse(new byte[] {1, 2, 3, 4})).isNull();
    assertThat(
            TcpMetadataExchange.parse(
                Any.newBuilder()
                    .setTypeUrl("type.googleapis.com/google.protobuf.Duration")
                    .build()
                    .toByteArray()))
        .isNull();
    assertThat(
            TcpMetadataExchange.parse(
                Any.newBuilder()
                    .setTypeUrl("type.googleapis.com/google.protobuf.Struct")
                    .setValue(Struct.getDefaultInstance().toByteString())
                    .build()
                    .toByteArray()))
        .isNull();
  }
}
