package io.meshagent.netty.internal.hbone;

import io.meshagent.identity.SpiffeId;
import java.net.InetSocketAddress;

/**
 * Decides whether a verified peer may open a tunnel to a destination. Called on the connection's
 * event loop: must not block. Throwing denies (fail closed).
 */
@FunctionalInterface
public interface HboneAuthorizer {
  /**
   * @param peer the client's SPIFFE id from its verified certificate
   * @param destination the CONNECT authority
   */
  boolean allow(SpiffeId peer, InetSocketAddress destination);
}
