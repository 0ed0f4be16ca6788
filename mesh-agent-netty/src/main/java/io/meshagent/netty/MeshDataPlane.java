package io.meshagent.netty;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshagent.MeshAgent;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.agent.AgentInternals;
import io.meshagent.core.internal.config.DaemonThreads;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.core.internal.telemetry.accesslog.AccessLog;
import io.meshagent.core.internal.telemetry.metrics.IstioMetrics;
import io.meshagent.core.internal.telemetry.peer.LocalPeerMetadata;
import io.meshagent.core.internal.telemetry.peer.TcpMetadataExchange;
import io.meshagent.core.internal.telemetry.tracing.RequestSpans;
import io.meshagent.core.internal.telemetry.tracing.TracePropagation;
import io.meshagent.core.internal.traffic.ClusterManager;
import io.meshagent.core.internal.traffic.InboundMode;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.admin.AdminServer;
import io.meshagent.netty.internal.admin.AppMetricsTarget;
import io.meshagent.netty.internal.hbone.HboneClient;
import io.meshagent.netty.internal.hbone.HboneServer;
import io.meshagent.netty.internal.inbound.Inbound;
import io.meshagent.netty.internal.inbound.InboundServer;
import io.meshagent.netty.internal.inbound.InboundService;
import io.meshagent.netty.internal.observe.Telemetry;
import io.meshagent.netty.internal.outbound.IstioAlpn;
import io.meshagent.netty.internal.outbound.OutboundClient;
import io.meshagent.netty.internal.outbound.UpstreamConnector;
import io.meshagent.netty.internal.tls.TlsEngine;
import io.meshagent.netty.internal.tls.WorkloadTls;
import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshHttpHandler;
import io.meshagent.traffic.MeshTcpHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The agent's data plane: what a sidecar does with traffic, in this process.
 *
 * <ul>
 *   <li>{@link #client()}: outbound HTTP and TCP through the mesh, routed and secured as the
 *       agent's configuration says.
 *   <li>{@link #serveHttp} / {@link #serveTcp} / {@link #forward}: inbound listeners for the app's
 *       service ports, with mTLS as PeerAuthentication says (through istiod's inbound filter
 *       chains) and authorization.
 *   <li>{@link #startHbone}: the HBONE server (ztunnel's port 15008), whose tunnels to a served
 *       port go through the same inbound checks.
 * </ul>
 *
 * <p>The agent must have an identity provider: mesh traffic is mutually authenticated. Close the
 * data plane before the agent.
 */
public final class MeshDataPlane implements AutoCloseable {
  /** How many connections the data plane's pool serves to in-process TCP handlers at once. */
  public static final int MAX_TCP_HANDLER_THREADS = 1024;

  private final EventLoopGroup group;
  private final ExecutorService tlsBuilder;
  private final ExecutorService adminWorker;
  private final ExecutorService tcpHandlers;
  private final MeshAgent agent;
  private final WorkloadTls meshTls;
  private final WorkloadTls hboneTls;
  private final HboneClient hboneClient;
  private final ClusterManager clusters;
  private final OutboundClient client;
  private final Inbound inbound;
  private final Telemetry telemetry;
  private final List<AutoCloseable> servers = new ArrayList<>();

  private MeshDataPlane(MeshAgent agent, DataPlaneOptions options) {
    IdentityManager identity = AgentInternals.identity(agent);
    if (identity == null) {
      throw new IllegalStateException(
          "the data plane needs a workload identity: configure an identity provider (DEV, FILES,"
              + " ISTIOD or SPIRE)");
    }
    this.group =
        new MultiThreadIoEventLoopGroup(
            options.eventLoopThreads(),
            new DefaultThreadFactory("mesh-agent-io", true),
            NioIoHandler.newFactory());
    // Not Netty's thread factory: its threads count as event loops, which must never block.
    this.tlsBuilder = Executors.newSingleThreadExecutor(DaemonThreads.named("mesh-agent-tls"));
    this.adminWorker = Executors.newSingleThreadExecutor(DaemonThreads.named("mesh-agent-admin"));
    // A thread per connection, made when needed: the handlers block on their sockets.
    this.tcpHandlers =
        new ThreadPoolExecutor(
            0,
            MAX_TCP_HANDLER_THREADS,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            DaemonThreads.named("mesh-agent-tcp-handler"));
    this.agent = agent;
    TlsEngine engine = options.jdkTls() ? TlsEngine.JDK : TlsEngine.preferred();
    Clock clock = Clock.systemUTC();
    Executor builder = tlsBuilder;
    this.meshTls =
        new WorkloadTls(
            identity,
            engine,
            // The last for Istio's TCP metadata exchange, which TCP clients of sidecars offer.
            List.of("h2", "http/1.1", TcpMetadataExchange.ALPN),
            List.of(),
            List.of(IstioAlpn.HTTP11, IstioAlpn.HTTP2, IstioAlpn.TCP),
            clock,
            builder);
    this.hboneTls = new WorkloadTls(identity, engine, List.of("h2"), List.of("h2"), clock, builder);
    this.hboneClient =
        new HboneClient(hboneTls, () -> source(identity), group, HboneClient.DEFAULT_IDLE);
    this.clusters = new ClusterManager(AgentInternals.control(agent), clock);
    this.telemetry = telemetry(agent, identity, options);
    this.client =
        new OutboundClient(
            agent,
            clusters,
            new UpstreamConnector(
                meshTls, hboneClient, group, options.hbonePort(), telemetry::baggage),
            group,
            options.maxBodyBytes(),
            telemetry);
    this.inbound =
        new Inbound(
            agent,
            meshTls,
            InboundMode.valueOf(options.inboundFallback()),
            group,
            options.maxBodyBytes(),
            telemetry);
  }

  private static Telemetry telemetry(
      MeshAgent agent, IdentityManager identity, DataPlaneOptions options) {
    Node node = AgentInternals.node(agent);
    // Computed once the identity is known (its principal labels our side); the node never changes.
    AtomicReference<LocalPeerMetadata> local = new AtomicReference<>();
    Supplier<LocalPeerMetadata> supplier =
        () -> {
          LocalPeerMetadata m = local.get();
          if (m != null) {
            return m;
          }
          WorkloadCertificate c = identity.current();
          m = LocalPeerMetadata.of(node, c == null ? null : c.id());
          if (c != null) {
            local.compareAndSet(null, m);
          }
          return m;
        };
    if (!options.telemetry()) {
      return Telemetry.disabled(
          IstioMetrics.create(), supplier, AccessLog.create(options.accessLog()));
    }
    return new Telemetry(
        IstioMetrics.create(),
        supplier,
        AccessLog.create(options.accessLog()),
        RequestSpans.create(options.openTelemetry()),
        TracePropagation.defaults(),
        name -> agent.snapshot().clusters().get(name),
        agent::snapshot);
  }

  /**
   * Istio's standard metrics of this data plane ({@code istio_requests_total}, ...) in Prometheus
   * text format.
   */
  public String prometheusText() {
    return telemetry.prometheusText();
  }

  private static SpiffeId source(IdentityManager identity) {
    WorkloadCertificate c = identity.current();
    if (c == null) {
      throw new IllegalStateException("no workload certificate yet");
    }
    return c.id();
  }

  /** Starts a data plane with {@link DataPlaneOptions#defaults()}. */
  public static MeshDataPlane start(MeshAgent agent) {
    return start(agent, DataPlaneOptions.defaults());
  }

  /** Starts a data plane. */
  public static MeshDataPlane start(MeshAgent agent, DataPlaneOptions options) {
    return new MeshDataPlane(agent, options);
  }

  /** Outbound traffic. */
  public MeshClient client() {
    return client;
  }

  /**
   * Serves {@code servicePort} with an in-process handler, listening on {@code bind}.
   *
   * @return the bound address (a port of 0 in {@code bind} picks a free one)
   */
  public InetSocketAddress serveHttp(
      InetSocketAddress bind, int servicePort, MeshHttpHandler handler)
      throws InterruptedException {
    return listen(bind, InboundService.http(servicePort, handler));
  }

  /**
   * Serves {@code servicePort} with an in-process TCP handler, listening on {@code bind} and for
   * HBONE tunnels: for a port whose inbound chain is TCP ({@code tcp_proxy}), as the app's own
   * listener would behind a sidecar. Each connection runs on a thread of the data plane's pool,
   * which holds up to {@value #MAX_TCP_HANDLER_THREADS} at once; a connection beyond that is
   * refused and logged. A connection that meets an HTTP chain is refused too: its HTTP rules cannot
   * be applied to bytes.
   *
   * @return the bound address (a port of 0 in {@code bind} picks a free one)
   */
  public InetSocketAddress serveTcp(InetSocketAddress bind, int servicePort, MeshTcpHandler handler)
      throws InterruptedException {
    return serveTcp(bind, servicePort, handler, tcpHandlers);
  }

  /**
   * As {@link #serveTcp(InetSocketAddress, int, MeshTcpHandler)}, each connection on a thread of
   * {@code executor}, which must not run tasks on the caller's thread (the network's): a connection
   * it rejects, or runs there, is refused and logged; one whose task it drops is closed when the
   * peer leaves.
   */
  public InetSocketAddress serveTcp(
      InetSocketAddress bind, int servicePort, MeshTcpHandler handler, Executor executor)
      throws InterruptedException {
    return listen(bind, InboundService.tcp(servicePort, handler, executor));
  }

  /**
   * Serves {@code servicePort} by forwarding to the app at {@code app} (on loopback), listening on
   * {@code bind}: HTTP per request when the inbound chain is HTTP, bytes for a TCP chain.
   */
  public InetSocketAddress forward(InetSocketAddress bind, int servicePort, InetSocketAddress app)
      throws InterruptedException {
    return listen(bind, InboundService.forward(servicePort, app));
  }

  private synchronized InetSocketAddress listen(InetSocketAddress bind, InboundService service)
      throws InterruptedException {
    InboundServer s = inbound.listen(bind, service);
    servers.add(s);
    return s.address();
  }

  /**
   * Envoy's admin address: port 15000 on loopback, where the admin server is started by default.
   */
  public static final InetSocketAddress DEFAULT_ADMIN =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 15000);

  /**
   * Starts the admin server on {@link #DEFAULT_ADMIN}, loopback port 15000, as Envoy's admin
   * listens in a sidecar.
   *
   * @return the bound address
   */
  public InetSocketAddress startAdmin() throws InterruptedException {
    return startAdmin(DEFAULT_ADMIN);
  }

  /**
   * Starts the admin server on {@code bind} (Envoy's admin port 15000; keep it on loopback): {@code
   * /config_dump} ({@code envoy.admin.v3.ConfigDump} JSON of what the agent accepted, with versions
   * and update times, secrets redacted), {@code /clusters} (health, outlier ejection, circuit
   * breakers), {@code /certs}, {@code /ready} and {@code /stats/prometheus}.
   *
   * @return the bound address
   */
  public synchronized InetSocketAddress startAdmin(InetSocketAddress bind)
      throws InterruptedException {
    AdminServer s =
        AdminServer.startAdmin(
            bind, agent, clusters, telemetry::prometheusText, group, adminWorker);
    servers.add(s);
    return s.address();
  }

  /**
   * Starts Istio's merged metrics endpoint on {@code bind} (port 15020): {@code /stats/prometheus}
   * with the agent's metrics followed by the app's, scraped from {@code appMetricsPort} and {@code
   * appMetricsPath} on loopback as pilot-agent does (a failing app scrape leaves the agent's part),
   * and {@code /healthz/ready}.
   *
   * @param appMetricsPort the app's metrics port, or 0 for none
   * @return the bound address
   */
  public synchronized InetSocketAddress startMergedMetrics(
      InetSocketAddress bind, int appMetricsPort, String appMetricsPath)
      throws InterruptedException {
    AdminServer s =
        AdminServer.startMergedMetrics(
            bind,
            agent,
            telemetry::prometheusText,
            appMetricsPort == 0 ? null : AppMetricsTarget.loopback(appMetricsPort, appMetricsPath),
            group,
            adminWorker);
    servers.add(s);
    return s.address();
  }

  /** Serves {@code servicePort} to HBONE tunnels only, with an in-process handler. */
  public void serveHttpOverHbone(int servicePort, MeshHttpHandler handler) {
    inbound.register(InboundService.http(servicePort, handler));
  }

  /** Serves {@code servicePort} to HBONE tunnels only, with an in-process TCP handler. */
  public void serveTcpOverHbone(int servicePort, MeshTcpHandler handler) {
    inbound.register(InboundService.tcp(servicePort, handler, tcpHandlers));
  }

  /**
   * Starts the HBONE server on {@code bind} (port 15008 in Istio). Tunnels to a served port enter
   * its inbound chain (mTLS mode, RBAC, JWT); tunnels to any other port are refused with 401. Any
   * peer of the mesh's trust domain may open a tunnel; authorization is the inbound chain's.
   *
   * @return the bound address
   */
  public synchronized InetSocketAddress startHbone(InetSocketAddress bind)
      throws InterruptedException {
    HboneServer server =
        new HboneServer(
            hboneTls,
            // Only served ports: the app's other loopback ports are not the mesh's to reach.
            (peer, destination) -> inbound.serves(destination.getPort()),
            HboneServer.LOOPBACK,
            inbound.localServices(),
            telemetry::baggage,
            group);
    InetSocketAddress bound = server.bind(bind);
    servers.add(server);
    return bound;
  }

  /**
   * Stops serving and closes every connection: listeners first, then the streams tunnelled to the
   * served ports (requests in flight on them are cut), then the HBONE server's drain, the client
   * pools and the event loops. Call it off the event loops.
   */
  @Override
  public void close() {
    inbound.closeTunnels();
    List<AutoCloseable> toClose;
    synchronized (this) {
      toClose = new ArrayList<>(servers);
      servers.clear();
    }
    for (AutoCloseable c : toClose) {
      try {
        c.close();
      } catch (Exception e) {
        // closing: nothing more to do with it
      }
    }
    client.close();
    hboneClient.close();
    clusters.close();
    telemetry.close();
    meshTls.close();
    hboneTls.close();
    tlsBuilder.shutdown();
    adminWorker.shutdownNow();
    tcpHandlers.shutdown(); // its handlers end as their connections, closed above, do
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
