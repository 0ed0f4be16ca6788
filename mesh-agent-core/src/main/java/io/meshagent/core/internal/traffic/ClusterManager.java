package io.meshagent.core.internal.traffic;

import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.outlier.OutlierDetector;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.OutlierDetectionPolicy;
import io.meshagent.model.endpoint.ClusterLoadAssignment;
import io.meshagent.snapshot.MeshSnapshot;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The clusters' live state ({@link ClusterState}) by name, created on first use and kept while the
 * process runs, so circuit-breaker counters and outlier history survive CDS and EDS updates as in
 * Envoy. Outlier detectors run their transitions and interval sweeps on the control context.
 */
public final class ClusterManager implements AutoCloseable {
  private final ControlContext control;
  private final InstantSource clock;
  private final Map<String, ClusterState> states = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  public ClusterManager(ControlContext control, InstantSource clock) {
    this.control = control;
    this.clock = clock;
  }

  /**
   * Picks an endpoint of {@code clusterName} in {@code snapshot}.
   *
   * @param value the request hash for ring hash and maglev, else a random value
   * @param original the destination the app dialled (for original-destination clusters)
   * @throws NoUpstreamException {@code NC} when the cluster is unknown, {@code UH} when no endpoint
   *     is healthy
   */
  public Upstream pick(MeshSnapshot snapshot, String clusterName, long value, Destination original)
      throws NoUpstreamException {
    Cluster cluster = snapshot.clusters().get(clusterName);
    if (cluster == null) {
      throw new NoUpstreamException("NC", "cluster " + clusterName + " not found");
    }
    String edsName = cluster.edsServiceName().isEmpty() ? clusterName : cluster.edsServiceName();
    ClusterLoadAssignment cla = snapshot.clusterLoadAssignments().get(edsName);
    ClusterState state =
        states.computeIfAbsent(clusterName, n -> new ClusterState(n, cluster, this));
    return state.pick(cluster, cla, value, original);
  }

  /** The state of a cluster used so far, or null. */
  public @Nullable ClusterState state(String clusterName) {
    return states.get(clusterName);
  }

  /** All cluster states used so far. */
  public Collection<ClusterState> states() {
    return states.values();
  }

  /** The detector for a cluster's (new) policy: the current one if the policy is unchanged. */
  @Nullable OutlierDetector outlierFor(
      ClusterState state, Cluster cluster, @Nullable OutlierDetector current) {
    OutlierDetectionPolicy policy = cluster.outlierDetection();
    if (policy == null) {
      return null;
    }
    if (current != null && current.policy().equals(policy)) {
      return current;
    }
    OutlierDetector od =
        new OutlierDetector(state.name(), policy, clock, new SplittableRandom(), control);
    scheduleTick(state, od);
    return od;
  }

  void updateHosts(OutlierDetector od, Collection<String> keys) {
    control.execute(() -> od.updateHosts(keys));
  }

  private void scheduleTick(ClusterState state, OutlierDetector od) {
    if (closed.get()) {
      return;
    }
    control.schedule(
        () -> {
          if (state.outlierDetector() != od) {
            return; // replaced by a new policy, or the cluster no longer has one
          }
          od.tick(clock.instant());
          scheduleTick(state, od);
        },
        od.policy().interval());
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
