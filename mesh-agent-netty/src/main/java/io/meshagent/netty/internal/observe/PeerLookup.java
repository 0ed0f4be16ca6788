package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.cache.BoundedCache;
import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.peer.PeerMetadataHeaders;
import io.meshagent.identity.SpiffeId;
import org.jspecify.annotations.Nullable;

/**
 * A peer's workload from its {@code x-envoy-peer-metadata} header and verified identity. Peers send
 * the same header value on every request, so decoded results are kept: decoding base64 and a
 * protobuf Struct per request would be most of telemetry's cost.
 */
final class PeerLookup {
  private static final int MAX_PEERS = 4096;

  private record PeerKey(String header, @Nullable SpiffeId principal) {}

  private record PeerHit(
      @Nullable String header, @Nullable SpiffeId principal, WorkloadMetadata peer) {}

  private final BoundedCache<PeerKey, WorkloadMetadata> peers = new BoundedCache<>(MAX_PEERS);
  private volatile @Nullable PeerHit last;

  WorkloadMetadata of(@Nullable String metadataHeader, @Nullable SpiffeId principal) {
    // The same peer again, by identity (HPACK hands over the same String each time): no key built.
    PeerHit hit = last;
    if (hit != null && hit.header == metadataHeader && hit.principal == principal) {
      return hit.peer;
    }
    PeerKey key = new PeerKey(metadataHeader == null ? "" : metadataHeader, principal);
    WorkloadMetadata m = peers.get(key);
    if (m == null) {
      m = peers.put(key, decode(metadataHeader, principal));
    }
    last = new PeerHit(metadataHeader, principal, m);
    return m;
  }

  private static WorkloadMetadata decode(
      @Nullable String metadataHeader, @Nullable SpiffeId principal) {
    WorkloadMetadata decoded =
        metadataHeader == null ? null : PeerMetadataHeaders.decode(metadataHeader);
    WorkloadMetadata m = decoded == null ? WorkloadMetadata.UNKNOWN : decoded;
    return principal == null ? m : m.withPrincipal(principal);
  }
}
