package io.meshagent.netty.internal.tls;

import io.meshagent.Subscription;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.core.internal.identity.SpiffePeerVerifier;
import io.meshagent.core.internal.identity.SpiffeTrustManager;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSL contexts of the current workload certificate, rebuilt on each rotation. New connections
 * take the contexts current when they start; live connections keep theirs, so a rotation never
 * disturbs them. Reads are a volatile load.
 */
public final class WorkloadTls implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkloadTls.class);

  private final IdentityManager identity;
  private final TlsEngine engine;
  private final List<String> serverAlpn;
  private final List<String> clientAlpn;
  private final SpiffeTrustManager trust;
  private final Subscription subscription;
  private volatile @Nullable Contexts contexts;

  /** Set before contexts are built: building calls into the trust manager. */
  private volatile @Nullable SpiffePeerVerifier verifier;

  private record Contexts(
      WorkloadCertificate cert,
      SslContext server,
      SslContext client,
      Map<List<String>, SslContext> clientsByAlpn) {}

  /**
   * @param builder where contexts are built on rotation (an executor that may do CPU work)
   */
  public WorkloadTls(
      IdentityManager identity,
      TlsEngine engine,
      List<String> serverAlpn,
      List<String> clientAlpn,
      Clock clock,
      Executor builder) {
    this.identity = identity;
    this.engine = engine;
    this.serverAlpn = List.copyOf(serverAlpn);
    this.clientAlpn = List.copyOf(clientAlpn);
    this.trust = new SpiffeTrustManager(this::verifier, clock);
    this.subscription = identity.subscribe(builder, this::rebuild);
  }

  private SpiffePeerVerifier verifier() {
    SpiffePeerVerifier v = verifier;
    if (v == null) {
      throw new IllegalStateException("no workload certificate: peers cannot be verified");
    }
    return v;
  }

  private void rebuild(WorkloadCertificate cert) {
    try {
      // Roots rotate with the certificate; contexts already handed out verify with the new ones.
      verifier = new SpiffePeerVerifier(cert.id().trustDomain(), cert.trustBundles());
      contexts =
          new Contexts(
              cert,
              MeshSslContexts.server(cert, trust, engine, serverAlpn),
              MeshSslContexts.client(cert, trust, engine, clientAlpn),
              new ConcurrentHashMap<>());
    } catch (SSLException | RuntimeException e) {
      log.error("cannot build TLS contexts for {}; keeping the previous ones", cert.id(), e);
    }
  }

  /** The engine in use. */
  public TlsEngine engine() {
    return engine;
  }

  /**
   * The server context for a new connection.
   *
   * @throws NoWorkloadCertificateException when no valid certificate is held (mTLS fails closed)
   */
  public SslContext serverContext() throws NoWorkloadCertificateException {
    return current().server;
  }

  /** The client context for a new connection. */
  public SslContext clientContext() throws NoWorkloadCertificateException {
    return current().client;
  }

  /**
   * A client context offering {@code alpn} (Istio's {@code istio.alpn} values differ by upstream
   * protocol); built once per certificate and ALPN list.
   */
  public SslContext clientContext(List<String> alpn) throws NoWorkloadCertificateException {
    Contexts c = current();
    SslContext ctx = c.clientsByAlpn.get(alpn);
    if (ctx != null) {
      return ctx;
    }
    try {
      ctx = MeshSslContexts.client(c.cert, trust, engine, alpn);
    } catch (SSLException e) {
      throw new NoWorkloadCertificateException(
          "cannot build a TLS context for ALPN " + alpn + ": " + e);
    }
    SslContext raced = c.clientsByAlpn.putIfAbsent(List.copyOf(alpn), ctx);
    return raced != null ? raced : ctx;
  }

  private Contexts current() throws NoWorkloadCertificateException {
    WorkloadCertificate cert = identity.current();
    if (cert == null) {
      throw new NoWorkloadCertificateException(identity.status().lastError());
    }
    Contexts c = contexts;
    if (c != null && c.cert == cert) {
      return c;
    }
    // The rotation listener has not run yet (just started, or just rotated): build here, once;
    // a racing build of the same certificate is equivalent.
    rebuild(cert);
    c = contexts;
    if (c == null || c.cert != cert) {
      throw new NoWorkloadCertificateException("TLS contexts cannot be built for " + cert.id());
    }
    return c;
  }

  @Override
  public void close() {
    subscription.close();
  }
}
