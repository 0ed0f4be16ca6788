package io.meshagent.core.internal.traffic;

import io.meshagent.core.internal.listener.ConnectionInfo;
import io.meshagent.core.internal.listener.FilterChainSelector;
import io.meshagent.core.internal.listener.ListenerSelector;
import io.meshagent.core.internal.routing.RequestHeaders;
import io.meshagent.core.internal.routing.RouteTable;
import io.meshagent.core.internal.routing.Router;
import io.meshagent.model.listener.FilterChain;
import io.meshagent.model.listener.HttpConnectionManager;
import io.meshagent.model.listener.Listener;
import io.meshagent.model.listener.NetworkFilter;
import io.meshagent.model.listener.TcpProxy;
import io.meshagent.model.route.RouteConfiguration;
import io.meshagent.snapshot.MeshSnapshot;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Where outbound traffic goes, as a sidecar would send it after iptables captured the app's
 * connection: the listener for the destination (the grpc profile's {@code host:port} api listener,
 * else the one bound to the destination, else the wildcard listener of its port), its filter chain
 * for a plaintext connection from the app, then the HTTP route or the TCP proxy's cluster. Pure: a
 * function of (snapshot, destination, request, draw).
 *
 * <p>A destination named by host rather than IP: the app's DNS lookup would have given the
 * service's VIP, which the agent does not resolve. HTTP goes to the wildcard listener of the port
 * (where istiod puts HTTP services, routed by {@code :authority}); TCP, whose listeners istiod
 * binds to the VIP, goes straight to the cluster istiod names {@code outbound|<port>||<host>}.
 */
public final class OutboundPlanner {
  private OutboundPlanner() {}

  /**
   * Plans an HTTP request.
   *
   * @param http2 whether the app speaks HTTP/2 (the chain sees ALPN {@code h2c}, else {@code
   *     http/1.1}, as Envoy's HTTP inspector reports)
   * @param draw a uniform random value in [0, 1,000,000) for splits, fractions and faults
   */
  public static HttpPlan planHttp(
      MeshSnapshot snapshot, Destination d, RequestHeaders request, boolean http2, long draw) {
    Listener api = ListenerSelector.apiListener(snapshot, d.authority());
    if (api != null && api.apiListener() != null) {
      return routed(snapshot, api.name(), api.apiListener(), request, draw);
    }
    String ip = d.hostIsIp() ? d.host() : "0.0.0.0";
    Listener listener = ListenerSelector.select(snapshot, ip, d.port());
    if (listener == null || (!d.hostIsIp() && listener.useOriginalDst())) {
      // No listener of the port for a name: a TCP service, whose listener istiod binds to its VIP.
      // Its cluster, if there is one, rather than virtualOutbound's passthrough.
      HttpPlan byName = tcpByName(snapshot, d, "no listener for " + d);
      if (listener == null || byName instanceof HttpPlan.Tcp) {
        return byName;
      }
    }
    ConnectionInfo c = ConnectionInfo.plaintext(ip, d.port(), List.of(http2 ? "h2c" : "http/1.1"));
    FilterChain chain = FilterChainSelector.select(listener, c);
    if (chain == null) {
      return new HttpPlan.Unroutable(
          "listener " + listener.name() + " has no filter chain for " + d);
    }
    for (NetworkFilter f : chain.filters()) {
      if (f instanceof HttpConnectionManager hcm) {
        return routed(snapshot, listener.name(), hcm, request, draw);
      }
      if (f instanceof TcpProxy tcp) {
        return new HttpPlan.Tcp(listener.name(), tcpCluster(tcp, draw));
      }
    }
    return new HttpPlan.Unroutable(
        "filter chain "
            + chain.name()
            + " of listener "
            + listener.name()
            + " for "
            + d
            + " has neither an HTTP connection manager nor a TCP proxy");
  }

  /**
   * The cluster a TCP connection to {@code d} goes to.
   *
   * @return a {@link HttpPlan.Tcp} or an {@link HttpPlan.Unroutable} saying why not
   */
  public static HttpPlan planTcp(MeshSnapshot snapshot, Destination d, long draw) {
    if (!d.hostIsIp()) {
      return tcpByName(snapshot, d, "no cluster for " + d);
    }
    Listener listener = ListenerSelector.select(snapshot, d.host(), d.port());
    if (listener == null) {
      return new HttpPlan.Unroutable("no listener for " + d);
    }
    FilterChain chain =
        FilterChainSelector.select(
            listener, ConnectionInfo.plaintext(d.host(), d.port(), List.of()));
    if (chain == null) {
      return new HttpPlan.Unroutable(
          "listener " + listener.name() + " has no filter chain for " + d);
    }
    for (NetworkFilter f : chain.filters()) {
      if (f instanceof TcpProxy tcp) {
        return new HttpPlan.Tcp(listener.name(), tcpCluster(tcp, draw));
      }
    }
    return new HttpPlan.Unroutable(
        "filter chain "
            + chain.name()
            + " of listener "
            + listener.name()
            + " for "
            + d
            + " is not a TCP proxy (send HTTP requests instead)");
  }

  private static HttpPlan tcpByName(MeshSnapshot snapshot, Destination d, String otherwise) {
    String cluster = "outbound|" + d.port() + "||" + d.host();
    if (snapshot.clusters().containsKey(cluster)) {
      return new HttpPlan.Tcp("", cluster);
    }
    return new HttpPlan.Unroutable(otherwise + " (and no cluster " + cluster + ")");
  }

  private static HttpPlan routed(
      MeshSnapshot snapshot,
      String listener,
      HttpConnectionManager hcm,
      RequestHeaders request,
      long draw) {
    RouteConfiguration rc = hcm.routeConfiguration();
    if (rc == null && hcm.rdsName() != null) {
      rc = snapshot.routeConfigurations().get(hcm.rdsName());
    }
    if (rc == null) {
      return new HttpPlan.Unroutable(
          "route configuration "
              + hcm.rdsName()
              + " of listener "
              + listener
              + " has not been received");
    }
    return new HttpPlan.Routed(
        listener, hcm, Router.route(RouteTable.of(rc, hcm.fault()), request, draw));
  }

  /** The TCP proxy's cluster; a weighted split picks by {@code draw mod total}, as Envoy does. */
  static String tcpCluster(TcpProxy tcp, long draw) {
    if (!tcp.cluster().isEmpty() || tcp.weightedClusters().isEmpty()) {
      return tcp.cluster();
    }
    // Map.copyOf loses order; sort so the split is stable across processes.
    Map<String, Integer> sorted = new TreeMap<>(tcp.weightedClusters());
    long total = 0;
    for (int w : sorted.values()) {
      total += w;
    }
    if (total <= 0) {
      return sorted.keySet().iterator().next();
    }
    long pick = Long.remainderUnsigned(draw, total);
    @Nullable String last = null;
    for (Map.Entry<String, Integer> e : sorted.entrySet()) {
      last = e.getKey();
      if (pick < e.getValue()) {
        return e.getKey();
      }
      pick -= e.getValue();
    }
    return last;
  }
}
