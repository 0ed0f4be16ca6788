package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.cache.BoundedCache;
import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.peer.PeerBaggage;
import io.meshagent.core.internal.telemetry.peer.PeerMetadataHeaders;
import io.meshagent.identity.SpiffeId;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A peer's workload from what it sent — its {@code x-envoy-peer-metadata} header, or the {@code
 * baggage} of an HBONE CONNECT or 200 — and its verified identity. Peers send the same value on
 * every request, so decoded results are kept: decoding base64 and a protobuf Struct per request
 * would be most of telemetry's cost.
 */
final class PeerLookup {
  private static final int MAX_PEERS = 4096;

  private final Decoded headers =
      new Decoded(h -> h.isEmpty() ? null : PeerMetadataHeaders.decode(h));
  private final Decoded baggage = new Decoded(PeerBaggage::decode);

  /** The peer an {@code x-envoy-peer-metadata} value (or null: none came) describes. */
  WorkloadMetadata of(@Nullable String metadataHeader, @Nullable SpiffeId principal) {
    return headers.of(metadataHeader, principal);
  }

  /** The peer a {@code baggage} value describes. */
  WorkloadMetadata ofBaggage(String value, @Nullable SpiffeId principal) {
    return baggage.of(value, principal);
  }

  /** Decoded values of one kind, with the last one found by identity. */
  private static final class Decoded {
    private record Key(String value, @Nullable SpiffeId principal) {}

    private record Hit(
        @Nullable String value, @Nullable SpiffeId principal, WorkloadMetadata peer) {}

    private final Function<String, @Nullable WorkloadMetadata> decoder;
    private final BoundedCache<Key, WorkloadMetadata> peers = new BoundedCache<>(MAX_PEERS);
    private volatile @Nullable Hit last;

    Decoded(Function<String, @Nullable WorkloadMetadata> decoder) {
      this.decoder = decoder;
    }

    WorkloadMetadata of(@Nullable String value, @Nullable SpiffeId principal) {
      // The same peer again, by identity (HPACK and a tunnel hand over the same String each time):
      // no key built.
      Hit hit = last;
      if (hit != null && hit.value == value && hit.principal == principal) {
        return hit.peer;
      }
      Key key = new Key(value == null ? "" : value, principal);
      WorkloadMetadata m = peers.get(key);
      if (m == null) {
        WorkloadMetadata decoded = decoder.apply(key.value());
        WorkloadMetadata peer = decoded == null ? WorkloadMetadata.UNKNOWN : decoded;
        m = peers.put(key, principal == null ? peer : peer.withPrincipal(principal));
      }
      last = new Hit(value, principal, m);
      return m;
    }
  }
}
