package io.meshagent.netty.internal.inbound;

import io.meshagent.MeshAgent;
import io.meshagent.core.internal.traffic.InboundMode;
import io.meshagent.netty.internal.hbone.HboneServer;
import io.meshagent.netty.internal.observe.Telemetry;
import io.meshagent.netty.internal.tls.WorkloadTls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbound side: listeners for the services the app registers, and the same services for HBONE
 * tunnels whose authority names their port.
 */
public final class Inbound {
  private final InboundPipelines pipelines;
  private final EventLoopGroup group;
  private final Map<Integer, InboundService> services = new ConcurrentHashMap<>();

  /** HBONE streams served here: keep-alive HTTP on them would hold a drain open indefinitely. */
  private final ChannelGroup tunnels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  public Inbound(
      MeshAgent agent,
      WorkloadTls tls,
      InboundMode fallback,
      EventLoopGroup group,
      int maxBody,
      Telemetry telemetry) {
    this.group = group;
    this.pipelines =
        new InboundPipelines(
            agent, tls, fallback, new AppForwarder(group, maxBody), maxBody, telemetry);
  }

  /**
   * Listens on {@code bind} for {@code service}, and serves it to HBONE tunnels.
   *
   * @throws IllegalStateException if the service port is served already
   */
  public InboundServer listen(InetSocketAddress bind, InboundService service)
      throws InterruptedException {
    register(service);
    try {
      return new InboundServer(bind, service, pipelines, group);
    } catch (RuntimeException | InterruptedException e) {
      services.remove(service.servicePort(), service);
      throw e;
    }
  }

  /** Serves {@code service} to HBONE tunnels only. */
  public void register(InboundService service) {
    if (services.putIfAbsent(service.servicePort(), service) != null) {
      throw new IllegalStateException("port " + service.servicePort() + " is served already");
    }
  }

  /** Ends the HBONE streams served here (the data plane is closing); does not wait. */
  public void closeTunnels() {
    tunnels.close();
  }

  /** Whether {@code port} is a served service port. */
  public boolean serves(int port) {
    return services.containsKey(port);
  }

  /** The HBONE server's hook: tunnels to a registered port enter the inbound chain. */
  public HboneServer.LocalServices localServices() {
    return destination -> {
      InboundService s = services.get(destination.getPort());
      return s == null
          ? null
          : stream -> {
            tunnels.add(stream);
            pipelines.tunnel(stream, s);
          };
    };
  }
}
