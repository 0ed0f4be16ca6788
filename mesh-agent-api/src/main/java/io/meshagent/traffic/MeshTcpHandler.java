package io.meshagent.traffic;

/**
 * Serves TCP connections that reached the agent's inbound side on a TCP filter chain and passed its
 * checks (mTLS mode, network authorization): what the app's own listener would serve behind a
 * sidecar's {@code tcp_proxy}, in process.
 *
 * <p>Each connection gets a thread of its own (the executor given when serving, or the data plane's
 * bounded pool), so the handler may block on the socket's streams. The connection is the handler's
 * until it returns: then the agent sends what was written and closes it. A handler that throws has
 * its connection closed and the failure logged with the port and the peer.
 */
@FunctionalInterface
public interface MeshTcpHandler {
  void handle(MeshSocket socket, InboundContext context) throws Exception;
}
