package io.meshagent.core.internal.listener;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What filter-chain matching sees of a connection: its original destination (as if iptables had
 * captured it), what TLS inspection would have found, and its source.
 *
 * @param destinationIp the original destination IP literal
 * @param destinationPort the original destination port
 * @param serverName the TLS SNI, or null
 * @param transportProtocol {@code raw_buffer} or {@code tls}
 * @param applicationProtocols ALPN offered (or sniffed: {@code http/1.1}, {@code h2c}, Istio's
 *     {@code istio-peer-exchange}, ...)
 * @param sourceIp the source IP literal
 * @param sourcePort the source port
 */
public record ConnectionInfo(
    String destinationIp,
    int destinationPort,
    @Nullable String serverName,
    String transportProtocol,
    List<String> applicationProtocols,
    String sourceIp,
    int sourcePort) {
  public ConnectionInfo {
    applicationProtocols = List.copyOf(applicationProtocols);
  }

  /** A plaintext connection from loopback to {@code ip:port}, as the app's outbound calls are. */
  public static ConnectionInfo plaintext(String ip, int port, List<String> alpn) {
    return new ConnectionInfo(ip, port, null, "raw_buffer", alpn, "127.0.0.1", 0);
  }
}
