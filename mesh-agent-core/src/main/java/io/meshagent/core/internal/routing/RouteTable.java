package io.meshagent.core.internal.routing;

import io.meshagent.model.route.FaultPolicy;
import io.meshagent.model.route.RouteConfiguration;
import io.meshagent.model.route.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RouteConfiguration} compiled once for routing: virtual hosts indexed by domain as
 * Envoy's {@code RouteMatcher} indexes them, and routes with their matchers and action parts
 * precomputed. Immutable and shared across threads.
 *
 * <p>Fault injection depends on the HTTP connection manager too: its {@code envoy.filters.http
 * .fault} filter's own configuration ({@link
 * io.meshagent.model.listener.HttpConnectionManager#fault()}) applies where no level of the route
 * configuration overrides it, and without the filter Envoy injects no faults at all. Tables built
 * without it assume the filter is there with an empty configuration, as istiod configures it.
 */
public final class RouteTable {
  private static final int CACHE_SLOTS = 64;

  /**
   * Tables built by {@link #of}, by the configuration's identity (records hash by value, which
   * would walk the whole configuration). A slot is overwritten on collision; a race only builds a
   * table twice. Holds at most {@value #CACHE_SLOTS} configurations.
   */
  private static final AtomicReferenceArray<RouteTable> CACHE =
      new AtomicReferenceArray<>(CACHE_SLOTS);

  private final RouteConfiguration config;
  private final @Nullable FaultPolicy faultFilter;
  private final Map<String, CompiledVirtualHost> exact;
  private final Wildcard[] suffixes;
  private final Wildcard[] prefixes;
  private final @Nullable CompiledVirtualHost any;

  private record Wildcard(String part, CompiledVirtualHost vh) {}

  private RouteTable(RouteConfiguration config, @Nullable FaultPolicy faultFilter) {
    this.config = config;
    this.faultFilter = faultFilter;
    Map<String, CompiledVirtualHost> exact = new HashMap<>();
    List<Wildcard> suffixes = new ArrayList<>();
    List<Wildcard> prefixes = new ArrayList<>();
    CompiledVirtualHost any = null;
    for (VirtualHost vh : config.virtualHosts()) {
      CompiledVirtualHost compiled = new CompiledVirtualHost(vh, config, faultFilter);
      for (String d : vh.domains()) {
        String domain = d.toLowerCase(Locale.ROOT);
        // Envoy refuses duplicate domains; the parser does too. Keep the first here regardless.
        if (domain.equals("*")) {
          if (any == null) {
            any = compiled;
          }
        } else if (domain.length() > 1 && domain.charAt(0) == '*') {
          suffixes.add(new Wildcard(domain.substring(1), compiled));
        } else if (domain.length() > 1 && domain.charAt(domain.length() - 1) == '*') {
          prefixes.add(new Wildcard(domain.substring(0, domain.length() - 1), compiled));
        } else {
          exact.putIfAbsent(domain, compiled);
        }
      }
    }
    // Longest first, as Envoy's length-keyed maps iterate; equal lengths cannot both match.
    Comparator<Wildcard> longestFirst =
        Comparator.comparingInt((Wildcard w) -> w.part().length()).reversed();
    suffixes.sort(longestFirst);
    prefixes.sort(longestFirst);
    this.exact = Map.copyOf(exact);
    this.suffixes = suffixes.toArray(new Wildcard[0]);
    this.prefixes = prefixes.toArray(new Wildcard[0]);
    this.any = any;
  }

  /** Compiles {@code config} for a connection manager whose fault filter has no configuration. */
  public static RouteTable build(RouteConfiguration config) {
    return new RouteTable(config, FaultPolicy.NONE);
  }

  /**
   * Compiles {@code config} for a connection manager.
   *
   * @param faultFilter the connection manager's fault filter configuration ({@link
   *     io.meshagent.model.listener.HttpConnectionManager#fault()}), or null when it has no fault
   *     filter
   */
  public static RouteTable build(RouteConfiguration config, @Nullable FaultPolicy faultFilter) {
    return new RouteTable(config, faultFilter);
  }

  /**
   * The table for {@code config} and a fault filter with no configuration, compiled on first use
   * and cached by identity.
   */
  public static RouteTable of(RouteConfiguration config) {
    return of(config, FaultPolicy.NONE);
  }

  /**
   * The table for {@code config} in a connection manager, compiled on first use and cached by the
   * identity of both arguments.
   *
   * @param faultFilter the connection manager's fault filter configuration ({@link
   *     io.meshagent.model.listener.HttpConnectionManager#fault()}), or null when it has no fault
   *     filter
   */
  public static RouteTable of(RouteConfiguration config, @Nullable FaultPolicy faultFilter) {
    int slot =
        (System.identityHashCode(config) * 31 + System.identityHashCode(faultFilter))
            & (CACHE_SLOTS - 1);
    RouteTable t = CACHE.get(slot);
    if (t != null && t.config == config && t.faultFilter == faultFilter) {
      return t;
    }
    t = new RouteTable(config, faultFilter);
    CACHE.set(slot, t);
    return t;
  }

  /** The configuration this table was compiled from. */
  public RouteConfiguration config() {
    return config;
  }

  /**
   * Envoy's {@code RouteMatcher::findVirtualHost}: with {@code ignore_port_in_host_matching} the
   * port is dropped first; the authority is lower-cased; then an exact domain, the longest {@code
   * *suffix}, the longest {@code prefix*} (a wildcard matches at least one character), and {@code
   * *}. Without {@code ignore_port_in_host_matching} the port is part of the name, which is why
   * istiod lists both {@code host} and {@code host:port}.
   */
  @Nullable CompiledVirtualHost findVirtualHost(String authority) {
    if (exact.isEmpty() && suffixes.length == 0 && prefixes.length == 0) {
      return any;
    }
    String host = authority;
    if (config.ignorePortInHostMatching()) {
      int portStart = portStart(host);
      if (portStart >= 0) {
        host = host.substring(0, portStart);
      }
    }
    host = lowerCase(host);
    CompiledVirtualHost vh = exact.get(host);
    if (vh != null) {
      return vh;
    }
    for (Wildcard w : suffixes) {
      int len = w.part().length();
      if (host.length() > len && host.regionMatches(host.length() - len, w.part(), 0, len)) {
        return w.vh();
      }
    }
    for (Wildcard w : prefixes) {
      int len = w.part().length();
      if (host.length() > len && host.startsWith(w.part())) {
        return w.vh();
      }
    }
    return any;
  }

  /** Envoy's {@code HeaderUtility::getPortStart}: the last ':' unless inside an IPv6 literal. */
  static int portStart(String host) {
    int colon = host.lastIndexOf(':');
    if (colon < 0) {
      return -1;
    }
    int v6End = host.lastIndexOf(']');
    if (v6End < 0 || v6End < colon) {
      return colon;
    }
    return -1;
  }

  private static String lowerCase(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return s.toLowerCase(Locale.ROOT);
      }
    }
    return s;
  }
}
