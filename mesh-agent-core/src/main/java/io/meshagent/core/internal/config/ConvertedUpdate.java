package io.meshagent.core.internal.config;

import com.google.protobuf.ByteString;
import io.meshagent.snapshot.ResourceEntry;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One update's resources after conversion: the domain entries, and each resource's bytes as
 * received (the {@link com.google.protobuf.Any}'s value, shared, never copied) for the admin config
 * dump. Owned by the control context, like the store that made it.
 */
public final class ConvertedUpdate {
  private final String version;
  private final Map<String, ResourceEntry<?>> entries;
  private final Map<String, ByteString> raw;

  ConvertedUpdate(String version, int expected) {
    this.version = version;
    this.entries = new LinkedHashMap<>(expected * 4 / 3 + 1);
    this.raw = new LinkedHashMap<>(expected * 4 / 3 + 1);
  }

  void put(ResourceEntry<?> entry, ByteString bytes) {
    entries.put(entry.name(), entry);
    raw.put(entry.name(), bytes);
  }

  boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** The update's {@code version_info} (SotW) or {@code system_version_info} (Delta). */
  public String version() {
    return version;
  }

  /** The converted entries by name, in the order received. */
  public Map<String, ResourceEntry<?>> entries() {
    return Collections.unmodifiableMap(entries);
  }

  /** The resources' bytes by name. */
  Map<String, ByteString> raw() {
    return raw;
  }

  /** The names in the update. */
  public Set<String> names() {
    return Collections.unmodifiableSet(entries.keySet());
  }

  /** Drops every resource not named in {@code names} (resources nobody subscribed to). */
  public void retainNames(Set<String> names) {
    entries.keySet().retainAll(names);
    raw.keySet().retainAll(names);
  }
}
