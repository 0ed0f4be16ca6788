package io.meshagent.interop.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.KeyPairs;
import io.meshagent.core.internal.identity.Pem;
import io.meshagent.core.internal.identity.dev.DevCertificateAuthority;
import io.meshagent.identity.KeyAlgorithm;
import io.meshagent.identity.SpiffeId;
import io.meshagent.interop.GoPeers;
import io.meshagent.netty.internal.hbone.HboneClient;
import io.meshagent.netty.internal.hbone.HboneFixture;
import io.meshagent.netty.internal.hbone.HboneServer;
import io.meshagent.netty.internal.hbone.HboneTunnel;
import io.netty.buffer.Unpooled;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HBONE interop with Istio's own Go implementation ({@code istio.io/istio/pkg/hbone}, built from
 * the Go module proxy by {@code interop/go}), both directions, byte-exact: its dialer through our
 * server, and our client through its server. Identities come from one dev CA.
 */
class IstioGoHboneInteropTest {
  private static final SpiffeId GO_PEER =
      SpiffeId.parse("spiffe://cluster.local/ns/default/sa/go-peer");
  private static final int SIZE = 1 << 20;

  @TempDir Path dir;
  private HboneFixture fx;
  private Path cert;
  private Path key;
  private Path ca;
  private Process goServer;

  @BeforeEach
  void setUp() throws Exception {
    fx = new HboneFixture(dir);
    // The fixture's CA lives in dir/ca; the Go peer gets a certificate from the same CA.
    fx.identity(HboneFixture.REVIEWS, "ca");
    WorkloadCertificate goCert =
        new DevCertificateAuthority(
                dir.resolve("ca"), GO_PEER, Duration.ofHours(1), Runnable::run, Clock.systemUTC())
            .issue(KeyPairs.generate(KeyAlgorithm.EC_P256))
            .get(20, TimeUnit.SECONDS);
    cert = Files.writeString(dir.resolve("go-cert.pem"), Pem.encodeCertificates(goCert.chain()));
    key = Files.writeString(dir.resolve("go-key.pem"), Pem.encodePrivateKey(goCert.privateKey()));
    ca = Files.writeString(dir.resolve("go-ca.pem"), Pem.encodeCertificates(goCert.roots()));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (goServer != null) {
      goServer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    fx.close();
  }

  @Test
  void istioDialerThroughOurServer() throws Exception {
    Path peer = GoPeers.binary("hbone-peer");
    List<SpiffeId> peers = new CopyOnWriteArrayList<>();
    HboneServer server =
        fx.closeLater(
            new HboneServer(
                fx.tls(HboneFixture.REVIEWS, List.of("h2")),
                (id, dst) -> peers.add(id),
                HboneServer.LOOPBACK,
                fx.group));
    InetSocketAddress hbone = server.bind(new InetSocketAddress("127.0.0.1", 0));
    InetSocketAddress app = fx.echoApp();

    GoPeers.Result r =
        GoPeers.run(
            dir,
            2,
            peer.toString(),
            "dial",
            "--proxy",
            "127.0.0.1:" + hbone.getPort(),
            "--target",
            "127.0.0.1:" + app.getPort(),
            "--size",
            Integer.toString(SIZE),
            "--cert",
            cert.toString(),
            "--key",
            key.toString(),
            "--ca",
            ca.toString());

    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("OK " + SIZE + " bytes");
    assertThat(peers).containsExactly(GO_PEER);
  }

  @Test
  void ourClientThroughIstioServer() throws Exception {
    Path peer = GoPeers.binary("hbone-peer");
    goServer =
        new ProcessBuilder(
                peer.toString(),
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--cert",
                cert.toString(),
                "--key",
                key.toString(),
                "--ca",
                ca.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(goServer.getInputStream(), StandardCharsets.UTF_8));
    String first = out.readLine();
    assertThat(first).as("the Go server's first line").startsWith("LISTENING ");
    // Keep draining its log so it never blocks on a full pipe.
    Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
    drain.setDaemon(true);
    drain.start();
    String addr = first.substring("LISTENING ".length()).trim();
    int port = Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1));

    InetSocketAddress app = fx.echoApp();
    HboneClient client =
        fx.closeLater(
            new HboneClient(
                fx.tls(HboneFixture.PRODUCTPAGE, List.of("h2")),
                () -> HboneFixture.PRODUCTPAGE,
                fx.group,
                Duration.ofMinutes(1)));
    HboneTunnel tunnel =
        client.connect(new InetSocketAddress("127.0.0.1", port), app).get(20, TimeUnit.SECONDS);
    HboneFixture.Collector received = new HboneFixture.Collector();
    tunnel.start(received);

    byte[] payload = new byte[SIZE];
    new Random(42).nextBytes(payload);
    tunnel.writeAndFlush(Unpooled.wrappedBuffer(payload));
    tunnel.shutdownOutput();

    assertThat(received.eof.get(30, TimeUnit.SECONDS)).isEqualTo(payload);
  }
}
