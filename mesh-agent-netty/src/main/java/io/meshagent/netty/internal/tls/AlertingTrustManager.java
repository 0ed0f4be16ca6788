package io.meshagent.netty.internal.tls;

import io.meshagent.core.internal.identity.PeerVerificationException;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.internal.tcnative.CertificateVerifier;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Our SPIFFE verification for BoringSSL, with each refusal told to the peer by the alert Envoy
 * sends for it: {@code certificate_expired} (expired or not yet valid: BoringSSL has one alert for
 * both), {@code unknown_ca} (a chain that does not reach the mesh roots), {@code bad_certificate}
 * (an identity we refuse). Without it BoringSSL answers every refusal with {@code internal_error},
 * which is what a ztunnel or sidecar on the other end would log: a hand check against ztunnel
 * showed it as {@code AlertReceived(InternalError)}.
 *
 * <p>The JDK's engine picks alerts on its own and gets the verifier unwrapped.
 */
final class AlertingTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager verifier;

  AlertingTrustManager(X509ExtendedTrustManager verifier) {
    this.verifier = verifier;
  }

  /** The error BoringSSL turns into the alert for {@code kind}. */
  static int errorCode(PeerVerificationException.Kind kind) {
    return switch (kind) {
      case EXPIRED -> CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED;
      case NOT_YET_VALID -> CertificateVerifier.X509_V_ERR_CERT_NOT_YET_VALID;
      case UNKNOWN_CA -> CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
      case REJECTED -> CertificateVerifier.X509_V_ERR_CERT_REJECTED;
    };
  }

  /** One of the verifier's checks. */
  @FunctionalInterface
  private interface Check {
    void run() throws CertificateException;
  }

  private static void alerting(Check check) throws CertificateException {
    try {
      check.run();
    } catch (PeerVerificationException e) {
      // The refusal stays the cause: logs and PeerIdentity.reason report its message.
      throw new OpenSslCertificateException(e.getMessage(), e, errorCode(e.kind()));
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    alerting(() -> verifier.checkClientTrusted(chain, authType));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    alerting(() -> verifier.checkServerTrusted(chain, authType));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    alerting(() -> verifier.checkClientTrusted(chain, authType, socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    alerting(() -> verifier.checkServerTrusted(chain, authType, socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    alerting(() -> verifier.checkClientTrusted(chain, authType, engine));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    alerting(() -> verifier.checkServerTrusted(chain, authType, engine));
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return verifier.getAcceptedIssuers();
  }
}
