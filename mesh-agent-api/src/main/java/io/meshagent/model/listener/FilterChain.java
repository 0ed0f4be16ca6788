package io.meshagent.model.listener;

import java.util.List;

/**
 * A filter chain: what it matches and the network filters it runs.
 *
 * @param name the chain's name
 * @param match when it applies
 * @param filters network filters in order
 * @param transportSocket the chain's transport socket name ({@code envoy.transport_sockets.tls}) or
 *     empty for plaintext
 */
public record FilterChain(
    String name, FilterChainMatch match, List<NetworkFilter> filters, String transportSocket) {

  public FilterChain {
    filters = List.copyOf(filters);
  }

  void addRdsNames(List<String> out) {
    for (NetworkFilter f : filters) {
      if (f instanceof HttpConnectionManager hcm && hcm.rdsName() != null) {
        out.add(hcm.rdsName());
      }
    }
  }
}
