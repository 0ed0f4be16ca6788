package io.meshagent.netty.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshagent.core.identity.CertificateIssuer;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.core.internal.identity.SpiffeTrustManager;
import io.meshagent.core.internal.identity.dev.DevCertificateAuthority;
import io.meshagent.core.testing.FakeTime;
import io.meshagent.identity.KeyAlgorithm;
import io.meshagent.identity.SpiffeId;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * mTLS between workload identities from the dev CA on real sockets: TLS 1.3 on BoringSSL, the
 * verified peer identity exposed, rotation without disturbing live connections, and refusals.
 */
class WorkloadTlsTest {
  private static final SpiffeId PRODUCTPAGE =
      SpiffeId.parse("spiffe://cluster.local/ns/default/sa/productpage");
  private static final SpiffeId REVIEWS =
      SpiffeId.parse("spiffe://cluster.local/ns/default/sa/reviews");

  @TempDir Path dir;
  private final ControlContext serial = new ControlContext("mesh-agent-control-tls-test");
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private FakeTime time;

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    serial.close();
    // The dev CA does its file work on the common pool; a rotation still running there would
    // recreate the CA directory while JUnit deletes the temporary one. A control task still
    // running at close may hand it one more request: wait for that task first.
    serial.awaitTermination(Duration.ofSeconds(10));
    ForkJoinPool.commonPool().awaitQuiescence(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  private IdentityManager identity(SpiffeId id, Path caDir, Duration ttl) throws Exception {
    if (time == null) {
      time = new FakeTime(Instant.now(), serial);
    }
    CertificateIssuer ca =
        new DevCertificateAuthority(caDir, id, ttl, ForkJoinPool.commonPool(), time);
    IdentityManager m =
        new IdentityManager(
            "dev",
            ca,
            null,
            id.trustDomain(),
            KeyAlgorithm.EC_P256,
            0.5,
            0.01,
            Duration.ofSeconds(1),
            Duration.ofMinutes(1),
            serial,
            ForkJoinPool.commonPool(),
            time,
            () -> 0.5);
    closeables.add(m);
    m.start();
    m.first().get(20, TimeUnit.SECONDS);
    return m;
  }

  private WorkloadTls tls(IdentityManager m, TlsEngine engine) {
    WorkloadTls t = new WorkloadTls(m, engine, List.of(), List.of(), time, Runnable::run);
    closeables.add(t);
    return t;
  }

  private static SslContext unchecked(WorkloadTls t, boolean server) {
    try {
      return server ? t.serverContext() : t.clientContext();
    } catch (NoWorkloadCertificateException e) {
      throw new IllegalStateException(e);
    }
  }

  private TlsEcho echo(WorkloadTls serverTls) throws InterruptedException {
    TlsEcho e = new TlsEcho(() -> unchecked(serverTls, true));
    closeables.add(e);
    return e;
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void mutualTlsExposesTheVerifiedPeer(TlsEngine engine) throws Exception {
    Path ca = dir.resolve("ca");
    WorkloadTls server = tls(identity(REVIEWS, ca, Duration.ofHours(24)), engine);
    WorkloadTls client = tls(identity(PRODUCTPAGE, ca, Duration.ofHours(24)), engine);
    TlsEcho echo = echo(server);

    TlsEcho.Client c = echo.connect(client.clientContext());
    assertThat(c.echo("hello")).isEqualTo("hello");
    assertThat(echo.serverSawPeers).containsExactly(PRODUCTPAGE);
    assertThat(c.channel().attr(PeerIdentity.PEER).get()).isEqualTo(REVIEWS);
    SSLSession session = c.channel().pipeline().get(SslHandler.class).engine().getSession();
    assertThat(session.getProtocol()).isEqualTo("TLSv1.3");
    assertThat(SpiffeTrustManager.peerIdentity(session)).isEqualTo(REVIEWS);
  }

  @Test
  void aReasonQuotingThePeerIsCutShort() {
    String peerSent = "spiffe://cluster.local/ns/x/sa/" + "a".repeat(5000);
    String reason =
        PeerIdentity.reason(
            new javax.net.ssl.SSLException(
                "wrapper",
                new io.meshagent.core.internal.identity.PeerVerificationException(
                    peerSent + " is not trusted")));
    assertThat(reason)
        .hasSize(PeerIdentity.MAX_REASON + "… (5046 chars)".length())
        .startsWith("spiffe://cluster.local/ns/x/sa/aaa")
        .endsWith("… (5046 chars)");
    assertThat(PeerIdentity.reason(new javax.net.ssl.SSLException("short"))).isEqualTo("short");
  }

  @Test
  void boringSslIsTheDefaultEngine() {
    assertThat(OpenSsl.isAvailable()).as("netty-tcnative BoringSSL loads").isTrue();
    assertThat(TlsEngine.preferred()).isEqualTo(TlsEngine.BORINGSSL);
  }

  @Test
  void rotationServesNewConnectionsAndLeavesLiveOnesAlone() throws Exception {
    Path ca = dir.resolve("ca");
    IdentityManager reviews = identity(REVIEWS, ca, Duration.ofHours(1));
    WorkloadCertificate before = reviews.current();
    WorkloadTls server = tls(reviews, TlsEngine.preferred());
    WorkloadTls client =
        tls(identity(PRODUCTPAGE, ca, Duration.ofHours(24)), TlsEngine.preferred());
    TlsEcho echo = echo(server);
    TlsEcho.Client live = echo.connect(client.clientContext());
    assertThat(live.echo("before")).isEqualTo("before");

    time.advance(Duration.ofMinutes(31)); // past 50 % of one hour
    await().atMost(Duration.ofSeconds(20)).until(() -> reviews.current() != before);

    assertThat(live.echo("after rotation, same connection"))
        .isEqualTo("after rotation, same connection");
    await().atMost(Duration.ofSeconds(10)).until(() -> unchecked(server, true) != null);
    TlsEcho.Client fresh = echo.connect(client.clientContext());
    assertThat(fresh.echo("new connection")).isEqualTo("new connection");
    java.security.cert.Certificate presented =
        fresh
            .channel()
            .pipeline()
            .get(SslHandler.class)
            .engine()
            .getSession()
            .getPeerCertificates()[0];
    assertThat(presented).isEqualTo(reviews.current().leaf()).isNotEqualTo(before.leaf());
  }

  @Test
  void aPeerFromAnotherTrustDomainIsRefused() throws Exception {
    WorkloadTls server =
        tls(identity(REVIEWS, dir.resolve("ca"), Duration.ofHours(24)), TlsEngine.preferred());
    WorkloadTls stranger =
        tls(
            identity(
                SpiffeId.parse("spiffe://evil.example/ns/default/sa/x"),
                dir.resolve("other-ca"),
                Duration.ofHours(24)),
            TlsEngine.preferred());
    TlsEcho echo = echo(server);
    TlsEcho.Client c = echo.connect(stranger.clientContext());
    assertThat(c.handshake()).isFalse();
    assertThat(echo.serverSawPeers).isEmpty();
  }

  @Test
  void aPeerOfAnotherCaInOurTrustDomainIsRefused() throws Exception {
    WorkloadTls server =
        tls(identity(REVIEWS, dir.resolve("ca"), Duration.ofHours(24)), TlsEngine.preferred());
    WorkloadTls impostor =
        tls(
            identity(PRODUCTPAGE, dir.resolve("rogue-ca"), Duration.ofHours(24)),
            TlsEngine.preferred());
    TlsEcho echo = echo(server);
    assertThat(echo.connect(impostor.clientContext()).handshake()).isFalse();
    assertThat(echo.serverSawPeers).isEmpty();
  }

  /**
   * Each refusal reaches the peer as the alert Envoy sends for it, not BoringSSL's internal_error
   * (which is what ztunnel logged before), and our side reports the verifier's own words.
   */
  @ParameterizedTest
  @CsvSource({
    "expired, SSLV3_ALERT_CERTIFICATE_EXPIRED, expired at",
    "not yet valid, SSLV3_ALERT_CERTIFICATE_EXPIRED, is not valid until",
    "another CA, TLSV1_ALERT_UNKNOWN_CA, does not chain to the mesh roots",
    "another trust domain, SSLV3_ALERT_BAD_CERTIFICATE, trust domain",
  })
  void aRefusedServerHearsWhyInTheAlert(String refusal, String alert, String reason)
      throws Exception {
    Path ca = dir.resolve("ca");
    IdentityManager client = identity(PRODUCTPAGE, ca, Duration.ofHours(24));
    IdentityManager server =
        switch (refusal) {
          case "another CA" -> identity(REVIEWS, dir.resolve("rogue-ca"), Duration.ofHours(24));
          case "another trust domain" ->
              identity(
                  SpiffeId.parse("spiffe://evil.example/ns/default/sa/x"),
                  dir.resolve("other-ca"),
                  Duration.ofHours(24));
          default -> identity(REVIEWS, ca, Duration.ofHours(24));
        };
    // The client judges the server's certificate by its own clock.
    java.time.Clock clientClock =
        switch (refusal) {
          case "expired" -> java.time.Clock.offset(time, Duration.ofDays(2));
          case "not yet valid" -> java.time.Clock.offset(time, Duration.ofHours(-1));
          default -> time;
        };
    WorkloadTls clientTls =
        new WorkloadTls(
            client, TlsEngine.BORINGSSL, List.of(), List.of(), clientClock, r -> r.run());
    closeables.add(clientTls);
    TlsEcho echo = echo(tls(server, TlsEngine.BORINGSSL));

    TlsEcho.Client c = echo.connect(clientTls.clientContext());

    assertThat(c.handshake()).isFalse();
    assertThat(PeerIdentity.reason(c.handshakeFuture().cause())).contains(reason);
    Throwable heard = echo.serverHandshakeFailures.poll(10, TimeUnit.SECONDS);
    assertThat(heard).isNotNull();
    assertThat(heard.getMessage()).contains(alert);
  }

  @Test
  void aClientWithoutCertificateIsRefused() throws Exception {
    WorkloadTls server =
        tls(identity(REVIEWS, dir.resolve("ca"), Duration.ofHours(24)), TlsEngine.preferred());
    TlsEcho echo = echo(server);
    SslContext noCert =
        io.netty.handler.ssl.SslContextBuilder.forClient()
            .protocols("TLSv1.3")
            .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE)
            .build();
    TlsEcho.Client c = echo.connect(noCert);
    c.channel()
        .writeAndFlush(Unpooled.copiedBuffer("let me in", java.nio.charset.StandardCharsets.UTF_8));
    assertThat(c.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(c.received()).isEmpty();
    assertThat(echo.serverSawPeers).isEmpty();
  }

  @Test
  void plaintextWhereMtlsIsRequiredIsClosed() throws Exception {
    WorkloadTls server =
        tls(identity(REVIEWS, dir.resolve("ca"), Duration.ofHours(24)), TlsEngine.preferred());
    TlsEcho echo = echo(server);
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", echo.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              "GET / HTTP/1.1\r\nHost: reviews\r\n\r\n"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      int read;
      do {
        read = s.getInputStream().read();
      } while (read >= 0 && read != 'H');
      assertThat(read)
          .as("no HTTP answer, only a closed connection (or a TLS alert)")
          .isNotEqualTo('H');
    }
    assertThat(echo.serverSawPeers).isEmpty();
  }

  @Test
  void noCertificateMeansNoContext() throws Exception {
    IdentityManager reviews = identity(REVIEWS, dir.resolve("ca"), Duration.ofHours(1));
    WorkloadTls server = tls(reviews, TlsEngine.preferred());
    // The CA directory disappears, so rotations fail until the certificate expires.
    try (var files = java.nio.file.Files.walk(dir.resolve("ca"))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    java.nio.file.Files.writeString(dir.resolve("ca"), "not a directory");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              time.advance(Duration.ofMinutes(5));
              return reviews.current() == null;
            });
    org.assertj.core.api.Assertions.assertThatThrownBy(server::serverContext)
        .isInstanceOf(NoWorkloadCertificateException.class)
        .hasMessageContaining("no valid workload certificate")
        .hasMessageContaining("dev CA");
  }
}
