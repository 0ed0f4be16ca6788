package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.telemetry.WorkloadMetadata;
import io.meshagent.core.internal.telemetry.peer.LocalPeerMetadata;
import io.meshagent.core.internal.telemetry.peer.TcpMetadataExchange;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * This workload's side of telemetry, derived from its current peer metadata: each form is built
 * once and kept while the metadata is the same instance (it changes with the identity or the node),
 * so a request reads a field instead of building headers, frames or labels again.
 */
final class LocalSide {
  private final Supplier<LocalPeerMetadata> local;
  private final Derived<OwnFields> ownFields = new Derived<>(OwnFields::new);
  private final Derived<byte[]> exchangeFrame =
      new Derived<>(l -> TcpMetadataExchange.frame(l.workload(), l.metadataId()));
  private final Derived<WorkloadMetadata> withoutPrincipal =
      new Derived<>(l -> l.workload().toBuilder().principal("").build());

  LocalSide(Supplier<LocalPeerMetadata> local) {
    this.local = local;
  }

  LocalPeerMetadata current() {
    return local.get();
  }

  /**
   * This workload as one side of a metric's labels. Its principal only over mTLS: Istio's stats
   * filter takes both principals from the connection's certificates, so over plaintext (or when the
   * agent answered itself) they are {@code unknown}.
   */
  WorkloadMetadata workload(boolean mtls) {
    LocalPeerMetadata l = local.get();
    return mtls ? l.workload() : withoutPrincipal.of(l);
  }

  /** Our metadata-exchange fields, as the encoders add them. */
  OwnFields ownFields() {
    return ownFields.of(local.get());
  }

  /** Our frame of Istio's TCP metadata exchange ({@link TcpMetadataExchange}). */
  byte[] exchangeFrame() {
    return exchangeFrame.of(local.get());
  }

  /** A value derived from the metadata, kept with the instance it came from. */
  private static final class Derived<T> {
    private record Kept<T>(LocalPeerMetadata from, T value) {}

    private final Function<LocalPeerMetadata, T> derive;
    private volatile @Nullable Kept<T> kept;

    Derived(Function<LocalPeerMetadata, T> derive) {
      this.derive = derive;
    }

    T of(LocalPeerMetadata l) {
      Kept<T> k = kept;
      if (k == null || k.from() != l) {
        k = new Kept<>(l, derive.apply(l));
        kept = k; // racing threads build equal values; either may stay
      }
      return k.value();
    }
  }
}
