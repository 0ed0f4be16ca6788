package io.meshagent;

import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where the agent's configuration comes from: an istiod (or any ADS server) over gRPC, or a local
 * file of Envoy resources.
 */
public sealed interface XdsSource permits XdsSource.Server, XdsSource.File {

  /** The accepted forms, for error messages. */
  String ACCEPTED_FORMS =
      "file:<path> (Envoy resources in YAML or JSON), <host>:<port> (TLS unless the port is"
          + " 15010), plaintext://<host>:<port> or tls://<host>:<port>";

  /**
   * An ADS server.
   *
   * @param host host name or IP address (IPv6 without brackets)
   * @param port gRPC port: istiod serves 15010 (plaintext) and 15012 (TLS)
   * @param tls whether to use TLS, verifying the server against the configured root certificate
   */
  record Server(String host, int port, boolean tls) implements XdsSource {
    /** {@code host:port}, bracketing IPv6 literals; the gRPC target. */
    public String authority() {
      return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public String toString() {
      return (tls ? "tls://" : "plaintext://") + authority();
    }
  }

  /**
   * A file of Envoy resources, reloaded when it changes.
   *
   * @param path the file
   */
  record File(Path path) implements XdsSource {
    @Override
    public String toString() {
      return "file:" + path;
    }
  }

  /**
   * Parses the textual form used by {@code MESH_AGENT_XDS_ADDRESS} and the builder.
   *
   * @param setting the setting being parsed, named in the error
   * @throws MeshAgentConfigException if {@code value} is not one of {@link #ACCEPTED_FORMS}
   */
  static XdsSource parse(String setting, String value) {
    String v = value.trim();
    if (v.startsWith("file:")) {
      String p = v.substring("file:".length());
      if (p.startsWith("//")) {
        p = p.substring(2);
      }
      if (p.isEmpty()) {
        throw new MeshAgentConfigException(setting, "'" + value + "' names no file");
      }
      return new File(Path.of(p));
    }
    Boolean tls = null;
    String hostPort = v;
    String lower = v.toLowerCase(Locale.ROOT);
    if (lower.startsWith("plaintext://")) {
      tls = false;
      hostPort = v.substring("plaintext://".length());
    } else if (lower.startsWith("tls://")) {
      tls = true;
      hostPort = v.substring("tls://".length());
    } else if (lower.contains("://")) {
      throw new MeshAgentConfigException(
          setting, "'" + value + "' has an unknown scheme; accepted: " + ACCEPTED_FORMS);
    }
    HostPort hp = HostPort.parse(setting, value, hostPort);
    return new Server(hp.host, hp.port, tls != null ? tls : hp.port != 15010);
  }

  /** A parsed {@code host:port}. */
  final class HostPort {
    final String host;
    final int port;

    private HostPort(String host, int port) {
      this.host = host;
      this.port = port;
    }

    static HostPort parse(String setting, String original, String hostPort) {
      String host;
      String portText;
      if (hostPort.startsWith("[")) {
        int close = hostPort.indexOf(']');
        if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':') {
          throw bad(setting, original);
        }
        host = hostPort.substring(1, close);
        portText = hostPort.substring(close + 2);
      } else {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || hostPort.indexOf(':') != colon) {
          throw bad(setting, original);
        }
        host = hostPort.substring(0, colon);
        portText = hostPort.substring(colon + 1);
      }
      int port = parsePort(portText);
      if (host.isEmpty() || port < 1) {
        throw bad(setting, original);
      }
      return new HostPort(host, port);
    }

    private static int parsePort(String text) {
      try {
        int p = Integer.parseInt(text);
        return p <= 65535 ? p : -1;
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    private static MeshAgentConfigException bad(String setting, @Nullable String original) {
      return new MeshAgentConfigException(
          setting, "'" + original + "' is not accepted; accepted: " + ACCEPTED_FORMS);
    }
  }
}
