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
  private final List<List<String>> prebuiltClientAlpn;
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
    this(identity, engine, serverAlpn, clientAlpn, List.of(), clock, builder);
  }

  /**
   * Contexts that also offer each of {@code prebuiltClientAlpn} on the client side (see {@link
   * #clientContext(List)}), built with the others: building a context reads the key store and the
   * system's randomness, which must not happen on an event loop. When the identity already holds a
   * certificate, the first contexts are built here, on the caller's thread.
   *
   * @param builder where contexts are built on rotation (an executor that may do CPU work)
   */
  public WorkloadTls(
      IdentityManager identity,
      TlsEngine engine,
      List<String> serverAlpn,
      List<String> clientAlpn,
      List<List<String>> prebuiltClientAlpn,
      Clock clock,
      Executor builder) {
    this.identity = identity;
    this.engine = engine;
    this.serverAlpn = List.copyOf(serverAlpn);
    this.clientAlpn = List.copyOf(clientAlpn);
    this.prebuiltClientAlpn = prebuiltClientAlpn.stream().map(List::copyOf).toList();
    this.trust = new SpiffeTrustManager(this::verifier, clock);
    WorkloadCertificate first = identity.current();
    if (first != null) {
      rebuild(first);
    }
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
              prebuilt(cert));
    } catch (SSLException | RuntimeException e) {
      log.error("cannot build TLS contexts for {}; keeping the previous ones", cert.id(), e);
    }
  }

  private Map<List<String>, SslContext> prebuilt(WorkloadCertificate cert) throws SSLException {
    Map<List<String>, SslContext> m = new ConcurrentHashMap<>();
    for (List<String> alpn : prebuiltClientAlpn) {
      m.put(alpn, MeshSslContexts.client(cert, trust, engine, alpn));
    }
    return m;
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
    if (identity.current() == null) {
      throw new NoWorkloadCertificateException(identity.status().lastError());
    }
    // Right after a rotation the previous contexts serve until the listener has built the new
    // ones (the previous certificate is still valid then): never built on the caller's thread,
    // which may be an event loop.
    Contexts c = contexts;
    if (c == null) {
      throw new NoWorkloadCertificateException("TLS contexts are not built yet");
    }
    return c;
  }

  @Override
  public void close() {
    subscription.close();
  }
}
