package io.meshagent.netty.internal.observe;

import io.meshagent.core.internal.cache.BoundedCache;
import io.meshagent.core.internal.telemetry.metrics.DestinationService;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.IstioService;
import java.lang.ref.WeakReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The service a request or connection is labelled with ({@code destination_service}, its name and
 * namespace), as Istio's stats filter ({@code istio_stats.cc}, {@code populatePeerInfo}) takes it:
 * the first service of the {@code istio} metadata of the cluster it went through (its name, else
 * the host's first label); Envoy's passthrough and black-hole clusters by their names; else, on the
 * client side only, the request's {@code Host} as it came, port and all (istiod turns that fallback
 * off for inbound listeners, where an empty service then falls back to the local canonical service
 * in {@code IstioLabels}). A TCP connection has no {@code Host}. The same instance is returned for
 * every request to a service, which is what makes the metrics' label lookup cheap (it compares by
 * identity).
 */
final class ServiceLabels {
  private static final int MAX_SERVICES = 4096;

  /** Envoy's clusters that name no service: they label {@code destination_service_name}. */
  private static final java.util.Set<String> PASSTHROUGH =
      java.util.Set.of(
          "BlackHoleCluster",
          "PassthroughCluster",
          "InboundPassthroughCluster",
          "InboundPassthroughClusterIpv4",
          "InboundPassthroughClusterIpv6");

  private final Function<String, @Nullable Cluster> clusters;
  // Whether the request's Host stands in for a service no metadata names (the client side).
  private final boolean hostFallback;
  // Separate caches: an authority could be spelled like a cluster name.
  private final BoundedCache<String, DestinationService> byAuthority =
      new BoundedCache<>(MAX_SERVICES);
  private final BoundedCache<String, DestinationService> byPassthrough =
      new BoundedCache<>(MAX_SERVICES);
  private final BoundedCache<String, ClusterService> byMetadata = new BoundedCache<>(MAX_SERVICES);

  /** A cluster's service from its metadata, for the cluster instance (the CDS version) it is of. */
  private record ClusterService(Cluster cluster, DestinationService service) {}

  private final Supplier<?> generation;

  /**
   * A recent answer, valid while the generation (the agent's snapshot) is the same object; held
   * weakly, so that a slot no request asks again does not keep an old snapshot (every cluster and
   * endpoint of it) alive.
   */
  private record Recent(
      WeakReference<Object> generation,
      String cluster,
      String authority,
      DestinationService service) {}

  // A few recent answers by the two names' hashes, racy on purpose (a lost write costs one lookup):
  // requests to one service ask the same question each time, and the full answer takes a lookup in
  // the snapshot and two in the caches, a tenth of telemetry's cost per request.
  private final @Nullable Recent[] recent = new Recent[8];

  /**
   * @param clusters the cluster of a name in the agent's current snapshot, or null
   * @param generation the current snapshot (any object that is replaced whenever {@code clusters}
   *     may answer differently)
   * @param hostFallback whether the request's {@code Host} names a service no metadata names: the
   *     client side's (source reporter's) labels
   */
  ServiceLabels(
      Function<String, @Nullable Cluster> clusters, Supplier<?> generation, boolean hostFallback) {
    this.clusters = clusters;
    this.generation = generation;
    this.hostFallback = hostFallback;
  }

  /** The service of a request to {@code authority} through {@code cluster} (may be empty). */
  DestinationService of(String cluster, String authority) {
    if (!hostFallback) {
      authority = ""; // no part of the answer: one cache entry per cluster, whatever the Host
    }
    Object gen = generation.get();
    int slot = (cluster.hashCode() * 31 + authority.hashCode()) & (recent.length - 1);
    Recent r = recent[slot];
    if (r != null
        && r.generation.get() == gen
        && r.cluster.equals(cluster)
        && r.authority.equals(authority)) {
      return r.service;
    }
    DestinationService s = lookup(cluster, authority);
    recent[slot] = new Recent(new WeakReference<>(gen), cluster, authority, s);
    return s;
  }

  private DestinationService lookup(String cluster, String host) {
    if (PASSTHROUGH.contains(cluster)) {
      String key = cluster + '|' + host;
      DestinationService s = byPassthrough.get(key);
      return s != null ? s : byPassthrough.put(key, new DestinationService(host, cluster, ""));
    }
    Cluster c = cluster.isEmpty() ? null : clusters.apply(cluster);
    if (c != null && !c.istioServices().isEmpty()) {
      IstioService first = c.istioServices().get(0);
      if (!first.host().isEmpty()) {
        return fromMetadata(c, first);
      }
    }
    if (host.isEmpty()) {
      return DestinationService.UNKNOWN;
    }
    DestinationService s = byAuthority.get(host);
    return s != null ? s : byAuthority.put(host, new DestinationService(host, host, ""));
  }

  /** The service of a cluster's metadata, kept while the cluster instance stays the same. */
  private DestinationService fromMetadata(Cluster c, IstioService first) {
    ClusterService known = byMetadata.get(c.name());
    if (known != null && known.cluster == c) {
      return known.service;
    }
    String name = first.name();
    if (name.isEmpty()) {
      int dot = first.host().indexOf('.');
      name = dot < 0 ? first.host() : first.host().substring(0, dot);
    }
    DestinationService s = new DestinationService(first.host(), name, first.namespace());
    byMetadata.put(c.name(), new ClusterService(c, s));
    return s;
  }
}
