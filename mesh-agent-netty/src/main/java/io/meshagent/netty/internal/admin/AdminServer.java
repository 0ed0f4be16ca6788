package io.meshagent.netty.internal.admin;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.meshagent.MeshAgent;
import io.meshagent.core.internal.agent.AgentInternals;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.core.internal.traffic.ClusterManager;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 server for an agent's admin endpoints, in one of two modes:
 *
 * <ul>
 *   <li>{@link #startAdmin Envoy's admin port} (15000 in a sidecar, loopback only): {@code
 *       /config_dump} ({@code ?include_eds}, {@code ?resource=}, {@code ?mask=}, {@code
 *       ?name_regex=} as Envoy), {@code /clusters} ({@code ?format=json}), {@code /certs}, {@code
 *       /ready} and {@code /stats/prometheus};
 *   <li>{@link #startMergedMetrics istio-agent's status port} (15020): {@code /stats/prometheus}
 *       and {@code /metrics} with the agent's metrics followed by the app's own, scraped from the
 *       annotated port (an app that fails to answer only leaves its part out), and {@code
 *       /healthz/ready}.
 * </ul>
 *
 * GET only (other methods 405, unknown paths 404). Responses are built on the worker executor, from
 * immutable snapshots, and written back on the connection's event loop in request order; the event
 * loops never wait. Close it before the event loop group.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** Admin requests are bodiless GETs; anything bigger is refused by the aggregator (413). */
  private static final int MAX_REQUEST_BYTES = 16 << 10;

  /** The largest app metrics body appended to the merged metrics. */
  static final int MAX_APP_METRICS_BYTES = 64 << 20;

  private final Channel listener;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  private AdminServer(InetSocketAddress bind, Map<String, AdminRoute> routes, EventLoopGroup group)
      throws InterruptedException {
    Map<String, AdminRoute> table = Map.copyOf(routes);
    this.listener =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                        .addLast(new AdminHandler(table));
                  }
                })
            .bind(bind)
            .sync()
            .channel();
  }

  /**
   * Starts Envoy's admin endpoints for {@code agent}.
   *
   * @param bind where to listen: loopback (Envoy's {@code 127.0.0.1:15000}) unless the admin is
   *     meant to be reachable from elsewhere
   * @param clusters the data plane's cluster states (outlier detection, circuit breakers)
   * @param prometheusText the data plane's metrics in Prometheus text format 0.0.4
   * @param group the event loops that serve connections
   * @param worker where responses are built (a config dump of 10,000 clusters takes a while); never
   *     an event loop
   * @throws InterruptedException if interrupted while binding
   */
  public static AdminServer startAdmin(
      InetSocketAddress bind,
      MeshAgent agent,
      ClusterManager clusters,
      Supplier<String> prometheusText,
      EventLoopGroup group,
      Executor worker)
      throws InterruptedException {
    requireNonNull(bind, "bind");
    requireNonNull(clusters, "clusters");
    requireNonNull(prometheusText, "prometheusText");
    requireNonNull(worker, "worker");
    IdentityManager identity = AgentInternals.identity(agent);
    Clock clock = Clock.systemUTC();
    ConfigDumps dumps = new ConfigDumps(agent, identity, clock.instant());
    ProtoTypes types = new ProtoTypes(AdminServer.class.getClassLoader());
    ProtoJson json = new ProtoJson(types);
    Readiness readiness = new Readiness(agent, identity);
    Map<String, AdminRoute> routes = new LinkedHashMap<>();
    routes.put(
        "/config_dump",
        r -> CompletableFuture.supplyAsync(() -> configDump(r, dumps, types, json), worker));
    routes.put(
        "/clusters",
        r ->
            CompletableFuture.supplyAsync(
                () -> {
                  if ("json".equals(r.parameter("format"))) {
                    return AdminResponse.json(
                        print(json, ClustersView.json(agent.snapshot(), clusters)));
                  }
                  return AdminResponse.text(
                      HttpResponseStatus.OK, ClustersView.text(agent.snapshot(), clusters));
                },
                worker));
    routes.put(
        "/certs",
        r ->
            CompletableFuture.supplyAsync(
                () ->
                    AdminResponse.json(
                        print(json, CertsView.certificates(identity, clock.instant()))),
                worker));
    routes.put(
        "/ready",
        r -> {
          String why = readiness.notReady();
          return CompletableFuture.completedFuture(
              why == null
                  ? AdminResponse.text(HttpResponseStatus.OK, "LIVE\n")
                  : AdminResponse.text(
                      HttpResponseStatus.SERVICE_UNAVAILABLE, "INITIALIZING: " + why + "\n"));
        });
    routes.put(
        "/stats/prometheus",
        r ->
            CompletableFuture.supplyAsync(
                () ->
                    new AdminResponse(
                        HttpResponseStatus.OK,
                        AdminResponse.PROMETHEUS_TEXT,
                        prometheusText.get().getBytes(StandardCharsets.UTF_8)),
                worker));
    return new AdminServer(bind, routes, group);
  }

  /**
   * Starts istio-agent's status endpoints for {@code agent}: the merged metrics and readiness.
   *
   * @param bind where to listen (istio-agent's {@code :15020}, on all addresses so Prometheus can
   *     scrape it)
   * @param prometheusText the agent's metrics in Prometheus text format 0.0.4; they come first
   * @param app where the app serves its own metrics, appended after the agent's, or null
   * @param group the event loops that serve connections and scrape the app
   * @param worker where the agent's metrics are rendered; never an event loop
   * @throws InterruptedException if interrupted while binding
   */
  public static AdminServer startMergedMetrics(
      InetSocketAddress bind,
      MeshAgent agent,
      Supplier<String> prometheusText,
      @Nullable AppMetricsTarget app,
      EventLoopGroup group,
      Executor worker)
      throws InterruptedException {
    requireNonNull(bind, "bind");
    requireNonNull(prometheusText, "prometheusText");
    requireNonNull(worker, "worker");
    Readiness readiness = new Readiness(agent, AgentInternals.identity(agent));
    AppMetricsScraper scraper =
        app == null ? null : new AppMetricsScraper(app, group, MAX_APP_METRICS_BYTES);
    AtomicBoolean appFailing = new AtomicBoolean();
    AdminRoute merged = r -> mergedMetrics(r, prometheusText, scraper, appFailing, worker);
    Map<String, AdminRoute> routes = new LinkedHashMap<>();
    routes.put("/stats/prometheus", merged);
    routes.put("/metrics", merged);
    routes.put(
        "/healthz/ready",
        r -> {
          String why = readiness.notReady();
          return CompletableFuture.completedFuture(
              why == null
                  ? AdminResponse.text(HttpResponseStatus.OK, "")
                  : AdminResponse.text(HttpResponseStatus.SERVICE_UNAVAILABLE, why + "\n"));
        });
    return new AdminServer(bind, routes, group);
  }

  /** Where it listens. */
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.localAddress();
  }

  /** Stops listening and closes open connections; waits for both, so never call it on a loop. */
  @Override
  public void close() {
    listener.close().awaitUninterruptibly();
    connections.close().awaitUninterruptibly();
  }

  private static AdminResponse configDump(
      AdminRequest r, ConfigDumps dumps, ProtoTypes types, ProtoJson json) {
    String regex = r.parameter("name_regex");
    Predicate<String> names = name -> true;
    if (regex != null && !regex.isEmpty()) {
      try {
        Pattern p = Pattern.compile(regex);
        names = name -> p.matcher(name).matches();
      } catch (PatternSyntaxException e) {
        return AdminResponse.text(
            HttpResponseStatus.BAD_REQUEST,
            "Error while parsing name_regex from " + regex + ": " + e.getDescription() + "\n");
      }
    }
    List<Message> sections = dumps.sections(r.has("include_eds"), names);
    ConfigDump dump;
    try {
      dump = DumpQuery.apply(sections, r.parameter("resource"), r.parameter("mask"), types);
    } catch (DumpQuery.QueryException e) {
      return AdminResponse.text(e.status(), e.getMessage() + "\n");
    }
    return AdminResponse.json(print(json, dump));
  }

  private static String print(ProtoJson json, Message message) {
    try {
      return json.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "cannot print "
              + message.getDescriptorForType().getFullName()
              + " as JSON: "
              + e.getMessage(),
          e);
    }
  }

  private static CompletableFuture<AdminResponse> mergedMetrics(
      AdminRequest r,
      Supplier<String> prometheusText,
      @Nullable AppMetricsScraper scraper,
      AtomicBoolean appFailing,
      Executor worker) {
    CompletableFuture<String> own =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return prometheusText.get();
              } catch (RuntimeException e) {
                // As pilot-agent: a failing part is logged and left out, the rest is served.
                log.warn("rendering the agent's metrics failed", e);
                return "";
              }
            },
            worker);
    CompletableFuture<byte @Nullable []> app =
        scraper == null
            ? CompletableFuture.completedFuture(null)
            : scraper
                .scrape(r.headers())
                .handle(
                    (body, error) -> {
                      if (error != null) {
                        if (appFailing.compareAndSet(false, true)) {
                          log.warn(
                              "scraping the app's metrics at {}{} failed: {}; serving the agent's"
                                  + " metrics alone until it answers",
                              scraper.target().address(),
                              scraper.target().path(),
                              error.toString());
                        }
                        return null;
                      }
                      if (appFailing.compareAndSet(true, false)) {
                        log.info(
                            "the app's metrics at {} answer again", scraper.target().address());
                      }
                      return body;
                    });
    return own.thenCombine(
        app,
        (text, appBody) -> {
          byte[] head = text.getBytes(StandardCharsets.UTF_8);
          ByteArrayOutputStream out =
              new ByteArrayOutputStream(head.length + 1 + (appBody == null ? 0 : appBody.length));
          out.writeBytes(head);
          if (appBody != null && appBody.length > 0) {
            if (head.length > 0 && head[head.length - 1] != '\n') {
              out.write('\n');
            }
            out.writeBytes(appBody);
          }
          return new AdminResponse(
              HttpResponseStatus.OK, AdminResponse.PROMETHEUS_TEXT, out.toByteArray());
        });
  }
}
