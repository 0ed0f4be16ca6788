package io.meshagent.core.internal.telemetry.metrics;

import io.opentelemetry.api.common.Attributes;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Built {@link Attributes} per label set, so a request whose labels were seen before records
 * without sorting 25 labels again. Reads are lock-free ({@link ConcurrentHashMap#get}); a miss
 * builds outside any lock and two threads racing to insert equal values is harmless. Bounded: at
 * {@code capacity} entries it starts over, so label sets that stopped occurring leave it.
 */
final class AttributesCache<K> {
  private final ConcurrentHashMap<K, Attributes> map = new ConcurrentHashMap<>();
  private final int capacity;
  private final Function<K, Attributes> build;

  AttributesCache(int capacity, Function<K, Attributes> build) {
    this.capacity = capacity;
    this.build = build;
  }

  Attributes get(K key) {
    Attributes a = map.get(key);
    if (a != null) {
      return a;
    }
    a = build.apply(key);
    if (map.size() >= capacity) {
      map.clear();
    }
    Attributes raced = map.putIfAbsent(key, a);
    return raced != null ? raced : a;
  }
}
