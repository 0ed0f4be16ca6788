package io.meshagent.core.internal.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshagent.core.testing.TestCertificates;
import io.meshagent.core.testing.TestCertificates.Issued;
import io.meshagent.identity.SpiffeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SpiffeTrustManagerTest {
  private static final String TD = "cluster.local";
  private static final String CLIENT_ID = "spiffe://cluster.local/ns/client/sa/app";
  private static final String SERVER_ID = "spiffe://cluster.local/ns/server/sa/api";

  private static TestCertificates ca;
  private static SpiffePeerVerifier verifier;

  @BeforeAll
  static void setUp() throws Exception {
    ca = new TestCertificates();
    verifier = new SpiffePeerVerifier(TD, Map.of(TD, List.of(ca.root())));
  }

  @Test
  void mutualHandshakeSucceedsAndExposesPeerIdentities() throws Exception {
    SSLEngine client = engine(true, ca.issueWorkload(CLIENT_ID), () -> verifier);
    SSLEngine server = engine(false, ca.issueWorkload(SERVER_ID), () -> verifier);

    handshake(client, server);

    assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(SpiffeTrustManager.peerIdentity(client.getSession()))
        .isEqualTo(SpiffeId.parse(SERVER_ID));
    assertThat(SpiffeTrustManager.peerIdentity(server.getSession()))
        .isEqualTo(SpiffeId.parse(CLIENT_ID));
  }

  @Test
  void clientRefusesServerOfAnotherTrustDomain() throws Exception {
    SSLEngine client = engine(true, ca.issueWorkload(CLIENT_ID), () -> verifier);
    SSLEngine server =
        engine(false, ca.issueWorkload("spiffe://evil.org/ns/server/sa/api"), () -> verifier);

    assertThatThrownBy(() -> handshake(client, server))
        .isInstanceOf(SSLHandshakeException.class)
        .satisfies(
            e ->
                assertThat(peerVerificationCause(e))
                    .hasMessage(
                        "peer certificate for spiffe://evil.org/ns/server/sa/api has trust domain"
                            + " evil.org; only cluster.local is trusted"));
  }

  @Test
  void serverRefusesClientOfAnotherTrustDomain() throws Exception {
    SSLEngine client =
        engine(true, ca.issueWorkload("spiffe://evil.org/ns/client/sa/app"), () -> verifier);
    SSLEngine server = engine(false, ca.issueWorkload(SERVER_ID), () -> verifier);

    assertThatThrownBy(() -> handshake(client, server))
        .isInstanceOf(SSLHandshakeException.class)
        .satisfies(
            e ->
                assertThat(peerVerificationCause(e))
                    .hasMessage(
                        "peer certificate for spiffe://evil.org/ns/client/sa/app has trust domain"
                            + " evil.org; only cluster.local is trusted"));
  }

  @Test
  void rotatedRootsApplyToTheNextHandshake() throws Exception {
    TestCertificates nextCa = new TestCertificates("next root");
    AtomicReference<SpiffePeerVerifier> current = new AtomicReference<>(verifier);
    Issued clientCert = ca.issueWorkload(CLIENT_ID);
    Issued serverCert = ca.issueWorkload(SERVER_ID);

    handshake(engine(true, clientCert, current::get), engine(false, serverCert, () -> verifier));
    current.set(new SpiffePeerVerifier(TD, Map.of(TD, List.of(nextCa.root()))));

    assertThatThrownBy(
            () ->
                handshake(
                    engine(true, clientCert, current::get),
                    engine(false, serverCert, () -> verifier)))
        .isInstanceOf(SSLHandshakeException.class)
        .satisfies(
            e ->
                assertThat(peerVerificationCause(e))
                    .hasMessageStartingWith(
                        "peer certificate for "
                            + SERVER_ID
                            + " does not chain to the mesh roots of cluster.local"));
  }

  @Test
  void socketHandshakeOnLoopbackSkipsHostnameVerification() throws Exception {
    SSLContext serverContext = context(ca.issueWorkload(SERVER_ID), () -> verifier);
    SSLContext clientContext = context(ca.issueWorkload(CLIENT_ID), () -> verifier);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try (SSLServerSocket listener =
        (SSLServerSocket)
            serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(true);
      listener.setSoTimeout(10_000);
      // Completed before the server socket closes: a TLS 1.3 close waits for the peer's
      // close_notify.
      CompletableFuture<SpiffeId> serverSeen = new CompletableFuture<>();
      executor.execute(
          () -> {
            try (SSLSocket s = (SSLSocket) listener.accept()) {
              s.setSoTimeout(10_000);
              s.startHandshake();
              serverSeen.complete(SpiffeTrustManager.peerIdentity(s.getSession()));
            } catch (Exception e) {
              serverSeen.completeExceptionally(e);
            }
          });
      try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket()) {
        socket.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()),
            10_000);
        socket.setSoTimeout(10_000);
        SSLParameters params = socket.getSSLParameters();
        // The certificate names no host; SPIFFE verification replaces hostname checks.
        params.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(params);
        socket.startHandshake();

        assertThat(SpiffeTrustManager.peerIdentity(socket.getSession()))
            .isEqualTo(SpiffeId.parse(SERVER_ID));
        assertThat(serverSeen.get(10, TimeUnit.SECONDS)).isEqualTo(SpiffeId.parse(CLIENT_ID));
      }
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void usesTheClockForValidity() throws Exception {
    Clock tomorrow = Clock.fixed(Instant.now().plus(Duration.ofDays(2)), ZoneOffset.UTC);
    SpiffeTrustManager tm = new SpiffeTrustManager(() -> verifier, tomorrow);
    X509Certificate[] chain =
        ca.chainOf(ca.issueWorkload(SERVER_ID)).toArray(new X509Certificate[0]);

    assertThatThrownBy(() -> tm.checkServerTrusted(chain, "UNKNOWN"))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessageStartingWith("peer certificate for " + SERVER_ID + " expired at ");
  }

  @Test
  void refusesMissingChain() {
    SpiffeTrustManager tm = new SpiffeTrustManager(() -> verifier, Clock.systemUTC());

    assertThatThrownBy(() -> tm.checkClientTrusted(new X509Certificate[0], "ECDHE_ECDSA"))
        .isInstanceOf(PeerVerificationException.class)
        .hasMessage("peer presented no certificate (empty chain)");
  }

  @Test
  void acceptedIssuersAreTheCurrentRoots() throws Exception {
    TestCertificates nextCa = new TestCertificates("next root");
    AtomicReference<SpiffePeerVerifier> current = new AtomicReference<>(verifier);
    SpiffeTrustManager tm = new SpiffeTrustManager(current::get, Clock.systemUTC());

    assertThat(tm.getAcceptedIssuers()).containsExactly(ca.root());
    current.set(new SpiffePeerVerifier(TD, Map.of(TD, List.of(nextCa.root()))));
    assertThat(tm.getAcceptedIssuers()).containsExactly(nextCa.root());
  }

  @Test
  void peerIdentityOfSessionWithoutPeerCertificateIsRefused() throws Exception {
    SSLEngine engine = SSLContext.getDefault().createSSLEngine();

    assertThatThrownBy(() -> SpiffeTrustManager.peerIdentity(engine.getSession()))
        .isInstanceOf(SSLPeerUnverifiedException.class);
  }

  private static PeerVerificationException peerVerificationCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PeerVerificationException p) {
        return p;
      }
    }
    throw new AssertionError("no PeerVerificationException in the causes of " + e, e);
  }

  private static SSLContext context(Issued issued, Supplier<SpiffePeerVerifier> v)
      throws Exception {
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(
        ca.keyManagers(issued),
        new TrustManager[] {new SpiffeTrustManager(v, Clock.systemUTC())},
        null);
    return context;
  }

  private static SSLEngine engine(boolean client, Issued issued, Supplier<SpiffePeerVerifier> v)
      throws Exception {
    SSLEngine engine = context(issued, v).createSSLEngine();
    engine.setUseClientMode(client);
    engine.setEnabledProtocols(new String[] {"TLSv1.3"});
    if (!client) {
      engine.setNeedClientAuth(true);
    }
    return engine;
  }

  /** Drives both engines in memory until neither is handshaking; bounded in steps. */
  private static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    int packet = Math.max(client.getSession().getPacketBufferSize(), 1 << 15);
    ByteBuffer toServer = ByteBuffer.allocate(packet);
    ByteBuffer toClient = ByteBuffer.allocate(packet);
    ByteBuffer app =
        ByteBuffer.allocate(Math.max(client.getSession().getApplicationBufferSize(), 1 << 15));
    client.beginHandshake();
    server.beginHandshake();
    for (int i = 0; i < 100; i++) {
      step(client, toServer, toClient, app);
      step(server, toClient, toServer, app);
      if (client.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
          && server.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
        return;
      }
    }
    throw new AssertionError("the handshake did not finish in 100 steps");
  }

  private static void step(SSLEngine engine, ByteBuffer out, ByteBuffer in, ByteBuffer app)
      throws SSLException {
    switch (engine.getHandshakeStatus()) {
      case NEED_TASK -> {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
          task.run();
        }
      }
      case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), out);
      case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
        in.flip();
        try {
          engine.unwrap(in, app);
        } finally {
          in.compact();
          app.clear();
        }
      }
      default -> {}
    }
  }
}
