package io.meshagent.core.internal.xds;

import static io.meshagent.core.testing.EnvoyResources.edsCluster;
import static io.meshagent.core.testing.EnvoyResources.endpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentConfigException;
import io.meshagent.core.testing.TestCertificates;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent dials a TLS control plane as it dials istiod's 15012: it verifies the server against a
 * root-cert file under istiod's service name, and sends the token file as a bearer token, re-read
 * when Kubernetes rotates it.
 */
class XdsTlsAndTokenTest {
  @TempDir Path dir;

  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private Server server;
  private MeshAgent agent;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (agent != null) {
      agent.close();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private int startServer(TestCertificates ca, int port) throws Exception {
    TestCertificates.Issued serving = ca.issueServer("istiod.istio-system.svc");
    SimpleCache<String> cache = new SimpleCache<>(node -> "mesh");
    cache.setSnapshot(
        "mesh",
        Snapshot.create(
            List.of(edsCluster("outbound|9080||reviews")),
            List.of(endpoints("outbound|9080||reviews", 9080, "10.0.0.1")),
            List.of(),
            List.of(),
            List.of(),
            "1"));
    ServerInterceptor recordAuth =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            authorizations.add(
                String.valueOf(
                    headers.get(
                        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER))));
            return next.startCall(call, headers);
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .sslContext(
                GrpcSslContexts.forServer(
                        serving.writeCertificate(dir.resolve("serving.pem")).toFile(),
                        serving.writeKey(dir.resolve("serving-key.pem")).toFile())
                    .build())
            .addService(
                ServerInterceptors.intercept(
                    new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl(), recordAuth))
            .build()
            .start();
    return server.getPort();
  }

  @Test
  void verifiesIstiodAndSendsTheRotatingToken() throws Exception {
    TestCertificates ca = new TestCertificates();
    int port = startServer(ca, 0);
    Path token = Files.writeString(dir.resolve("istio-token"), "token-one\n");
    agent =
        MeshAgent.builder()
            .xdsAddress("tls://127.0.0.1:" + port)
            .xdsRootCert(ca.writeRoot(dir.resolve("root-cert.pem")))
            .xdsServerName("istiod.istio-system.svc")
            .tokenFile(token)
            .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
            .build();
    assertThat(agent.awaitInitialConfig(Duration.ofSeconds(20)).clusters())
        .containsKey("outbound|9080||reviews");
    assertThat(authorizations).containsOnly("Bearer token-one");

    // Kubernetes rewrites the projected token; the next stream carries the new one.
    Files.writeString(token, "token-two-rotated\n");
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(20)).until(() -> !agent.controlPlaneStatus().connected());
    startServer(ca, port);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> authorizations.contains("Bearer token-two-rotated"));
    await().atMost(Duration.ofSeconds(20)).until(() -> agent.controlPlaneStatus().connected());
  }

  @Test
  void refusesAServerOutsideTheConfiguredRoots() throws Exception {
    int port = startServer(new TestCertificates(), 0);
    agent =
        MeshAgent.builder()
            .xdsAddress("tls://127.0.0.1:" + port)
            .xdsRootCert(new TestCertificates().writeRoot(dir.resolve("other-root.pem")))
            .xdsServerName("istiod.istio-system.svc")
            .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
            .build();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> String.valueOf(agent.controlPlaneStatus().lastError()).contains("UNAVAILABLE"));
    assertThat(agent.controlPlaneStatus().connected()).isFalse();
    assertThat(agent.snapshot().version()).isZero();
    assertThat(authorizations).isEmpty();
  }

  @Test
  void missingTokenFileFailsAtStartNamingTheSetting() {
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    MeshAgent.builder()
                        .xdsAddress("tls://127.0.0.1:15012")
                        .tokenFile(dir.resolve("absent-token"))
                        .build()))
        .isInstanceOf(MeshAgentConfigException.class)
        .hasMessageContaining("xds.tokenFile")
        .hasMessageContaining("absent-token");
  }
}
