package io.meshagent.core.internal.config;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable map from resource name to value, split into shards so that changing a few entries
 * copies only their shards: one endpoint change in a mesh of 10,000 clusters copies about 160
 * entries instead of 10,000, and successive snapshots share every untouched shard.
 */
final class ShardedMap<V> extends AbstractMap<String, V> {
  private static final int SHARDS = 64;
  private static final ShardedMap<?> EMPTY = new ShardedMap<>(emptyShards(), 0);

  private final Map<String, V>[] shards;
  private final int size;

  private ShardedMap(Map<String, V>[] shards, int size) {
    this.shards = shards;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  static <V> ShardedMap<V> empty() {
    return (ShardedMap<V>) EMPTY;
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V>[] emptyShards() {
    Map<String, V>[] s = (Map<String, V>[]) new Map<?, ?>[SHARDS];
    for (int i = 0; i < SHARDS; i++) {
      s[i] = Map.of();
    }
    return s;
  }

  private static int shard(Object key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (SHARDS - 1);
  }

  /** A map holding exactly {@code entries}. */
  static <V> ShardedMap<V> copyOf(Map<String, V> entries) {
    if (entries.isEmpty()) {
      return empty();
    }
    return ShardedMap.<V>empty().with(entries, Set.of());
  }

  /** This map with {@code puts} added or replaced and {@code removes} removed. */
  ShardedMap<V> with(Map<String, ? extends V> puts, Collection<String> removes) {
    Map<String, V>[] next = shards.clone();
    boolean[] copied = new boolean[SHARDS];
    int n = size;
    for (Map.Entry<String, ? extends V> e : puts.entrySet()) {
      int i = shard(e.getKey());
      if (!copied[i]) {
        next[i] = new HashMap<>(next[i]);
        copied[i] = true;
      }
      if (next[i].put(e.getKey(), e.getValue()) == null) {
        n++;
      }
    }
    for (String key : removes) {
      int i = shard(key);
      if (!next[i].containsKey(key)) {
        continue;
      }
      if (!copied[i]) {
        next[i] = new HashMap<>(next[i]);
        copied[i] = true;
      }
      next[i].remove(key);
      n--;
    }
    return new ShardedMap<>(next, n);
  }

  @Override
  public @Nullable V get(@Nullable Object key) {
    return key == null ? null : shards[shard(key)].get(key);
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return key != null && shards[shard(key)].containsKey(key);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<Entry<String, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Entry<String, V>> iterator() {
        return new Iterator<>() {
          private int shard;
          private Iterator<Entry<String, V>> current = shards[0].entrySet().iterator();

          @Override
          public boolean hasNext() {
            while (!current.hasNext()) {
              if (++shard >= SHARDS) {
                return false;
              }
              current = shards[shard].entrySet().iterator();
            }
            return true;
          }

          @Override
          public Entry<String, V> next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            Entry<String, V> e = current.next();
            return new SimpleImmutableEntry<>(e.getKey(), e.getValue());
          }
        };
      }
    };
  }
}
