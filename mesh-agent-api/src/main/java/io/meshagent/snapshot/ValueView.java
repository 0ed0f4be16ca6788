package io.meshagent.snapshot;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A read-only view of a snapshot's entries as their values, so typed accessors copy nothing.
 * Lookups cast each value; the snapshot guarantees every value of a type URL has the same class.
 */
final class ValueView<T> extends AbstractMap<String, T> {
  private final Map<String, ResourceEntry<?>> entries;
  private final Class<T> type;

  ValueView(Map<String, ResourceEntry<?>> entries, Class<T> type) {
    this.entries = entries;
    this.type = type;
  }

  @Override
  public @Nullable T get(@Nullable Object key) {
    ResourceEntry<?> e = entries.get(key);
    return e == null ? null : type.cast(e.value());
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return entries.containsKey(key);
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public Set<Entry<String, T>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, T>> iterator() {
        Iterator<Entry<String, ResourceEntry<?>>> it = entries.entrySet().iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Entry<String, T> next() {
            Entry<String, ResourceEntry<?>> e = it.next();
            return new SimpleImmutableEntry<>(e.getKey(), type.cast(e.getValue().value()));
          }
        };
      }

      @Override
      public int size() {
        return entries.size();
      }
    };
  }
}
