package io.meshagent.netty.internal.outbound;

import java.util.List;

/**
 * The ALPN Istio's {@code istio.alpn} filter sets on mTLS connections to sidecars (istio/proxy
 * {@code source/extensions/filters/http/alpn}; istiod's {@code pilot/pkg/networking/core/
 * cluster_builder.go}): the inbound listener of the peer selects its filter chain by it, and
 * answers with the plain protocol it chose. When a TCP connection's peer chooses {@code
 * istio-peer-exchange}, both ends run Istio's TCP metadata exchange first ({@code
 * TcpPeerExchange}).
 */
public final class IstioAlpn {
  public static final List<String> HTTP11 = List.of("istio-http/1.1", "istio", "http/1.1");
  public static final List<String> HTTP2 = List.of("istio-h2", "istio", "h2");
  public static final List<String> TCP = List.of("istio-peer-exchange", "istio");

  private IstioAlpn() {}
}
