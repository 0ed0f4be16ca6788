package io.meshagent.core.internal.authz;

import static java.util.Objects.requireNonNull;

import io.meshagent.identity.SpiffeId;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What authorization reads of a connection and, for HTTP, of a request.
 *
 * @param peer the mTLS peer's identity, or null for plaintext or a peer without a certificate
 * @param sourceIp the connection's peer address ({@code direct_remote_ip})
 * @param remoteIp the client address from trusted {@code x-forwarded-for} or PROXY protocol, else
 *     {@code sourceIp} ({@code remote_ip})
 * @param destinationIp the connection's local (original destination) address
 * @param destinationPort the connection's local (original destination) port
 * @param requestedServerName the TLS SNI, or empty
 * @param http the HTTP request, or null for a TCP connection
 * @param jwtPayload the verified JWT payload as JSON values (String, Boolean, Number, List, Map),
 *     or null when no token was verified; {@code request.auth.*} then never matches
 */
public record AuthzRequest(
    @Nullable SpiffeId peer,
    InetAddress sourceIp,
    InetAddress remoteIp,
    InetAddress destinationIp,
    int destinationPort,
    String requestedServerName,
    @Nullable Http http,
    @Nullable Map<String, Object> jwtPayload) {

  public AuthzRequest {
    requireNonNull(sourceIp, "sourceIp");
    requireNonNull(remoteIp, "remoteIp");
    requireNonNull(destinationIp, "destinationIp");
    requireNonNull(requestedServerName, "requestedServerName");
    jwtPayload = jwtPayload == null ? null : Map.copyOf(jwtPayload);
  }

  /** A TCP connection; {@code remoteIp} is {@code sourceIp}. */
  public static AuthzRequest tcp(
      @Nullable SpiffeId peer,
      InetAddress sourceIp,
      InetAddress destinationIp,
      int destinationPort,
      String requestedServerName) {
    return new AuthzRequest(
        peer, sourceIp, sourceIp, destinationIp, destinationPort, requestedServerName, null, null);
  }

  /** This connection carrying the HTTP request {@code http}. */
  public AuthzRequest withHttp(Http http) {
    requireNonNull(http, "http");
    return new AuthzRequest(
        peer,
        sourceIp,
        remoteIp,
        destinationIp,
        destinationPort,
        requestedServerName,
        http,
        jwtPayload);
  }

  /** This request with the verified JWT payload {@code payload}. */
  public AuthzRequest withJwtPayload(Map<String, Object> payload) {
    requireNonNull(payload, "payload");
    return new AuthzRequest(
        peer,
        sourceIp,
        remoteIp,
        destinationIp,
        destinationPort,
        requestedServerName,
        http,
        payload);
  }

  /** This request with the client address {@code remoteIp}. */
  public AuthzRequest withRemoteIp(InetAddress remoteIp) {
    return new AuthzRequest(
        peer,
        sourceIp,
        remoteIp,
        destinationIp,
        destinationPort,
        requestedServerName,
        http,
        jwtPayload);
  }

  /**
   * An HTTP request.
   *
   * @param method {@code :method}
   * @param path {@code :path}, with query and fragment
   * @param authority {@code :authority} (HTTP/1's {@code Host})
   * @param headers the other headers by lower-case name
   */
  public record Http(
      String method, String path, String authority, Map<String, List<String>> headers) {
    public Http {
      requireNonNull(method, "method");
      requireNonNull(path, "path");
      requireNonNull(authority, "authority");
      Map<String, List<String>> copy = new HashMap<>(headers.size() * 2);
      headers.forEach((k, v) -> copy.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
      headers = Map.copyOf(copy);
    }

    /**
     * The header's values joined with {@code ,} as Envoy's RBAC matches them, or null when absent;
     * {@code :method}, {@code :path} and {@code :authority} are headers too.
     */
    public @Nullable String header(String name) {
      String n = name.toLowerCase(Locale.ROOT);
      switch (n) {
        case ":method":
          return method;
        case ":path":
          return path;
        case ":authority":
          return authority;
        default:
          break;
      }
      List<String> values = headers.get(n);
      if (values == null || values.isEmpty()) {
        return null;
      }
      return values.size() == 1 ? values.get(0) : String.join(",", values);
    }

    /** The path without query and fragment, as {@code url_path} matches it. */
    public String pathWithoutQuery() {
      int end = path.length();
      int q = path.indexOf('?');
      if (q >= 0) {
        end = q;
      }
      int f = path.indexOf('#');
      if (f >= 0 && f < end) {
        end = f;
      }
      return path.substring(0, end);
    }
  }
}
