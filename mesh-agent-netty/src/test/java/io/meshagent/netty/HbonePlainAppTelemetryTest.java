package io.meshagent.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshagent.MeshAgent;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.hbone.HboneFixture;
import io.meshagent.netty.internal.hbone.HboneServer;
import io.meshagent.traffic.HttpProtocol;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An app behind an HBONE server that is not a sidecar (ztunnel's case): its responses carry no peer
 * metadata, and the client labels the destination from the {@code baggage} of the CONNECT's 200, as
 * ztunnel sends it since 1.30.
 */
class HbonePlainAppTelemetryTest {
  private static final String SAN = "spiffe://cluster.local/ns/default/sa/plain";
  private static final String BAGGAGE =
      "k8s.cluster.name=Kubernetes,k8s.namespace.name=default,k8s.deployment.name=plain-v1,"
          + "service.name=plain,service.version=v1";

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(HttpProtocol.class)
  void aRequestToAnAppBehindZtunnelIsLabelledFromThe200sBaggage(HttpProtocol protocol)
      throws Exception {
    try (HboneFixture fx = new HboneFixture(dir);
        PlainApp app = protocol == HttpProtocol.HTTP_2 ? new H2cApp(fx.group) : new Http1App()) {
      HboneServer hbone =
          fx.closeLater(
              new HboneServer(
                  fx.tls(SpiffeId.parse(SAN), "ca", List.of("h2")),
                  (peer, destination) -> true,
                  authority -> app.address(),
                  HboneServer.LocalServices.NONE,
                  () -> BAGGAGE,
                  fx.group));
      InetSocketAddress next = hbone.bind(new InetSocketAddress("127.0.0.1", 0));

      String cluster = "outbound|9080||plain.default.svc.cluster.local";
      MeshYaml config = new MeshYaml();
      config
          .cluster(cluster, SAN, "")
          .hboneEndpoint(cluster, "127.0.0.1:9080", "127.0.0.1:" + next.getPort());
      config
          .httpListener(9080)
          .routes(
              9080,
              MeshYaml.vhost(
                  "plain",
                  List.of("plain:9080"),
                  MeshYaml.route(
                      "/", "\"cluster\": \"" + cluster + "\", \"timeout\": \"5s\"", "")));
      Path yaml = dir.resolve("productpage.json");
      Files.writeString(yaml, config.render());
      try (MeshAgent agent =
              TwoAgents.agent(yaml, "productpage-v1", "productpage", dir.resolve("ca"));
          MeshDataPlane plane =
              MeshDataPlane.start(agent, DataPlaneOptions.defaults().withEventLoopThreads(2))) {
        MeshHttpResponse r =
            plane
                .client()
                .send(MeshHttpRequest.builder("GET", "plain:9080", "/").protocol(protocol).build())
                .get(20, TimeUnit.SECONDS);

        assertThat(r.status()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("plain");
        String text = plane.prometheusText();
        assertThat(
                Metrics.value(
                    text,
                    "istio_requests_total",
                    Map.of(
                        "reporter", "source",
                        "destination_workload", "plain-v1",
                        "destination_workload_namespace", "default",
                        "destination_canonical_service", "plain",
                        "destination_canonical_revision", "v1",
                        "destination_cluster", "Kubernetes",
                        "destination_principal", SAN,
                        "response_code", "200")))
            .as(text)
            .isEqualTo(1);
      }
    }
  }

  /** An app without a sidecar, answering every request with 200 "plain". */
  private interface PlainApp extends AutoCloseable {
    InetSocketAddress address();
  }

  private static final class Http1App implements PlainApp {
    private final HttpServer server;

    Http1App() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext(
          "/",
          exchange -> {
            byte[] body = "plain".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
    }

    @Override
    public InetSocketAddress address() {
      return server.getAddress();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** HTTP/2 with prior knowledge (h2c), as the agent speaks it through a tunnel. */
  private static final class H2cApp implements PlainApp {
    private final Channel server;

    H2cApp(EventLoopGroup group) throws InterruptedException {
      server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(
                              Http2FrameCodecBuilder.forServer().build(),
                              new Http2MultiplexHandler(new H2cAnswer()));
                    }
                  })
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
    }

    @Override
    public InetSocketAddress address() {
      return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() throws InterruptedException {
      server.close().sync();
    }
  }

  @ChannelHandler.Sharable
  private static final class H2cAnswer extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      boolean end =
          msg instanceof Http2HeadersFrame h && h.isEndStream()
              || msg instanceof Http2DataFrame d && d.isEndStream();
      ReferenceCountUtil.release(msg);
      if (end) {
        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
        ctx.writeAndFlush(
            new DefaultHttp2DataFrame(
                Unpooled.copiedBuffer("plain", StandardCharsets.UTF_8), true));
      }
    }
  }
}
