package io.meshagent.core.testing;

import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's java-control-plane ADS server, in process over real gRPC on loopback: what the xDS client
 * is proven against. Every request it receives is recorded so tests can check ACKs, NACKs and
 * subscriptions.
 */
public final class ControlPlaneServer implements AutoCloseable {
  /** All agents share one node group, whatever node they present. */
  public static final String GROUP = "mesh";

  private final SimpleCache<String> cache = new SimpleCache<>(node -> GROUP);
  private final List<DiscoveryRequest> sotwRequests = new CopyOnWriteArrayList<>();
  private final List<DeltaDiscoveryRequest> deltaRequests = new CopyOnWriteArrayList<>();
  private final V3DiscoveryServer discovery;
  private int port;
  private Server server;

  public ControlPlaneServer() {
    DiscoveryServerCallbacks recorder =
        new DiscoveryServerCallbacks() {
          @Override
          public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
            sotwRequests.add(request);
          }

          @Override
          public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
            deltaRequests.add(request);
          }
        };
    this.discovery = new V3DiscoveryServer(recorder, cache);
  }

  /** Starts on an ephemeral loopback port, or on the port it had before a {@link #stop()}. */
  public ControlPlaneServer start() throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
    port = server.getPort();
    return this;
  }

  /** Stops abruptly, as a crashed control plane would. */
  public void stop() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  public int port() {
    return port;
  }

  /** {@code plaintext://127.0.0.1:<port>}, for {@code MeshAgentBuilder.xdsAddress}. */
  public String address() {
    return "plaintext://127.0.0.1:" + port;
  }

  /** Serves {@code snapshot} to every agent. */
  public void setSnapshot(Snapshot snapshot) {
    cache.setSnapshot(GROUP, snapshot);
  }

  public List<DiscoveryRequest> sotwRequests() {
    return sotwRequests;
  }

  public List<DeltaDiscoveryRequest> deltaRequests() {
    return deltaRequests;
  }

  @Override
  public void close() throws InterruptedException {
    if (server != null) {
      stop();
    }
  }
}
