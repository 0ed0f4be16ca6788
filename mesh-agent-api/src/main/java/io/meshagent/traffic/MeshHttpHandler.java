package io.meshagent.traffic;

import java.util.concurrent.CompletableFuture;

/**
 * Serves HTTP requests that reached the agent's inbound side and passed its checks (mTLS mode,
 * authorization, JWT). Called on a network thread: return at once, and complete the future from
 * wherever the work is done. A failed future becomes a 500.
 */
@FunctionalInterface
public interface MeshHttpHandler {
  CompletableFuture<MeshHttpResponse> handle(MeshHttpRequest request, InboundContext context);
}
