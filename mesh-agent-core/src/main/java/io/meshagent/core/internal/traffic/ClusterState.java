package io.meshagent.core.internal.traffic;

import io.meshagent.core.internal.circuitbreaker.CircuitBreakers;
import io.meshagent.core.internal.lb.EndpointPicker;
import io.meshagent.core.internal.lb.EndpointSet;
import io.meshagent.core.internal.lb.LeastRequestPicker;
import io.meshagent.core.internal.lb.TransportChooser;
import io.meshagent.core.internal.outlier.OutlierDetector;
import io.meshagent.core.internal.outlier.Result;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.DiscoveryType;
import io.meshagent.model.endpoint.ClusterLoadAssignment;
import io.meshagent.model.endpoint.Endpoint;
import io.meshagent.model.endpoint.HealthStatus;
import io.meshagent.model.endpoint.LocalityEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The live state of one cluster, kept across configuration updates: circuit breakers, outlier
 * detection, and the endpoint set and picker of the current {@link Cluster} and assignment. The set
 * is rebuilt (on the thread that notices) when the cluster, its assignment, or the ejected hosts
 * change; readers see an immutable {@link Built} through a volatile, so picks take no lock.
 */
public final class ClusterState {
  private final String name;
  private final CircuitBreakers circuitBreakers;
  private final ClusterManager manager;
  private volatile @Nullable OutlierDetector outlier;
  private volatile @Nullable Built built;

  /** One consistent view: what the set was built from, and the set. */
  record Built(
      Cluster cluster,
      @Nullable ClusterLoadAssignment assignment,
      Set<String> ejected,
      EndpointSet set,
      EndpointPicker picker) {}

  ClusterState(String name, Cluster cluster, ClusterManager manager) {
    this.name = name;
    this.circuitBreakers = new CircuitBreakers(name, cluster.circuitBreakers());
    this.manager = manager;
  }

  static String key(Endpoint e) {
    return e.host() + ":" + e.port();
  }

  /** The cluster's name. */
  public String name() {
    return name;
  }

  /** The cluster's circuit breakers. */
  public CircuitBreakers circuitBreakers() {
    return circuitBreakers;
  }

  /** The outlier detector, or null when the cluster has no outlier detection. */
  public @Nullable OutlierDetector outlierDetector() {
    return outlier;
  }

  Upstream pick(
      Cluster cluster, @Nullable ClusterLoadAssignment cla, long value, Destination original)
      throws NoUpstreamException {
    if (cluster.type() == DiscoveryType.ORIGINAL_DST) {
      // PassthroughCluster and friends: the destination the app dialled.
      Endpoint e =
          new Endpoint(original.host(), original.port(), HealthStatus.HEALTHY, 1, Map.of());
      return new Upstream(cluster, e, TransportChooser.choose(cluster, e), this, -1, null);
    }
    Built b = current(cluster, cla);
    int i = b.picker().pick(value);
    if (i < 0) {
      throw new NoUpstreamException(
          "UH",
          "no healthy upstream in cluster "
              + name
              + " ("
              + b.set().endpoints().size()
              + " endpoints, "
              + b.ejected().size()
              + " ejected)");
    }
    Endpoint e = b.set().endpoints().get(i);
    return new Upstream(cluster, e, TransportChooser.choose(cluster, e), this, i, b.picker());
  }

  private Built current(Cluster cluster, @Nullable ClusterLoadAssignment cla) {
    OutlierDetector before = outlier;
    OutlierDetector od = before;
    Set<String> ejected = od == null ? Set.of() : od.ejected();
    Built b = built;
    if (b != null && b.cluster() == cluster && b.assignment() == cla && b.ejected() == ejected) {
      return b;
    }
    if (b == null || b.cluster() != cluster) {
      circuitBreakers.update(cluster.circuitBreakers());
      od = manager.outlierFor(this, cluster, od);
      outlier = od;
      ejected = od == null ? Set.of() : od.ejected();
    }
    ClusterLoadAssignment source = cla != null ? cla : cluster.loadAssignment();
    if (source == null) {
      source = new ClusterLoadAssignment(name, List.of(), 140);
    }
    // A new detector (a CDS update changed the policy) starts with no hosts; inline endpoints
    // change with the cluster, not the assignment.
    boolean hostsChanged =
        b == null
            || b.assignment() != cla
            || (cla == null && b.cluster().loadAssignment() != cluster.loadAssignment());
    if (od != null && (hostsChanged || od != before)) {
      manager.updateHosts(od, keys(source));
    }
    EndpointSet set =
        EndpointSet.of(ejected.isEmpty() ? source : withEjected(source, ejected), false);
    Built next = new Built(cluster, cla, ejected, set, EndpointPicker.of(cluster.lbPolicy(), set));
    built = next; // a racing rebuild of the same inputs is equivalent; the last one wins
    return next;
  }

  private static List<String> keys(ClusterLoadAssignment cla) {
    List<String> keys = new ArrayList<>();
    for (LocalityEndpoints l : cla.localities()) {
      for (Endpoint e : l.endpoints()) {
        keys.add(key(e));
      }
    }
    return keys;
  }

  /** Ejected hosts count as unhealthy, as Envoy's host health flags make them. */
  private static ClusterLoadAssignment withEjected(ClusterLoadAssignment cla, Set<String> ejected) {
    List<LocalityEndpoints> out = new ArrayList<>(cla.localities().size());
    for (LocalityEndpoints l : cla.localities()) {
      List<Endpoint> es = new ArrayList<>(l.endpoints().size());
      for (Endpoint e : l.endpoints()) {
        es.add(
            ejected.contains(key(e))
                ? new Endpoint(e.host(), e.port(), HealthStatus.UNHEALTHY, e.weight(), e.metadata())
                : e);
      }
      out.add(new LocalityEndpoints(l.locality(), l.priority(), l.weight(), es));
    }
    return new ClusterLoadAssignment(cla.clusterName(), out, cla.overprovisioningFactor());
  }

  void started(Upstream u) {
    if (u.picker() instanceof LeastRequestPicker lr) {
      lr.started(u.index());
    }
  }

  void finished(Upstream u, Result result) {
    if (u.picker() instanceof LeastRequestPicker lr) {
      lr.finished(u.index());
    }
    OutlierDetector od = outlier;
    if (od != null) {
      od.report(u.key(), result);
    }
  }
}
