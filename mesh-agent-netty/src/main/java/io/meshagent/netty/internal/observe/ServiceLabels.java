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
 * namespace), as Istio's stats filter takes it: from the {@code istio} service metadata of the
 * cluster it went through, else from an {@code outbound|port|subset|host} cluster's name, else from
 * the request's host. The same instance is returned for every request to a service, which is what
 * makes the metrics' label lookup cheap (it compares by identity).
 */
final class ServiceLabels {
  private static final int MAX_SERVICES = 4096;
  private static final int MAX_AUTHORITIES = 64;

  private final Function<String, @Nullable Cluster> clusters;
  // Separate caches: an authority could be spelled like a cluster name.
  private final BoundedCache<String, DestinationService> byAuthority =
      new BoundedCache<>(MAX_SERVICES);
  private final BoundedCache<String, DestinationService> byClusterName =
      new BoundedCache<>(MAX_SERVICES);
  private final BoundedCache<String, ClusterServices> byMetadata = new BoundedCache<>(MAX_SERVICES);

  /** A cluster's services from its metadata by authority, for the cluster instance they are of. */
  private record ClusterServices(
      Cluster cluster, BoundedCache<String, DestinationService> byAuthority) {}

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
   */
  ServiceLabels(Function<String, @Nullable Cluster> clusters, Supplier<?> generation) {
    this.clusters = clusters;
    this.generation = generation;
  }

  /** The service of a request to {@code authority} through {@code cluster} (may be empty). */
  DestinationService of(String cluster, String authority) {
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

  private DestinationService lookup(String cluster, String authority) {
    Cluster c = cluster.isEmpty() ? null : clusters.apply(cluster);
    if (c != null && !c.istioServices().isEmpty()) {
      return fromMetadata(c, authority);
    }
    boolean named =
        (cluster.startsWith("outbound|") || cluster.startsWith("inbound|"))
            && !cluster.endsWith("|");
    BoundedCache<String, DestinationService> cache = named ? byClusterName : byAuthority;
    String key = named ? cluster : authority;
    DestinationService s = cache.get(key);
    return s != null ? s : cache.put(key, fromNames(cluster, authority));
  }

  /**
   * The service of a cluster with {@code istio} metadata: the one whose host the request named when
   * it lists several, else the first. Kept per cluster while its instance (the CDS version) and the
   * authority stay the same.
   */
  private DestinationService fromMetadata(Cluster c, String authority) {
    ClusterServices known = byMetadata.get(c.name());
    if (known == null || known.cluster != c) {
      known = new ClusterServices(c, new BoundedCache<>(MAX_AUTHORITIES));
      byMetadata.put(c.name(), known);
    }
    DestinationService hit = known.byAuthority.get(authority);
    if (hit != null) {
      return hit;
    }
    String host = hostOf(authority);
    IstioService chosen = c.istioServices().get(0);
    for (IstioService s : c.istioServices()) {
      if (s.host().equals(host)) {
        chosen = s;
        break;
      }
    }
    return known.byAuthority.put(
        authority,
        new DestinationService(
            chosen.host(),
            chosen.name().isEmpty() ? chosen.host() : chosen.name(),
            chosen.namespace()));
  }

  /**
   * The service without metadata: the FQDN of an {@code outbound|port|subset|host} cluster, else
   * the authority's host.
   */
  static DestinationService fromNames(String cluster, String authority) {
    if (cluster.startsWith("outbound|") || cluster.startsWith("inbound|")) {
      String host = cluster.substring(cluster.lastIndexOf('|') + 1);
      if (!host.isEmpty()) {
        return DestinationService.ofHost(host);
      }
    }
    String host = hostOf(authority);
    return host.isEmpty() ? DestinationService.UNKNOWN : DestinationService.ofHost(host);
  }

  /** {@code host:port} → {@code host}, IPv6 brackets kept. */
  private static String hostOf(String authority) {
    int colon = authority.lastIndexOf(':');
    return colon > 0 && authority.indexOf(']') < colon ? authority.substring(0, colon) : authority;
  }
}
