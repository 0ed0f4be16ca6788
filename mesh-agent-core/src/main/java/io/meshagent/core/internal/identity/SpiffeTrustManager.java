package io.meshagent.core.internal.identity;

import static java.util.Objects.requireNonNull;

import io.meshagent.identity.SpiffeId;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * A JSSE trust manager that accepts exactly the peers a {@link SpiffePeerVerifier} accepts, on both
 * the client and the server side.
 *
 * <p>The verifier is fetched from the supplier on every handshake, so rotated roots (and, on the
 * client side, a changed allowed-SAN list) apply to the next handshake without rebuilding the
 * {@code SSLContext}. There is no hostname verification, even when the {@code SSLParameters} ask
 * for an endpoint identification algorithm: in the mesh the SPIFFE id replaces the host name.
 * Because JSSE gives a trust manager no way to hand back what it verified, {@link
 * #peerIdentity(SSLSession)} re-reads the identity from the session.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {
  private final Supplier<SpiffePeerVerifier> verifier;
  private final Clock clock;

  public SpiffeTrustManager(Supplier<SpiffePeerVerifier> verifier, Clock clock) {
    this.verifier = requireNonNull(verifier, "verifier");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * The SPIFFE id of the peer of an established session whose chain this trust manager verified.
   *
   * @throws SSLPeerUnverifiedException if the peer presented no certificate or its certificate has
   *     no single valid SPIFFE id
   */
  public static SpiffeId peerIdentity(SSLSession session) throws SSLPeerUnverifiedException {
    Certificate[] chain = session.getPeerCertificates();
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      throw new SSLPeerUnverifiedException("peer presented no X.509 certificate");
    }
    try {
      return SpiffePeerVerifier.parseSpiffe(SpiffePeerVerifier.singleUriSan(leaf), leaf);
    } catch (PeerVerificationException e) {
      SSLPeerUnverifiedException u = new SSLPeerUnverifiedException(e.getMessage());
      u.initCause(e);
      throw u;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain);
  }

  /** The current roots; clients use them to pick a certificate the server will accept. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return verifier.get().roots().toArray(new X509Certificate[0]);
  }

  private void verify(X509Certificate @Nullable [] chain) throws PeerVerificationException {
    List<X509Certificate> certs = chain == null ? List.of() : Arrays.asList(chain);
    verifier.get().verify(certs, clock.instant());
  }
}
