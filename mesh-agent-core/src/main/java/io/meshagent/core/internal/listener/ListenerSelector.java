package io.meshagent.core.internal.listener;

import io.meshagent.model.listener.Listener;
import io.meshagent.model.listener.SocketAddress;
import io.meshagent.snapshot.MeshSnapshot;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which listener handles a connection to an original destination, as Envoy's original-destination
 * redirection finds it after iptables captured the connection: the listener bound to exactly {@code
 * ip:port}, else the one bound to the wildcard address and that port, else the listener that
 * received the connection ({@code virtualOutbound}, whose own chains pass it through or block it).
 * In the grpc profile, api listeners are found by their {@code host:port} name.
 *
 * <p>An index is built once per set of listeners and cached by identity, so a selection is two map
 * lookups.
 */
public final class ListenerSelector {
  private static final int SLOTS = 8;
  private static final java.util.concurrent.atomic.AtomicReferenceArray<Index> CACHE =
      new java.util.concurrent.atomic.AtomicReferenceArray<>(SLOTS);

  private ListenerSelector() {}

  /** The listener for {@code ip:port}, or null when there is none (not even virtualOutbound). */
  public static @Nullable Listener select(MeshSnapshot snapshot, String ip, int port) {
    return index(snapshot).select(ip, port);
  }

  /**
   * The index of a snapshot's listeners, cached by the snapshot: {@code listeners()} is a new view
   * on each call, so it cannot be the key.
   */
  static Index index(MeshSnapshot snapshot) {
    int slot = System.identityHashCode(snapshot) & (SLOTS - 1);
    Index cached = CACHE.get(slot);
    if (cached != null && cached.owner == snapshot) {
      return cached;
    }
    Map<String, Listener> listeners = snapshot.listeners();
    Index built = new Index(listeners, listeners.values());
    built.owner = snapshot;
    CACHE.set(slot, built);
    return built;
  }

  /** The api listener named {@code hostPort} (grpc profile), or null. */
  public static @Nullable Listener apiListener(MeshSnapshot snapshot, String hostPort) {
    Listener l = snapshot.listeners().get(hostPort);
    return l != null && l.apiListener() != null ? l : null;
  }

  static Index index(Map<String, Listener> listeners) {
    int slot = System.identityHashCode(listeners) & (SLOTS - 1);
    Index cached = CACHE.get(slot);
    if (cached != null && cached.source == listeners) {
      return cached;
    }
    Index built = new Index(listeners, listeners.values());
    CACHE.set(slot, built);
    return built;
  }

  /** Listeners by bound address, and the original-destination catch-all. */
  static final class Index {
    final Map<String, Listener> source;

    /** The snapshot this index was built for, when built by {@link #index(MeshSnapshot)}. */
    @Nullable Object owner;

    private final Map<String, Listener> exact = new HashMap<>();
    private final Map<Integer, Listener> wildcard4 = new HashMap<>();
    private final Map<Integer, Listener> wildcard6 = new HashMap<>();
    private final @Nullable Listener originalDst;

    Index(Map<String, Listener> source, Collection<Listener> listeners) {
      this.source = source;
      Listener catchAll = null;
      for (Listener l : listeners) {
        SocketAddress a = l.address();
        if (a == null) {
          continue;
        }
        if (l.useOriginalDst()) {
          catchAll = catchAll == null ? l : catchAll;
        }
        if (a.host().equals("0.0.0.0")) {
          wildcard4.putIfAbsent(a.port(), l);
        } else if (a.host().equals("::")) {
          wildcard6.putIfAbsent(a.port(), l);
        } else {
          exact.putIfAbsent(a.host() + "|" + a.port(), l);
        }
      }
      this.originalDst = catchAll;
    }

    @Nullable Listener select(String ip, int port) {
      Listener l = exact.get(ip + "|" + port);
      if (l == null) {
        // Envoy matches the wildcard of the destination's address family.
        l = (ip.indexOf(':') >= 0 ? wildcard6 : wildcard4).get(port);
      }
      if (l != null && l != originalDst) {
        return l;
      }
      return originalDst;
    }
  }
}
