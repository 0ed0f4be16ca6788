package io.meshagent.core.internal.telemetry.peer;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Istio's TCP metadata exchange between sidecars (istio/proxy {@code
 * source/extensions/filters/network/metadata_exchange}), in-band on mTLS connections whose ALPN is
 * {@value #ALPN}: each side writes, before any byte of its own, a frame of {@value #MAGIC_HEX} and
 * the length of what follows (both 4 bytes, network order), then a {@code google.protobuf.Any}
 * holding a {@code Struct} with {@code x-envoy-peer-metadata} (the sender's workload Struct, as the
 * HTTP exchange carries it) and {@code x-envoy-peer-metadata-id} (its node id). Each side takes the
 * peer's frame off the stream before the app sees a byte; bytes that do not start with the magic
 * are the app's, and the peer's metadata is unknown.
 */
public final class TcpMetadataExchange {
  /** The ALPN under which both sides exchange. */
  public static final String ALPN = "istio-peer-exchange";

  /** The frame's first four bytes. */
  public static final int MAGIC = 0x3D230467;

  static final String MAGIC_HEX = "0x3D230467";

  /** The magic and the length. */
  public static final int HEADER_BYTES = 8;

  /**
   * The largest frame body accepted. A sidecar's is a few hundred bytes; a larger length is taken
   * for an attack on memory and ends the connection.
   */
  public static final int MAX_BODY_BYTES = 64 * 1024;

  private static final String STRUCT_TYPE_URL = "type.googleapis.com/google.protobuf.Struct";

  private TcpMetadataExchange() {}

  /** The whole frame announcing {@code workload} with node id {@code metadataId}. */
  public static byte[] frame(WorkloadMetadata workload, String metadataId) {
    requireNonNull(workload, "workload");
    requireNonNull(metadataId, "metadataId");
    Struct.Builder data =
        Struct.newBuilder()
            .putFields(
                PeerMetadataHeaders.METADATA,
                Value.newBuilder().setStructValue(MetadataStruct.toStruct(workload)).build());
    if (!metadataId.isEmpty()) {
      data.putFields(
          PeerMetadataHeaders.METADATA_ID, Value.newBuilder().setStringValue(metadataId).build());
    }
    Any any =
        Any.newBuilder()
            .setTypeUrl(STRUCT_TYPE_URL)
            .setValue(ByteString.copyFrom(MetadataStruct.deterministic(data.build())))
            .build();
    byte[] body = MetadataStruct.deterministic(any);
    return ByteBuffer.allocate(HEADER_BYTES + body.length)
        .putInt(MAGIC)
        .putInt(body.length)
        .put(body)
        .array();
  }

  /**
   * The workload a frame body (the {@code Any}) describes, or null when it is not a Struct or has
   * no metadata: like Envoy, an unreadable frame leaves the peer unknown.
   */
  public static @Nullable WorkloadMetadata parse(byte[] body) {
    requireNonNull(body, "body");
    try {
      Any any = Any.parseFrom(body);
      if (!any.getTypeUrl().endsWith("/google.protobuf.Struct")) {
        return null;
      }
      Value metadata =
          Struct.parseFrom(any.getValue()).getFieldsMap().get(PeerMetadataHeaders.METADATA);
      if (metadata == null || !metadata.hasStructValue()) {
        return null;
      }
      return MetadataStruct.fromStruct(metadata.getStructValue(), null);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}
