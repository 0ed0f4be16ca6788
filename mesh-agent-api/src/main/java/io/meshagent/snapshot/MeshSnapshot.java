package io.meshagent.snapshot;

import static java.util.Objects.requireNonNull;

import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.endpoint.ClusterLoadAssignment;
import io.meshagent.model.listener.Listener;
import io.meshagent.model.route.RouteConfiguration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The complete configuration the agent holds at one moment: every accepted resource by type and
 * name, and the names the control plane declared absent. Immutable; a new snapshot with a higher
 * {@link #version()} replaces it on every accepted change, so the data path reads it without locks.
 */
public final class MeshSnapshot {
  private static final MeshSnapshot EMPTY =
      new MeshSnapshot(0, Instant.EPOCH, Map.of(), Map.of(), false);

  private final long version;
  private final Instant createdAt;
  private final Map<String, Map<String, ResourceEntry<?>>> resources;
  private final Map<String, Set<String>> absent;
  private final boolean initialConfigComplete;

  /**
   * Creates a snapshot; implementations call this, applications read snapshots.
   *
   * @param version strictly increasing per agent
   * @param createdAt when it was assembled
   * @param resources by type URL, then by name; the maps must not be modified afterwards
   * @param absent names per type URL that the control plane removed or never answered
   * @param initialConfigComplete whether every subscription has been answered or timed out
   */
  public MeshSnapshot(
      long version,
      Instant createdAt,
      Map<String, Map<String, ResourceEntry<?>>> resources,
      Map<String, Set<String>> absent,
      boolean initialConfigComplete) {
    this.version = version;
    this.createdAt = requireNonNull(createdAt, "createdAt");
    this.resources = Collections.unmodifiableMap(new HashMap<>(resources));
    this.absent = Collections.unmodifiableMap(new HashMap<>(absent));
    this.initialConfigComplete = initialConfigComplete;
  }

  /** The snapshot before any configuration arrived. */
  public static MeshSnapshot empty() {
    return EMPTY;
  }

  /** Strictly increasing for one agent; 0 is the empty snapshot. */
  public long version() {
    return version;
  }

  /** When this snapshot was assembled. */
  public Instant createdAt() {
    return createdAt;
  }

  /** Whether every subscribed resource has been received or declared absent at least once. */
  public boolean initialConfigComplete() {
    return initialConfigComplete;
  }

  /** Listeners by name. */
  public Map<String, Listener> listeners() {
    return values(ResourceTypes.LISTENER, Listener.class);
  }

  /** Route configurations by name. */
  public Map<String, RouteConfiguration> routeConfigurations() {
    return values(ResourceTypes.ROUTE_CONFIGURATION, RouteConfiguration.class);
  }

  /** Clusters by name. */
  public Map<String, Cluster> clusters() {
    return values(ResourceTypes.CLUSTER, Cluster.class);
  }

  /** Endpoints by EDS service name (the cluster's name unless the cluster names another). */
  public Map<String, ClusterLoadAssignment> clusterLoadAssignments() {
    return values(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT, ClusterLoadAssignment.class);
  }

  /**
   * Resources of any type, by name, as accepted entries with versions and update times.
   *
   * @param typeUrl for example {@link ResourceTypes#WORKLOAD_ADDRESS}
   */
  public Map<String, ResourceEntry<?>> entries(String typeUrl) {
    Map<String, ResourceEntry<?>> byName = resources.get(typeUrl);
    return byName == null ? Map.of() : Collections.unmodifiableMap(byName);
  }

  /**
   * The values of one type, by name.
   *
   * @throws ClassCastException if the type's values are not {@code type}
   */
  public <T> Map<String, T> values(String typeUrl, Class<T> type) {
    Map<String, ResourceEntry<?>> byName = resources.get(typeUrl);
    return byName == null || byName.isEmpty() ? Map.of() : new ValueView<>(byName, type);
  }

  /** One resource, or null if it is not held. */
  public <T> @Nullable T get(String typeUrl, String name, Class<T> type) {
    Map<String, ResourceEntry<?>> byName = resources.get(typeUrl);
    ResourceEntry<?> entry = byName == null ? null : byName.get(name);
    return entry == null ? null : type.cast(entry.value());
  }

  /** The type URLs that have at least one resource. */
  public Set<String> typeUrls() {
    return resources.keySet();
  }

  /** Names of {@code typeUrl} that are subscribed but do not exist (removed or never answered). */
  public Set<String> absent(String typeUrl) {
    Set<String> names = absent.get(typeUrl);
    return names == null ? Set.of() : names;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("MeshSnapshot{version=").append(version);
    resources.forEach(
        (type, byName) ->
            sb.append(", ").append(shortType(type)).append('=').append(byName.size()));
    return sb.append('}').toString();
  }

  private static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }
}
