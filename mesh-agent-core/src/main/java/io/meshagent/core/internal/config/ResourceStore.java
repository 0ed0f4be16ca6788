package io.meshagent.core.internal.config;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.DiscoveryType;
import io.meshagent.model.listener.Listener;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.snapshot.ResourceEntry;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The accepted resources of one agent, by type and name, and the names known not to exist. Owned by
 * the control context: every method but {@link #rawSnapshot()} must be called there. Per-type maps
 * are replaced, never mutated, so snapshots share the maps of types that did not change.
 *
 * <p>Beside each converted entry the store keeps the resource's bytes as received (the {@code
 * Any}'s value, the same {@link ByteString}, not a copy) for the admin config dump: Envoy's dump
 * shows the protos, and the domain records cannot be turned back into them.
 */
public final class ResourceStore {
  private static final String RESOURCE_WRAPPER_TYPE =
      "type.googleapis.com/envoy.service.discovery.v3.Resource";

  private static final Set<String> NAME_IN_FIELD_ONE =
      Set.of(
          ResourceTypes.LISTENER,
          ResourceTypes.ROUTE_CONFIGURATION,
          ResourceTypes.CLUSTER,
          ResourceTypes.CLUSTER_LOAD_ASSIGNMENT,
          ResourceTypes.AUTHORIZATION);

  private final Map<String, XdsResourceType<?>> types;
  private final Clock clock;
  private final Map<String, ShardedMap<ResourceEntry<?>>> byType = new HashMap<>();
  private final Map<String, ShardedMap<ByteString>> rawByType = new HashMap<>();
  private final Map<String, String> typeVersions = new HashMap<>();
  private final Map<String, Set<String>> absent = new HashMap<>();
  private long version;
  private volatile RawSnapshot rawSnapshot = RawSnapshot.EMPTY;

  /**
   * @param types every type this store accepts, by type URL
   * @param clock the time stamped on accepted resources
   */
  public ResourceStore(Map<String, XdsResourceType<?>> types, Clock clock) {
    this.types = Map.copyOf(types);
    this.clock = clock;
  }

  /** The registered type for {@code typeUrl}, or null. */
  public XdsResourceType<?> type(String typeUrl) {
    XdsResourceType<?> t = types.get(typeUrl);
    if (t == null) {
      throw new IllegalArgumentException("no resource type registered for " + typeUrl);
    }
    return t;
  }

  /** Whether {@code typeUrl} has a registered type. */
  public boolean knows(String typeUrl) {
    return types.containsKey(typeUrl);
  }

  /**
   * Converts every resource of an update, or refuses the whole update.
   *
   * @param typeUrl the update's type
   * @param resources the resources as received
   * @param version the version stamped on resources that carry none of their own
   * @return converted entries by name, in the order received, with their bytes
   * @throws UpdateRejectedException listing every invalid resource
   */
  public ConvertedUpdate convert(String typeUrl, Collection<RawResource> resources, String version)
      throws UpdateRejectedException {
    XdsResourceType<?> type = type(typeUrl);
    Instant now = clock.instant();
    ConvertedUpdate out = new ConvertedUpdate(version, resources.size());
    List<String> errors = new ArrayList<>();
    int index = 0;
    for (RawResource raw : resources) {
      String name0 = raw.name().isEmpty() ? namedInside(typeUrl, raw.resource()) : raw.name();
      String label = name0.isEmpty() ? "#" + index : "'" + name0 + "'";
      index++;
      try {
        Any any = unwrap(raw.resource());
        if (!any.getTypeUrl().equals(typeUrl)) {
          throw new ResourceInvalidException(
              "has type " + any.getTypeUrl() + " in an update of " + typeUrl);
        }
        XdsResourceType.Parsed<?> parsed = type.parse(any);
        String name = raw.name().isEmpty() ? parsed.name() : raw.name();
        if (!raw.name().isEmpty()
            && !parsed.name().isEmpty()
            && !raw.name().equals(parsed.name())) {
          throw new ResourceInvalidException(
              "is named '" + parsed.name() + "' inside but '" + raw.name() + "' outside");
        }
        if (out.contains(name)) {
          throw new ResourceInvalidException("appears twice in one update");
        }
        String v = raw.version().isEmpty() ? version : raw.version();
        out.put(new ResourceEntry<>(name, v, now, parsed.value()), any.getValue());
      } catch (ResourceInvalidException e) {
        errors.add(shortType(typeUrl) + " " + label + ": " + e.getMessage());
      } catch (InvalidProtocolBufferException e) {
        errors.add(shortType(typeUrl) + " " + label + ": does not decode: " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new UpdateRejectedException(String.join("; ", errors));
    }
    return out;
  }

  /**
   * The name a resource carries in its field 1, where the type puts it there (Envoy's four types
   * and Istio's Authorization), read without converting the resource: an invalid resource is still
   * named in the NACK.
   */
  private static String namedInside(String typeUrl, Any any) {
    if (!NAME_IN_FIELD_ONE.contains(typeUrl)) {
      return "";
    }
    try {
      com.google.protobuf.CodedInputStream in = unwrap(any).getValue().newCodedInput();
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == ((1 << 3) | 2)) {
          return in.readStringRequireUtf8();
        }
        in.skipField(tag);
      }
    } catch (java.io.IOException e) {
      // Unreadable bytes: conversion reports them; the label falls back to the index.
    }
    return "";
  }

  private static Any unwrap(Any any) throws InvalidProtocolBufferException {
    // Servers may wrap SotW resources in the discovery Resource envelope.
    return any.getTypeUrl().equals(RESOURCE_WRAPPER_TYPE)
        ? any.unpack(Resource.class).getResource()
        : any;
  }

  /**
   * Replaces all resources of a wildcard type (SotW semantics for LDS and CDS: absent means
   * removed).
   */
  public void replaceAll(String typeUrl, ConvertedUpdate update) {
    Map<String, ResourceEntry<?>> entries = update.entries();
    Map<String, ResourceEntry<?>> old = byType.getOrDefault(typeUrl, ShardedMap.empty());
    Map<String, ResourceEntry<?>> next = new HashMap<>(entries.size() * 4 / 3 + 1);
    Map<String, ByteString> nextRaw = new HashMap<>(entries.size() * 4 / 3 + 1);
    for (Map.Entry<String, ResourceEntry<?>> e : entries.entrySet()) {
      ResourceEntry<?> prior = old.get(e.getKey());
      next.put(e.getKey(), sameValue(prior, e.getValue()) ? prior : e.getValue());
      nextRaw.put(e.getKey(), update.raw().get(e.getKey()));
    }
    byType.put(typeUrl, ShardedMap.copyOf(next));
    rawByType.put(typeUrl, ShardedMap.copyOf(nextRaw));
    typeVersions.put(typeUrl, update.version());
    absent.remove(typeUrl);
    version++;
  }

  /**
   * Adds or replaces some resources and removes others (Delta, and SotW of named types).
   *
   * @param removedAbsent whether removed names become "does not exist" (named types) rather than
   *     simply gone (wildcard types)
   */
  public void merge(
      String typeUrl, ConvertedUpdate update, Collection<String> removed, boolean removedAbsent) {
    Map<String, ResourceEntry<?>> updated = update.entries();
    ShardedMap<ResourceEntry<?>> current = byType.getOrDefault(typeUrl, ShardedMap.empty());
    ShardedMap<ByteString> currentRaw = rawByType.getOrDefault(typeUrl, ShardedMap.empty());
    Map<String, ResourceEntry<?>> puts = new HashMap<>(updated.size() * 4 / 3 + 1);
    Map<String, ByteString> rawPuts = new HashMap<>(updated.size() * 4 / 3 + 1);
    for (Map.Entry<String, ResourceEntry<?>> e : updated.entrySet()) {
      ResourceEntry<?> prior = current.get(e.getKey());
      puts.put(e.getKey(), sameValue(prior, e.getValue()) ? prior : e.getValue());
      rawPuts.put(e.getKey(), update.raw().get(e.getKey()));
    }
    Set<String> absentNames = absent.get(typeUrl);
    if (absentNames != null) {
      absentNames.removeAll(updated.keySet());
    }
    if (removedAbsent && !removed.isEmpty()) {
      absent.computeIfAbsent(typeUrl, k -> new HashSet<>()).addAll(removed);
    }
    byType.put(typeUrl, current.with(puts, removed));
    rawByType.put(typeUrl, currentRaw.with(rawPuts, removed));
    typeVersions.put(typeUrl, update.version());
    version++;
  }

  /** Keeps only {@code names} of {@code typeUrl}: what is no longer referenced is dropped. */
  public void retain(String typeUrl, Set<String> names) {
    ShardedMap<ResourceEntry<?>> current = byType.get(typeUrl);
    if (current != null && !names.containsAll(current.keySet())) {
      List<String> dropped = new ArrayList<>();
      for (String name : current.keySet()) {
        if (!names.contains(name)) {
          dropped.add(name);
        }
      }
      byType.put(typeUrl, current.with(Map.of(), dropped));
      ShardedMap<ByteString> currentRaw = rawByType.get(typeUrl);
      if (currentRaw != null) {
        rawByType.put(typeUrl, currentRaw.with(Map.of(), dropped));
      }
      version++;
    }
    Set<String> absentNames = absent.get(typeUrl);
    if (absentNames != null && absentNames.retainAll(names)) {
      version++;
    }
  }

  /** Records that {@code name} does not exist (removed, or never answered in time). */
  public void markAbsent(String typeUrl, String name) {
    if (absent.computeIfAbsent(typeUrl, k -> new HashSet<>()).add(name)) {
      version++;
    }
  }

  /** Whether {@code name} is held or known absent. */
  public boolean resolved(String typeUrl, String name) {
    return byType.getOrDefault(typeUrl, ShardedMap.empty()).containsKey(name)
        || absent.getOrDefault(typeUrl, Set.of()).contains(name);
  }

  /** The names and versions held for a type, for Delta's {@code initial_resource_versions}. */
  public Map<String, String> versions(String typeUrl) {
    Map<String, String> out = new HashMap<>();
    byType
        .getOrDefault(typeUrl, ShardedMap.empty())
        .forEach((name, entry) -> out.put(name, entry.version()));
    return out;
  }

  /** Route configuration names the listeners ask RDS for. */
  public Set<String> referencedRouteNames() {
    Set<String> names = new LinkedHashSet<>();
    for (ResourceEntry<?> e :
        byType.getOrDefault(ResourceTypes.LISTENER, ShardedMap.empty()).values()) {
      names.addAll(((Listener) e.value()).rdsNames());
    }
    return names;
  }

  /** EDS service names the EDS clusters ask for. */
  public Set<String> referencedEndpointNames() {
    Set<String> names = new LinkedHashSet<>();
    for (ResourceEntry<?> e :
        byType.getOrDefault(ResourceTypes.CLUSTER, ShardedMap.empty()).values()) {
      Cluster c = (Cluster) e.value();
      if (c.type() == DiscoveryType.EDS) {
        names.add(c.edsServiceName());
      }
    }
    return names;
  }

  /** A change counter: it moves whenever the held state does. */
  public long changeCount() {
    return version;
  }

  /**
   * An immutable snapshot of everything held; the same snapshot, with the resources' bytes, becomes
   * the {@link #rawSnapshot()}.
   */
  public MeshSnapshot snapshot(long snapshotVersion, boolean complete) {
    Map<String, Set<String>> absentCopy = new HashMap<>();
    absent.forEach((type, names) -> absentCopy.put(type, Set.copyOf(names)));
    MeshSnapshot snapshot =
        new MeshSnapshot(
            snapshotVersion, clock.instant(), new HashMap<>(byType), absentCopy, complete);
    rawSnapshot = new RawSnapshot(snapshot, new HashMap<>(rawByType), typeVersions);
    return snapshot;
  }

  /**
   * The last {@link #snapshot} with the resources as received; a volatile read, any thread. It may
   * trail the published snapshot by the moment between the two.
   */
  public RawSnapshot rawSnapshot() {
    return rawSnapshot;
  }

  private static boolean sameValue(ResourceEntry<?> prior, ResourceEntry<?> next) {
    // Keep the earlier entry (and its time stamp) when nothing but the envelope changed. The bytes
    // are always the latest: a field the domain model ignores may have changed.
    return prior != null
        && prior.version().equals(next.version())
        && prior.value().equals(next.value());
  }

  static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
  }
}
