package io.meshagent.netty.internal.tls;

import io.meshagent.core.identity.WorkloadCertificate;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * SSL contexts presenting a workload certificate and verifying peers as SPIFFE identities of the
 * mesh: TLS 1.3 only, client certificates required on the server side, no hostname verification
 * (the peer's SPIFFE id replaces it).
 */
public final class MeshSslContexts {
  static final String[] PROTOCOLS = {"TLSv1.3"};

  private MeshSslContexts() {}

  /** A server context; {@code alpn} lists the protocols offered, in preference order. */
  public static SslContext server(
      WorkloadCertificate cert, TrustManager trust, TlsEngine engine, List<String> alpn)
      throws SSLException {
    SslContextBuilder b =
        SslContextBuilder.forServer(cert.privateKey(), cert.chain().toArray(new X509Certificate[0]))
            .clientAuth(ClientAuth.REQUIRE);
    return configure(b, trust, engine, alpn).build();
  }

  /** A client context; {@code alpn} lists the protocols offered, in preference order. */
  public static SslContext client(
      WorkloadCertificate cert, TrustManager trust, TlsEngine engine, List<String> alpn)
      throws SSLException {
    SslContextBuilder b =
        SslContextBuilder.forClient()
            .keyManager(cert.privateKey(), cert.chain().toArray(new X509Certificate[0]))
            // SPIFFE ids replace host names; the trust manager checks the peer's identity.
            .endpointIdentificationAlgorithm(null);
    return configure(b, trust, engine, alpn).build();
  }

  private static SslContextBuilder configure(
      SslContextBuilder b, TrustManager trust, TlsEngine engine, List<String> alpn) {
    b.sslProvider(engine.provider).protocols(PROTOCOLS).trustManager(forEngine(trust, engine));
    if (!alpn.isEmpty()) {
      b.applicationProtocolConfig(
          new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              alpn));
    }
    return b;
  }

  private static TrustManager forEngine(TrustManager trust, TlsEngine engine) {
    return engine == TlsEngine.BORINGSSL && trust instanceof X509ExtendedTrustManager x
        ? new AlertingTrustManager(x)
        : trust;
  }
}
