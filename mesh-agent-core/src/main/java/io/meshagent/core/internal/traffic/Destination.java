package io.meshagent.core.internal.traffic;

import static java.util.Objects.requireNonNull;

/**
 * Where the app wants to go, as it would dial it: a host (a service name or an IP literal) and a
 * port.
 *
 * @param host a DNS name or IP literal (IPv6 without brackets)
 * @param port the port
 */
public record Destination(String host, int port) {
  public Destination {
    requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /**
   * Parses {@code host:port} or {@code [v6]:port}.
   *
   * @throws IllegalArgumentException naming the authority when it has no valid port
   */
  public static Destination parse(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon <= 0 || colon == authority.length() - 1) {
      throw new IllegalArgumentException(
          "authority '" + authority + "' must be host:port (the port selects the listener)");
    }
    String host = authority.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException("authority '" + authority + "': IPv6 needs brackets");
    }
    int port;
    try {
      port = Integer.parseInt(authority.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("authority '" + authority + "': port is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("authority '" + authority + "': port out of range");
    }
    return new Destination(host, port);
  }

  /** Whether the host is an IPv4 or IPv6 literal. */
  public boolean hostIsIp() {
    return isIpLiteral(host);
  }

  static boolean isIpLiteral(String s) {
    if (s.indexOf(':') >= 0) {
      return true; // only IPv6 literals contain ':' once the port is split off
    }
    int dots = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '.') {
        dots++;
      } else if (c < '0' || c > '9') {
        return false;
      }
    }
    return dots == 3;
  }

  /** {@code host:port}, with brackets for IPv6. */
  public String authority() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return authority();
  }
}
