package io.meshagent.netty.internal.inbound;

import io.meshagent.traffic.MeshHttpHandler;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * A port the app serves to the mesh.
 *
 * @param servicePort the port the mesh calls (the inbound filter chains match on it)
 * @param handler serves HTTP in process, or null
 * @param app where the app listens on loopback (the sidecar's forward), or null
 */
public record InboundService(
    int servicePort, @Nullable MeshHttpHandler handler, @Nullable InetSocketAddress app) {
  public InboundService {
    if ((handler == null) == (app == null)) {
      throw new IllegalArgumentException(
          "port " + servicePort + ": give exactly one of an in-process handler and an app address");
    }
  }
}
