package io.meshagent.netty.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.meshagent.XdsSource;
import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.grpc.XdsChannels;
import io.meshagent.core.internal.identity.ControlTimeSource;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.core.internal.identity.istiod.IstiodCertificateIssuer;
import io.meshagent.core.testing.TestCertificates;
import io.meshagent.core.testing.TestIstioCa;
import io.meshagent.identity.KeyAlgorithm;
import io.meshagent.identity.SpiffeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole flow with a CA that speaks istiod's protocol over real gRPC and TLS: each workload
 * authenticates with its token, sends a CSR, receives its certificate, and the two connect with
 * mTLS, each seeing the other's SPIFFE identity.
 */
class IstiodMtlsFlowTest {
  @TempDir Path dir;
  private final ControlContext serial = new ControlContext("mesh-agent-control-flow-test");
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    serial.close();
  }

  private IdentityManager workload(TestIstioCa ca, Path root, String token, String sa)
      throws Exception {
    Path tokenFile = Files.writeString(dir.resolve(sa + "-token"), token);
    ManagedChannel channel =
        XdsChannels.open(
            new XdsSource.Server("127.0.0.1", ca.port(), true),
            root,
            "istiod.istio-system.svc",
            tokenFile,
            "identity");
    closeables.add(channel::shutdownNow);
    IdentityManager m =
        new IdentityManager(
            "istiod",
            new IstiodCertificateIssuer(
                channel,
                "127.0.0.1:" + ca.port(),
                SpiffeId.ofIstio("cluster.local", "bookinfo", sa),
                Duration.ofHours(24),
                "Kubernetes",
                List.of()),
            null,
            "cluster.local",
            KeyAlgorithm.EC_P256,
            0.5,
            0.01,
            Duration.ofSeconds(1),
            Duration.ofMinutes(1),
            serial,
            ForkJoinPool.commonPool(),
            new ControlTimeSource(serial, Clock.systemUTC()),
            () -> 0.5);
    closeables.add(m);
    m.start();
    m.first().get(20, TimeUnit.SECONDS);
    return m;
  }

  @Test
  void csrToCertificateToMutualTls() throws Exception {
    TestCertificates certs = new TestCertificates();
    TestIstioCa ca =
        new TestIstioCa(certs, dir, Clock.systemUTC())
            .allow("pp-token", "spiffe://cluster.local/ns/bookinfo/sa/productpage")
            .allow("rv-token", "spiffe://cluster.local/ns/bookinfo/sa/reviews")
            .start();
    closeables.add(ca);
    Path root = certs.writeRoot(dir.resolve("root-cert.pem"));

    IdentityManager productpage = workload(ca, root, "pp-token", "productpage");
    IdentityManager reviews = workload(ca, root, "rv-token", "reviews");
    WorkloadTls serverTls =
        new WorkloadTls(
            reviews, TlsEngine.preferred(), List.of(), List.of(), Clock.systemUTC(), Runnable::run);
    WorkloadTls clientTls =
        new WorkloadTls(
            productpage,
            TlsEngine.preferred(),
            List.of(),
            List.of(),
            Clock.systemUTC(),
            Runnable::run);
    closeables.add(serverTls);
    closeables.add(clientTls);

    TlsEcho echo =
        new TlsEcho(
            () -> {
              try {
                return serverTls.serverContext();
              } catch (NoWorkloadCertificateException e) {
                throw new IllegalStateException(e);
              }
            });
    closeables.add(echo);
    TlsEcho.Client c = echo.connect(clientTls.clientContext());
    assertThat(c.echo("ratings?")).isEqualTo("ratings?");
    assertThat(echo.serverSawPeers)
        .containsExactly(SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/productpage"));
    assertThat(c.channel().attr(PeerIdentity.PEER).get())
        .isEqualTo(SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/reviews"));
    assertThat(ca.requests()).hasSize(2);
  }
}
