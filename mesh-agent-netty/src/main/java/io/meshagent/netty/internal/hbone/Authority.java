package io.meshagent.netty.internal.hbone;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/**
 * The {@code :authority} of an HBONE CONNECT: {@code ip:port}, IPv6 as {@code [addr]:port}. Only
 * literal addresses: nothing here resolves a name (and so nothing blocks).
 */
public final class Authority {
  private Authority() {}

  /** {@code ip:port} or {@code [v6]:port}, as Envoy prints addresses too. */
  public static String format(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    if (ip == null) {
      throw new IllegalArgumentException("unresolved address " + address);
    }
    String host = NetUtil.toAddressString(ip);
    return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /** The address of an authority, or null if it is not a literal {@code ip:port}. */
  static @Nullable InetSocketAddress parse(@Nullable CharSequence authority) {
    if (authority == null) {
      return null;
    }
    String s = authority.toString();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      return null;
    }
    String host = s.substring(0, colon);
    String portText = s.substring(colon + 1);
    byte[] bytes;
    if (host.startsWith("[") && host.endsWith("]")) {
      bytes = NetUtil.createByteArrayFromIpAddressString(host.substring(1, host.length() - 1));
      if (bytes == null || bytes.length != 16) {
        return null;
      }
    } else {
      bytes = NetUtil.createByteArrayFromIpAddressString(host);
      if (bytes == null || bytes.length != 4) {
        return null; // a bare IPv6 address without brackets is ambiguous
      }
    }
    if (portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    int port = Integer.parseInt(portText);
    if (port == 0 || port > 65535) {
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
    } catch (UnknownHostException e) {
      return null; // only for a wrong length, excluded above
    }
  }

  /**
   * An address with IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) turned into IPv4, as ztunnel's {@code
   * socket::to_canonical} does before comparing addresses.
   */
  static InetAddress canonical(InetAddress ip) {
    if (ip instanceof Inet6Address) {
      byte[] b = ip.getAddress();
      boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = b[i] == 0;
      }
      if (mapped) {
        try {
          return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
          throw new AssertionError(e);
        }
      }
    }
    return ip;
  }
}
