package io.meshagent.netty.internal.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/** Which TLS implementation handshakes. */
public enum TlsEngine {
  /** netty-tcnative's BoringSSL: the default wherever its native library loads. */
  BORINGSSL(SslProvider.OPENSSL),
  /** The JDK's provider: the fallback. */
  JDK(SslProvider.JDK);

  final SslProvider provider;

  TlsEngine(SslProvider provider) {
    this.provider = provider;
  }

  /** BoringSSL when available, else the JDK. */
  public static TlsEngine preferred() {
    return OpenSsl.isAvailable() ? BORINGSSL : JDK;
  }
}
