package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.telemetry.peer.LocalPeerMetadata;
import io.meshagent.core.internal.telemetry.peer.PeerMetadataHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * This workload's metadata-exchange fields, {@code x-envoy-peer-metadata-id} and {@code
 * x-envoy-peer-metadata}, made once and added to each message as it is encoded, as Envoy's filter
 * adds them to its header map. They used to be added to the API's message: a copy of its header
 * list per message, and two more fields to convert, check and hash, were most of what telemetry
 * cost a request (issue 7's profile). The same {@link AsciiString}s every time let HPACK find them
 * in its table by identity. The encoders leave out fields of these names that the app set.
 */
public final class OwnFields {
  private static final AsciiString ID_NAME = AsciiString.cached(PeerMetadataHeaders.METADATA_ID);
  private static final AsciiString METADATA_NAME = AsciiString.cached(PeerMetadataHeaders.METADATA);

  private final AsciiString id;
  private final AsciiString metadata;
  private final long size;

  OwnFields(LocalPeerMetadata from) {
    this.id = new AsciiString(from.metadataId());
    this.metadata = new AsciiString(from.metadata());
    this.size =
        MessageFields.fieldSize(ID_NAME, id) + MessageFields.fieldSize(METADATA_NAME, metadata);
  }

  /** Adds both fields to an HTTP/2 header block. */
  public void addTo(Http2Headers h) {
    h.add(ID_NAME, id);
    h.add(METADATA_NAME, metadata);
  }

  /** Adds both fields to an HTTP/1 message's headers. */
  public void addTo(HttpHeaders h) {
    h.add(ID_NAME, id);
    h.add(METADATA_NAME, metadata);
  }

  /** What they add to a message's size, as {@code istio_*_bytes} count it. */
  long size() {
    return size;
  }

  /** Whether a (lower-case) field name is one of the metadata-exchange fields. */
  public static boolean isExchangeField(String name) {
    return name.startsWith(PeerMetadataHeaders.METADATA)
        && (name.length() == PeerMetadataHeaders.METADATA.length()
            || name.equals(PeerMetadataHeaders.METADATA_ID));
  }
}
