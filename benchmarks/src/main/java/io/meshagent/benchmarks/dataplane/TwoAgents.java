package io.meshagent.benchmarks.dataplane;

import io.meshagent.MeshAgent;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.agent.AgentInternals;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.netty.DataPlaneOptions;
import io.meshagent.netty.MeshDataPlane;
import io.meshagent.traffic.InboundContext;
import io.meshagent.traffic.MeshClient;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Two agents in this process on the embedded default (a {@code file:} xDS source each and the dev
 * CA in a shared directory), as mesh-agent-netty's {@code TwoAgentsEndToEndTest} wires them. The
 * server agent serves the echo app on port 9080 (STRICT mTLS, istiod's RBAC allowing the client),
 * the bulk sink in process on port 9000 ({@link InProcessSink}) and forwards port 9001 to the same
 * sink as a Netty app on loopback ({@link Sink}, a sidecar's path), all on {@code 127.0.0.2}, and
 * runs the HBONE server there. The client agent's configuration routes {@code echo:9080}, {@code
 * sink:9000} and {@code sink-forward:9001} over Istio mTLS ({@code tlsMode: istio} endpoints) and
 * their {@code -hbone} names over HBONE ({@code tunnel: http} endpoints).
 */
final class TwoAgents implements AutoCloseable {
  static final String SERVER_IP = "127.0.0.2";
  static final int HTTP_PORT = 9080;
  static final int TCP_PORT = 9000;
  static final int FORWARD_PORT = 9001;
  static final String ECHO = "echo";
  static final String ECHO_HBONE = "echo-hbone";
  static final String SINK = "sink.default.svc.cluster.local";
  static final String SINK_HBONE = "sink-hbone.default.svc.cluster.local";
  static final String SINK_FORWARD = "sink-forward.default.svc.cluster.local";
  static final String SINK_FORWARD_HBONE = "sink-forward-hbone.default.svc.cluster.local";
  private static final String SERVER_SA = "bench-server";
  private static final String CLIENT_SA = "bench-client";

  private final EventLoopGroup appGroup;
  private final Channel sinkApp;
  private final MeshAgent serverAgent;
  private final MeshDataPlane server;
  private final MeshAgent clientAgent;
  private final MeshDataPlane clientPlane;

  private final String serverIp;

  TwoAgents(Path dir, int threads) throws Exception {
    this(dir, threads, SERVER_IP, true);
  }

  /**
   * A pair whose server listens on {@code serverIp}; {@code telemetry} false starts both data
   * planes without Istio's metrics, peer metadata and spans (the overhead comparison).
   */
  TwoAgents(Path dir, int threads, String serverIp, boolean telemetry) throws Exception {
    this.serverIp = serverIp;
    Files.createDirectories(dir);
    Path ca = dir.resolve("ca");
    this.appGroup =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("sink-app", true), NioIoHandler.newFactory());
    this.sinkApp =
        new ServerBootstrap()
            .group(appGroup)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new Sink());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();

    Path serverJson = dir.resolve("server.json");
    Files.writeString(
        serverJson,
        new MeshConfig()
            .virtualInbound(
                MeshConfig.inboundHttpChain(HTTP_PORT, "cluster.local/ns/default/sa/" + CLIENT_SA),
                MeshConfig.inboundTcpChain(TCP_PORT),
                MeshConfig.inboundTcpChain(FORWARD_PORT))
            .render());
    this.serverAgent = agent(serverJson, "bench-server-v1", SERVER_SA, ca);
    DataPlaneOptions options =
        DataPlaneOptions.defaults().withEventLoopThreads(threads).withTelemetry(telemetry);
    this.server = MeshDataPlane.start(serverAgent, options);
    InetSocketAddress http =
        server.serveHttp(new InetSocketAddress(serverIp, 0), HTTP_PORT, TwoAgents::echo);
    InetSocketAddress tcp =
        server.serveTcp(new InetSocketAddress(serverIp, 0), TCP_PORT, new InProcessSink());
    InetSocketAddress forwarded =
        server.forward(
            new InetSocketAddress(serverIp, 0),
            FORWARD_PORT,
            (InetSocketAddress) sinkApp.localAddress());
    InetSocketAddress hbone = server.startHbone(new InetSocketAddress(serverIp, 0));

    String san = "spiffe://cluster.local/ns/default/sa/" + SERVER_SA;
    String echo = "outbound|9080||echo.default.svc.cluster.local";
    String echoHbone = "outbound|9080||echo-hbone.default.svc.cluster.local";
    String sink = "outbound|9000||" + SINK;
    String sinkHbone = "outbound|9000||" + SINK_HBONE;
    String forward = "outbound|9001||" + SINK_FORWARD;
    String forwardHbone = "outbound|9001||" + SINK_FORWARD_HBONE;
    Path clientJson = dir.resolve("client.json");
    Files.writeString(
        clientJson,
        new MeshConfig()
            .cluster(echo, HTTP_PORT, san)
            .endpoint(echo, MeshConfig.MTLS, serverIp, http.getPort())
            .cluster(echoHbone, HTTP_PORT, san)
            .endpoint(echoHbone, MeshConfig.HBONE, serverIp, HTTP_PORT)
            .cluster(sink, TCP_PORT, san)
            .endpoint(sink, MeshConfig.MTLS, serverIp, tcp.getPort())
            .cluster(sinkHbone, TCP_PORT, san)
            .endpoint(sinkHbone, MeshConfig.HBONE, serverIp, TCP_PORT)
            .cluster(forward, FORWARD_PORT, san)
            .endpoint(forward, MeshConfig.MTLS, serverIp, forwarded.getPort())
            .cluster(forwardHbone, FORWARD_PORT, san)
            .endpoint(forwardHbone, MeshConfig.HBONE, serverIp, FORWARD_PORT)
            .httpListener(HTTP_PORT)
            .routes(HTTP_PORT, ECHO, echo, ECHO_HBONE, echoHbone)
            .render());
    this.clientAgent = agent(clientJson, "bench-client-v1", CLIENT_SA, ca);
    this.clientPlane = MeshDataPlane.start(clientAgent, options.withHbonePort(hbone.getPort()));
  }

  private static MeshAgent agent(Path json, String pod, String sa, Path ca) throws Exception {
    MeshAgent a =
        MeshAgent.builder()
            .xdsFile(json)
            .podName(pod)
            .namespace("default")
            .serviceAccount(sa)
            .identityProvider(IdentityProvider.DEV)
            .devCaDir(ca)
            .build();
    a.awaitInitialConfig(Duration.ofSeconds(20));
    a.awaitIdentity(Duration.ofSeconds(20));
    return a;
  }

  /** The app behind the server agent: echoes the request body with a 200. */
  private static CompletableFuture<MeshHttpResponse> echo(
      MeshHttpRequest request, InboundContext context) {
    return CompletableFuture.completedFuture(new MeshHttpResponse(200, List.of(), request.body()));
  }

  /** The port a sink host is served on. */
  static int port(String sinkHost) {
    return sinkHost.startsWith("sink-forward") ? FORWARD_PORT : TCP_PORT;
  }

  MeshClient client() {
    return clientPlane.client();
  }

  WorkloadCertificate serverCertificate() {
    return certificate(serverAgent);
  }

  WorkloadCertificate clientCertificate() {
    return certificate(clientAgent);
  }

  private static WorkloadCertificate certificate(MeshAgent agent) {
    IdentityManager identity = AgentInternals.identity(agent);
    WorkloadCertificate c = identity == null ? null : identity.current();
    if (c == null) {
      throw new IllegalStateException("agent has no workload certificate");
    }
    return c;
  }

  @Override
  public void close() {
    clientPlane.close();
    server.close();
    clientAgent.close();
    serverAgent.close();
    sinkApp.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    appGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
