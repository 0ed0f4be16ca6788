package io.meshagent.benchmarks.tls;

import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.KeyPairs;
import io.meshagent.core.internal.identity.SpiffePeerVerifier;
import io.meshagent.core.internal.identity.SpiffeTrustManager;
import io.meshagent.core.internal.identity.dev.DevCertificateAuthority;
import io.meshagent.identity.KeyAlgorithm;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.tls.MeshSslContexts;
import io.meshagent.netty.internal.tls.TlsEngine;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full mTLS 1.3 handshakes between two workload identities in memory, client and server on one
 * thread: the score is complete handshakes (both sides' work) per second on one core. Contexts are
 * the agent's own, SPIFFE verification included. {@link HandshakeHarness} measures the same over
 * loopback sockets, TCP set-up included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class HandshakeBenchmark {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  @Param({"BORINGSSL", "JDK"})
  TlsEngine engine;

  @Param({"EC_P256", "RSA_2048"})
  KeyAlgorithm key;

  private SslContext server;
  private SslContext client;
  private final ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
  private final ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
  private final ByteBuffer app = ByteBuffer.allocate(1 << 17);

  @Setup
  public void setUp() throws Exception {
    Path dir = Files.createTempDirectory("mesh-agent-bench-ca");
    WorkloadCertificate s = issue(dir, "reviews");
    WorkloadCertificate c = issue(dir, "productpage");
    SpiffePeerVerifier verifier = new SpiffePeerVerifier("cluster.local", s.trustBundles());
    SpiffeTrustManager trust = new SpiffeTrustManager(() -> verifier, Clock.systemUTC());
    server = MeshSslContexts.server(s, trust, engine, List.of());
    client = MeshSslContexts.client(c, trust, engine, List.of());
  }

  private WorkloadCertificate issue(Path dir, String sa) throws Exception {
    SpiffeId id = SpiffeId.ofIstio("cluster.local", "default", sa);
    return new DevCertificateAuthority(
            dir, id, Duration.ofHours(24), Runnable::run, Clock.systemUTC())
        .issue(KeyPairs.generate(key))
        .get();
  }

  @Benchmark
  public boolean handshake() throws SSLException {
    SSLEngine c = client.newEngine(ByteBufAllocator.DEFAULT, "reviews", 15008);
    SSLEngine s = server.newEngine(ByteBufAllocator.DEFAULT);
    try {
      toServer.clear();
      toClient.clear();
      c.beginHandshake();
      s.beginHandshake();
      for (int round = 0; round < 30; round++) {
        pump(c, toClient, toServer);
        pump(s, toServer, toClient);
        if (done(c) && done(s) && toServer.position() == 0 && toClient.position() == 0) {
          return true;
        }
      }
      throw new SSLException("the handshake did not finish in 30 rounds");
    } finally {
      ReferenceCountUtil.release(c);
      ReferenceCountUtil.release(s);
    }
  }

  private static boolean done(SSLEngine e) {
    HandshakeStatus h = e.getHandshakeStatus();
    return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
  }

  /**
   * Lets {@code e} read what its peer left in {@code in}, then write whatever it has. It always
   * offers to wrap: BoringSSL's engine may have records to send while reporting another status.
   */
  private void pump(SSLEngine e, ByteBuffer in, ByteBuffer out) throws SSLException {
    in.flip();
    while (in.hasRemaining()) {
      app.clear();
      SSLEngineResult r = e.unwrap(in, app);
      tasks(e);
      if (r.bytesConsumed() == 0) {
        break;
      }
    }
    in.compact();
    for (int i = 0; i < 10; i++) {
      SSLEngineResult r = e.wrap(EMPTY, out);
      tasks(e);
      if (r.bytesProduced() == 0) {
        break;
      }
    }
  }

  private static void tasks(SSLEngine e) {
    Runnable task;
    while ((task = e.getDelegatedTask()) != null) {
      task.run();
    }
  }
}
