package io.meshagent.model.listener;

import static java.util.Objects.requireNonNull;

/**
 * An IP (or host) and port.
 *
 * @param host an IP literal, or a host name for logical DNS
 * @param port the port
 */
public record SocketAddress(String host, int port) {
  public SocketAddress {
    requireNonNull(host, "host");
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
