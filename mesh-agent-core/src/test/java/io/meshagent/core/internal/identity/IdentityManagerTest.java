package io.meshagent.core.internal.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.meshagent.XdsSource;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.grpc.XdsChannels;
import io.meshagent.core.internal.identity.istiod.IstiodCertificateIssuer;
import io.meshagent.core.testing.FakeTime;
import io.meshagent.core.testing.TestCertificates;
import io.meshagent.core.testing.TestIstioCa;
import io.meshagent.identity.KeyAlgorithm;
import io.meshagent.identity.SpiffeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation driven by a controllable clock against a real CA over gRPC and TLS: on time with jitter,
 * through a CA outage (the old certificate keeps serving, recovery when the CA returns), and until
 * expiry.
 */
class IdentityManagerTest {
  private static final String PRODUCTPAGE = "spiffe://cluster.local/ns/default/sa/productpage";
  private static final Duration TTL = Duration.ofHours(24);

  @TempDir Path dir;
  private final ControlContext serial = new ControlContext("mesh-agent-control-test");
  private final List<WorkloadCertificate> delivered = new CopyOnWriteArrayList<>();
  private TestIstioCa ca;
  private ManagedChannel channel;
  private FakeTime time;
  private IdentityManager manager;

  @BeforeEach
  void setUp() throws Exception {
    TestCertificates certs = new TestCertificates();
    time = new FakeTime(Instant.now(), serial);
    ca = new TestIstioCa(certs, dir, time).allow("pp-token", PRODUCTPAGE).start();
    Path token = Files.writeString(dir.resolve("istio-token"), "pp-token");
    channel =
        XdsChannels.open(
            new XdsSource.Server("127.0.0.1", ca.port(), true),
            certs.writeRoot(dir.resolve("root-cert.pem")),
            "istiod.istio-system.svc",
            token,
            "identity.caAddress");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (manager != null) {
      manager.close();
    }
    channel.shutdownNow();
    ca.close();
    serial.close();
  }

  private IdentityManager start(double jitterDraw) {
    IstiodCertificateIssuer issuer =
        new IstiodCertificateIssuer(
            channel,
            "127.0.0.1:" + ca.port(),
            SpiffeId.parse(PRODUCTPAGE),
            TTL,
            "Kubernetes",
            List.of());
    manager =
        new IdentityManager(
            "istiod",
            issuer,
            null,
            "cluster.local",
            KeyAlgorithm.EC_P256,
            0.5,
            0.01,
            Duration.ofSeconds(1),
            Duration.ofMinutes(5),
            serial,
            ForkJoinPool.commonPool(),
            time,
            () -> jitterDraw);
    manager.subscribe(Runnable::run, delivered::add);
    manager.start();
    return manager;
  }

  private boolean advanced(Duration step) {
    time.advance(step);
    return true;
  }

  @Test
  void obtainsACertificateThroughTheCsrFlow() throws Exception {
    start(0.5);
    WorkloadCertificate cert = manager.first().get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(cert.id()).hasToString(PRODUCTPAGE);
    assertThat(Duration.between(cert.notBefore(), cert.notAfter())).isEqualTo(TTL);
    assertThat(cert.roots()).hasSize(1);
    assertThat(ca.requests())
        .singleElement()
        .satisfies(
            h ->
                assertThat(h.toString())
                    .contains("clusterid=Kubernetes")
                    .contains("authorization=Bearer pp-token"));
    assertThat(manager.status().valid(time.now())).isTrue();
  }

  @Test
  void rotatesAtHalfTheLifetimeWithJitter() throws Exception {
    // draw 1.0 -> +1 % jitter: rotation at 51 % of 24 h.
    start(1.0);
    WorkloadCertificate first = manager.first().get(20, java.util.concurrent.TimeUnit.SECONDS);
    Instant expected = first.notBefore().plus(Duration.ofMillis((long) (TTL.toMillis() * 0.51)));
    assertThat(manager.status().nextRotation()).isEqualTo(expected);

    time.advance(Duration.between(time.now(), expected).minusSeconds(1));
    assertThat(delivered).hasSize(1);
    time.advance(Duration.ofSeconds(1));
    await().until(() -> delivered.size() == 2);
    assertThat(delivered.get(1).notBefore()).isEqualTo(expected);
    assertThat(manager.current()).isSameAs(delivered.get(1));
  }

  @Test
  void jitterStaysWithinOnePercent() throws Exception {
    start(0.0);
    WorkloadCertificate first = manager.first().get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(manager.status().nextRotation())
        .isEqualTo(first.notBefore().plus(Duration.ofMillis((long) (TTL.toMillis() * 0.49))));
  }

  @Test
  void keepsServingThroughACaOutageAndRecovers() throws Exception {
    start(0.5);
    WorkloadCertificate first = manager.first().get(20, java.util.concurrent.TimeUnit.SECONDS);
    ca.mode(TestIstioCa.Mode.UNAVAILABLE);

    time.advance(Duration.ofHours(12)); // the rotation falls due; the CA refuses
    await().until(() -> manager.status().lastError() != null);
    assertThat(manager.status().lastError()).contains("UNAVAILABLE").contains("CA is down");
    assertThat(manager.current()).isSameAs(first);

    // Retries with backoff, all refused. Each retry is scheduled only once the previous attempt
    // failed, so the clock moves a minute per poll.
    await().until(() -> advanced(Duration.ofMinutes(1)) && ca.requests().size() >= 4);
    assertThat(manager.current()).isSameAs(first);
    assertThat(manager.status().lastError()).contains("UNAVAILABLE");
    assertThat(manager.status().valid(time.now())).isTrue();

    ca.mode(TestIstioCa.Mode.NORMAL);
    await().until(() -> advanced(Duration.ofMinutes(1)) && delivered.size() == 2);
    assertThat(manager.current()).isNotSameAs(first);
    assertThat(manager.status().valid(time.now())).isTrue();
  }

  @Test
  void anExpiredCertificateIsNoLongerPresented() throws Exception {
    start(0.5);
    manager.first().get(20, java.util.concurrent.TimeUnit.SECONDS);
    ca.mode(TestIstioCa.Mode.UNAVAILABLE);
    await().until(() -> advanced(Duration.ofHours(1)) && manager.current() == null);
    assertThat(manager.status().valid(time.now())).isFalse();
    assertThat(manager.status().lastError()).contains("UNAVAILABLE");
  }

  @Test
  void refusesAChainOfOne() throws Exception {
    ca.mode(TestIstioCa.Mode.CHAIN_OF_ONE);
    start(0.5);
    await().until(() -> manager.status().lastError() != null);
    assertThat(manager.status().lastError())
        .contains("has a chain of 1 certificate(s); a CA sends the leaf first and its root last");
    assertThat(manager.current()).isNull();
  }

  @Test
  void refusesMalformedPem() throws Exception {
    ca.mode(TestIstioCa.Mode.MALFORMED_PEM);
    start(0.5);
    await().until(() -> manager.status().lastError() != null);
    assertThat(manager.status().lastError()).contains("malformed PEM in cert_chain[0]");
  }

  @Test
  void anUnknownTokenIsRefusedByTheCa() throws Exception {
    Files.writeString(dir.resolve("istio-token"), "someone-else");
    start(0.5);
    await().until(() -> manager.status().lastError() != null);
    assertThat(manager.status().lastError()).contains("UNAUTHENTICATED");
  }
}
