package io.meshagent.core.internal.traffic;

import io.meshagent.model.listener.HttpConnectionManager;
import io.meshagent.model.listener.NetworkRbac;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What the inbound side does with a connection, once its first bytes were inspected. */
public sealed interface InboundPlan {

  /**
   * Close it (Envoy finds no filter chain): for example plaintext on a STRICT port.
   *
   * @param reason names the listener, port and what was seen
   */
  record Refuse(String reason) implements InboundPlan {}

  /**
   * Serve it.
   *
   * @param listener the inbound listener's name, or empty under the fallback mode
   * @param chain the filter chain's name
   * @param tls whether to terminate mTLS (the chain has a TLS transport socket)
   * @param networkRbac network RBAC filters to pass first, in order
   * @param hcm the HTTP connection manager (HTTP RBAC and JWT come from it), or null
   * @param tcp whether the chain is a TCP proxy; with neither {@code hcm} nor {@code tcp} (the
   *     fallback mode), the service decides
   */
  record Accept(
      String listener,
      String chain,
      boolean tls,
      List<NetworkRbac> networkRbac,
      @Nullable HttpConnectionManager hcm,
      boolean tcp)
      implements InboundPlan {
    public Accept {
      networkRbac = List.copyOf(networkRbac);
    }
  }
}
