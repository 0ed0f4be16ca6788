package io.meshagent.core.internal.telemetry.peer;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Istio's HTTP metadata exchange between sidecars (istio/proxy {@code
 * source/extensions/filters/http/peer_metadata}): {@value #METADATA} is the base64 of a serialized
 * {@code google.protobuf.Struct} holding the sender's workload metadata ({@link MetadataStruct}),
 * {@value #METADATA_ID} the sender's node id, which receivers use as a cache key for the value.
 * Sidecars send both on requests and responses of in-mesh traffic and strip them from the peer.
 */
public final class PeerMetadataHeaders {
  /** The metadata header. */
  public static final String METADATA = "x-envoy-peer-metadata";

  /** The node-id header. */
  public static final String METADATA_ID = "x-envoy-peer-metadata-id";

  private PeerMetadataHeaders() {}

  /**
   * The {@value #METADATA} value for {@code workload}: standard base64, padded, of the Struct
   * serialized deterministically (map keys sorted), so one workload always sends the same bytes.
   */
  public static String encode(WorkloadMetadata workload) {
    Struct s = MetadataStruct.toStruct(requireNonNull(workload, "workload"));
    return Base64.getEncoder().encodeToString(MetadataStruct.deterministic(s));
  }

  /**
   * The workload a {@value #METADATA} value describes, or null when it is empty, not base64 or not
   * a serialized Struct: like Envoy, a request with unreadable metadata has an unknown peer rather
   * than failing. Padding is optional, as Envoy's decoder accepts both.
   */
  public static @Nullable WorkloadMetadata decode(String value) {
    requireNonNull(value, "value");
    String v = value.trim();
    if (v.isEmpty()) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(v);
    } catch (IllegalArgumentException e) {
      return null;
    }
    try {
      return MetadataStruct.fromStruct(Struct.parseFrom(bytes), null);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}
