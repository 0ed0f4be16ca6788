package io.meshagent.traffic;

import java.util.concurrent.CompletableFuture;

/**
 * Outbound traffic through the mesh, as the app would send it through a sidecar: the agent selects
 * listener, route and cluster for the destination, balances over its endpoints, and reaches the one
 * picked over the transport the cluster says (plaintext, Istio mTLS, HBONE). Thread-safe; calls
 * never block.
 */
public interface MeshClient {

  /**
   * Sends a request. The future fails only when the request cannot be expressed (a malformed
   * authority); everything the mesh answers, including the agent's own answers (no route, upstream
   * connect failure, timeout, injected fault, overflow), is a response with Envoy's status and
   * {@link MeshHttpResponse#responseFlags() response flags}.
   */
  CompletableFuture<MeshHttpResponse> send(MeshHttpRequest request);

  /**
   * Opens a TCP connection to {@code host:port} through the mesh (a {@code tcp_proxy} destination,
   * or any port whose listener has one).
   *
   * @throws IllegalArgumentException through the future when no listener or cluster serves the
   *     destination
   */
  CompletableFuture<MeshSocket> connect(String host, int port);
}
