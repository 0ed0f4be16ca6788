package io.meshagent.core.internal.identity.spire;

import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * Where the Workload API listens, as {@code SPIFFE_ENDPOINT_SOCKET} spells it (spiffe/spiffe {@code
 * standards/SPIFFE_Workload_Endpoint.md} §4): {@code unix:} with no authority and an absolute path,
 * or {@code tcp://<ip>:<port>} with nothing else.
 *
 * @param value the address as given, for messages
 * @param socketPath the unix socket's absolute path, or null for TCP
 * @param host the IP literal for TCP (IPv6 without brackets), or null for a unix socket
 * @param port the TCP port, or 0 for a unix socket
 */
record WorkloadApiAddress(
    String value, @Nullable String socketPath, @Nullable String host, int port) {
  static final String ENV = "SPIFFE_ENDPOINT_SOCKET";
  private static final String FORMS =
      "unix:///absolute/path/to/socket (or unix:/absolute/path/to/socket) or tcp://<ip>:<port>";

  /**
   * Parses {@code value}.
   *
   * @throws IllegalArgumentException naming {@code SPIFFE_ENDPOINT_SOCKET}, the value, what is
   *     wrong, and the accepted forms
   */
  static WorkloadApiAddress parse(String value) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw invalid(value, "it is not a URI (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw invalid(value, "it has no scheme");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw invalid(value, "it must not have a query or fragment");
    }
    return switch (scheme) {
      case "unix" -> unix(value, uri);
      case "tcp" -> tcp(value, uri);
      default -> throw invalid(value, "the scheme '" + scheme + "' is neither unix nor tcp");
    };
  }

  private static WorkloadApiAddress unix(String value, URI uri) {
    if (uri.isOpaque()) {
      throw invalid(value, "the socket path must be absolute");
    }
    if (uri.getRawAuthority() != null) {
      throw invalid(
          value,
          "a unix address has no authority ('" + uri.getRawAuthority() + "'); use three slashes");
    }
    String path = uri.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      throw invalid(value, "it names no socket path");
    }
    return new WorkloadApiAddress(value, path, null, 0);
  }

  private static WorkloadApiAddress tcp(String value, URI uri) {
    if (uri.isOpaque() || uri.getRawAuthority() == null) {
      throw invalid(value, "a tcp address needs //<ip>:<port>");
    }
    if (uri.getRawUserInfo() != null) {
      throw invalid(value, "it must not have user info");
    }
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty()) {
      throw invalid(value, "a tcp address must not have a path");
    }
    String host = uri.getHost();
    if (host == null || !(isIpv4(host) || isBracketedIpv6(host))) {
      throw invalid(value, "the host of a tcp address must be an IP address");
    }
    if (uri.getPort() < 1 || uri.getPort() > 65535) {
      throw invalid(value, "a tcp address needs a port from 1 to 65535");
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return new WorkloadApiAddress(value, null, bare, uri.getPort());
  }

  private static boolean isIpv4(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean isBracketedIpv6(String host) {
    // java.net.URI has already checked the IPv6 syntax of a bracketed host.
    return host.length() > 2 && host.startsWith("[") && host.endsWith("]") && host.indexOf(':') > 0;
  }

  private static IllegalArgumentException invalid(String value, String why) {
    return new IllegalArgumentException(
        ENV
            + "='"
            + value
            + "' is not a Workload API address: "
            + why
            + "; accepted forms: "
            + FORMS);
  }

  /** True for a unix domain socket. */
  boolean isUnix() {
    return socketPath != null;
  }

  @Override
  public String toString() {
    return value;
  }
}
