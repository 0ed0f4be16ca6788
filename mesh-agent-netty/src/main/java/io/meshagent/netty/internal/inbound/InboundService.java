package io.meshagent.netty.internal.inbound;

import io.meshagent.traffic.MeshHttpHandler;
import io.meshagent.traffic.MeshTcpHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * A port the app serves to the mesh, in exactly one way.
 *
 * @param servicePort the port the mesh calls (the inbound filter chains match on it)
 * @param handler serves HTTP in process, or null
 * @param tcp serves TCP connections in process, or null
 * @param app where the app listens on loopback (the sidecar's forward), or null
 */
public record InboundService(
    int servicePort,
    @Nullable MeshHttpHandler handler,
    @Nullable InProcessTcp tcp,
    @Nullable InetSocketAddress app) {

  /** A TCP handler and the threads its connections run on. */
  public record InProcessTcp(MeshTcpHandler handler, Executor executor) {
    public InProcessTcp {
      java.util.Objects.requireNonNull(handler, "handler");
      java.util.Objects.requireNonNull(executor, "executor");
    }
  }

  public InboundService {
    int ways = (handler == null ? 0 : 1) + (tcp == null ? 0 : 1) + (app == null ? 0 : 1);
    if (ways != 1) {
      throw new IllegalArgumentException(
          "port "
              + servicePort
              + ": give exactly one of an HTTP handler, a TCP handler and an app address");
    }
  }

  public static InboundService http(int servicePort, MeshHttpHandler handler) {
    return new InboundService(servicePort, handler, null, null);
  }

  public static InboundService tcp(int servicePort, MeshTcpHandler handler, Executor executor) {
    return new InboundService(servicePort, null, new InProcessTcp(handler, executor), null);
  }

  public static InboundService forward(int servicePort, InetSocketAddress app) {
    return new InboundService(servicePort, null, null, app);
  }
}
