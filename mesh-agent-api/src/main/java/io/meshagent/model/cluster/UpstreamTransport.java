package io.meshagent.model.cluster;

import static java.util.Objects.requireNonNull;

import io.meshagent.model.StringMatcher;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How a connection to one upstream endpoint is made: the transport socket a cluster's {@code
 * transport_socket} or one of its {@code transport_socket_matches} configures. Anything else is
 * rejected when the cluster is parsed, so a connection never falls back to a weaker transport than
 * the control plane asked for.
 */
public sealed interface UpstreamTransport {

  /** Plaintext TCP ({@code envoy.transport_sockets.raw_buffer}). */
  record Plaintext() implements UpstreamTransport {
    /** The instance. */
    public static final Plaintext INSTANCE = new Plaintext();
  }

  /**
   * Istio mutual TLS ({@code envoy.transport_sockets.tls} with the {@code UpstreamTlsContext} that
   * istiod emits for {@code ISTIO_MUTUAL}).
   *
   * @param sni the server name to send, for example {@code
   *     outbound_.9080_._.reviews.default.svc.cluster.local}; empty to send none
   * @param alpnProtocols the ALPN protocols to offer, in order, for example {@code
   *     istio-peer-exchange, istio}; Istio's {@code istio.alpn} filter replaces them per request
   *     with {@code istio-http/1.0}, {@code istio-http/1.1} or {@code istio-h2}
   * @param subjectAltNames the peer certificate is accepted when one of its SANs matches one of
   *     these; empty accepts any certificate the trust anchor verifies
   * @param certificate where the client certificate and key come from
   * @param trustAnchor where the roots that verify the peer come from
   */
  record IstioMtls(
      String sni,
      List<String> alpnProtocols,
      List<StringMatcher> subjectAltNames,
      CertificateSource certificate,
      CertificateSource trustAnchor)
      implements UpstreamTransport {
    public IstioMtls {
      requireNonNull(sni, "sni");
      alpnProtocols = List.copyOf(alpnProtocols);
      subjectAltNames = List.copyOf(subjectAltNames);
      requireNonNull(certificate, "certificate");
      requireNonNull(trustAnchor, "trustAnchor");
    }
  }

  /**
   * TLS that a DestinationRule originates ({@code SIMPLE} or {@code MUTUAL} with its own
   * credentials), as opposed to the mesh's {@link IstioMtls}.
   *
   * @param sni the server name to send, or empty
   * @param alpnProtocols the ALPN protocols to offer, in order
   * @param subjectAltNames SANs the server certificate must match one of; empty accepts any the
   *     trust anchor verifies
   * @param certificate the client certificate ({@code MUTUAL}), or null ({@code SIMPLE})
   * @param trustAnchor the roots verifying the server, or null when the rule sets {@code
   *     insecureSkipVerify}
   */
  record Tls(
      String sni,
      List<String> alpnProtocols,
      List<StringMatcher> subjectAltNames,
      @Nullable CertificateSource certificate,
      @Nullable CertificateSource trustAnchor)
      implements UpstreamTransport {
    public Tls {
      requireNonNull(sni, "sni");
      alpnProtocols = List.copyOf(alpnProtocols);
      subjectAltNames = List.copyOf(subjectAltNames);
    }
  }

  /**
   * HBONE: istiod's {@code envoy.transport_sockets.internal_upstream} socket, which hands the
   * connection to the {@code connect_originate} internal listener; that listener tunnels it in an
   * HTTP/2 CONNECT over mutual TLS to the endpoint's port {@value #PORT}.
   *
   * @param inner the transport inside the tunnel: {@link Plaintext} as istiod emits it, or a TLS
   *     the user originates through the tunnel
   */
  record Hbone(UpstreamTransport inner) implements UpstreamTransport {
    /** The port HBONE tunnels to. */
    public static final int PORT = 15008;

    public Hbone {
      requireNonNull(inner, "inner");
    }
  }
}
