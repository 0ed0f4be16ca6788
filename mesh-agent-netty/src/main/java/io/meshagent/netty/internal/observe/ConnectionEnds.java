package io.meshagent.netty.internal.observe;

import static java.util.Objects.requireNonNull;

import io.meshagent.netty.internal.hbone.Authority;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * The ends of the connections an access-log line names (a TCP connection's, or those a request
 * travelled on), each {@code ip:port} or null when unknown (an in-process app has no address, so an
 * outbound line has no downstream and an inbound line to a handler no upstream).
 *
 * @param cluster the upstream cluster ({@code outbound|...} or {@code inbound|<port>||})
 * @param upstreamHost the endpoint connected to
 * @param upstreamLocal the local address of the connection to it
 * @param downstreamLocal the address the downstream connected to
 * @param downstreamRemote the downstream's address
 * @param serverName the SNI the downstream sent
 */
public record ConnectionEnds(
    String cluster,
    @Nullable String upstreamHost,
    @Nullable String upstreamLocal,
    @Nullable String downstreamLocal,
    @Nullable String downstreamRemote,
    @Nullable String serverName) {
  public ConnectionEnds {
    requireNonNull(cluster, "cluster");
  }

  /** An outbound connection from the in-process app to {@code upstreamHost}. */
  public static ConnectionEnds outbound(
      String cluster, @Nullable String upstreamHost, @Nullable SocketAddress upstreamLocal) {
    return new ConnectionEnds(cluster, upstreamHost, address(upstreamLocal), null, null, null);
  }

  /** {@code ip:port} of an IP socket address, else null. */
  public static @Nullable String address(@Nullable SocketAddress a) {
    if (!(a instanceof InetSocketAddress i) || i.getAddress() == null) {
      return null;
    }
    return address(i.getAddress(), i.getPort());
  }

  /** {@code ip:port}, an IPv6 address in brackets as Envoy prints it. */
  public static String address(InetAddress ip, int port) {
    return Authority.format(new InetSocketAddress(ip, port));
  }
}
