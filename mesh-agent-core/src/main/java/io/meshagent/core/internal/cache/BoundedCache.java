package io.meshagent.core.internal.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Values kept per key for the data path: reads are lock-free ({@link ConcurrentHashMap#get}); a
 * miss computes outside any lock, and two threads racing to insert equal values is harmless.
 * Bounded: at {@code capacity} entries it starts over, so keys that stopped occurring (a peer's old
 * metadata, a removed cluster) leave it and a peer choosing ever-new keys cannot grow it.
 */
public final class BoundedCache<K, V> {
  private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();
  private final int capacity;

  public BoundedCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  /** The value kept for {@code key}, or null. */
  public @Nullable V get(K key) {
    return map.get(key);
  }

  /** Keeps {@code value} for {@code key} unless another thread kept one first; returns the kept. */
  public V put(K key, V value) {
    if (map.size() >= capacity) {
      map.clear();
    }
    V raced = map.putIfAbsent(key, value);
    return raced != null ? raced : value;
  }

  /**
   * The value kept for {@code key}, computed and kept on a miss. For hot paths, pass a function
   * that captures nothing (a method reference), so a hit allocates nothing.
   */
  public V get(K key, Function<? super K, ? extends V> compute) {
    V v = map.get(key);
    return v != null ? v : put(key, compute.apply(key));
  }
}
