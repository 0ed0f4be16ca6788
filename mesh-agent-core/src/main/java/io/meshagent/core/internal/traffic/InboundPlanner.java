package io.meshagent.core.internal.traffic;

import io.meshagent.core.internal.listener.ConnectionInfo;
import io.meshagent.core.internal.listener.FilterChainSelector;
import io.meshagent.model.listener.FilterChain;
import io.meshagent.model.listener.HttpConnectionManager;
import io.meshagent.model.listener.Listener;
import io.meshagent.model.listener.NetworkFilter;
import io.meshagent.model.listener.NetworkRbac;
import io.meshagent.model.listener.TcpProxy;
import io.meshagent.model.listener.TrafficDirection;
import io.meshagent.snapshot.MeshSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The inbound filter chain for a connection, as a sidecar's {@code virtualInbound} listener picks
 * it (destination port, transport protocol, ALPN, ...): istiod expresses PeerAuthentication through
 * which chains exist — STRICT has only TLS chains, PERMISSIVE TLS and plaintext ones, DISABLE
 * plaintext ones — so the choice alone enforces the mode. In the grpc profile the listener is the
 * one bound to the service port. Pure.
 */
public final class InboundPlanner {
  /** istiod's name for the sidecar's inbound listener. */
  public static final String VIRTUAL_INBOUND = "virtualInbound";

  private static final String TLS_SOCKET = "envoy.transport_sockets.tls";

  private InboundPlanner() {}

  /**
   * Plans a connection.
   *
   * @param fallback the mode when no inbound listener covers the port
   */
  public static InboundPlan plan(MeshSnapshot snapshot, ConnectionInfo c, InboundMode fallback) {
    Listener listener = inboundListener(snapshot, c.destinationPort());
    if (listener == null) {
      return fallback(c, fallback);
    }
    FilterChain chain = FilterChainSelector.select(listener, c);
    if (chain == null) {
      return new InboundPlan.Refuse(
          "no filter chain of "
              + listener.name()
              + " matches port "
              + c.destinationPort()
              + " "
              + c.transportProtocol()
              + " ALPN "
              + c.applicationProtocols()
              + (c.transportProtocol().equals("raw_buffer")
                  ? " (plaintext refused: mTLS STRICT?)"
                  : ""));
    }
    boolean tls = TLS_SOCKET.equals(chain.transportSocket());
    List<NetworkRbac> rbac = new ArrayList<>();
    HttpConnectionManager hcm = null;
    boolean tcp = false;
    for (NetworkFilter f : chain.filters()) {
      if (f instanceof NetworkRbac r) {
        rbac.add(r);
      } else if (f instanceof HttpConnectionManager h) {
        hcm = h;
      } else if (f instanceof TcpProxy) {
        tcp = true;
      }
    }
    if (hcm == null && !tcp) {
      return new InboundPlan.Refuse(
          "filter chain "
              + chain.name()
              + " of "
              + listener.name()
              + " has neither an HTTP connection manager nor a TCP proxy");
    }
    return new InboundPlan.Accept(listener.name(), chain.name(), tls, rbac, hcm, tcp);
  }

  private static InboundPlan fallback(ConnectionInfo c, InboundMode mode) {
    boolean tls = c.transportProtocol().equals("tls");
    boolean allowed =
        switch (mode) {
          case STRICT -> tls;
          case DISABLE -> !tls;
          case PERMISSIVE -> true;
        };
    if (!allowed) {
      return new InboundPlan.Refuse(
          "port "
              + c.destinationPort()
              + " is "
              + mode
              + " (no inbound listener configured) and"
              + " the connection is "
              + (tls ? "TLS" : "plaintext"));
    }
    return new InboundPlan.Accept("", "fallback-" + mode, tls, List.of(), null, false);
  }

  /** {@code virtualInbound}, else an inbound listener bound to {@code port}, else null. */
  static @Nullable Listener inboundListener(MeshSnapshot snapshot, int port) {
    Listener vi = snapshot.listeners().get(VIRTUAL_INBOUND);
    if (vi != null) {
      return vi;
    }
    for (Listener l : snapshot.listeners().values()) {
      if (l.direction() == TrafficDirection.INBOUND
          && l.address() != null
          && l.address().port() == port) {
        return l;
      }
    }
    return null;
  }
}
