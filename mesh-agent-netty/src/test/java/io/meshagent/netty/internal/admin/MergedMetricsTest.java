package io.meshagent.netty.internal.admin;

import static io.meshagent.netty.internal.admin.AdminFixture.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshagent.MeshAgent;
import io.meshagent.core.testing.EnvoyResources;
import io.meshagent.core.testing.NonBlockingThreads;
import io.meshagent.netty.testing.LeakCheck;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * istio-agent's status port: the agent's metrics followed by the app's own, scraped from a fake app
 * on loopback; an app that is down or failing leaves only the agent's part.
 */
class MergedMetricsTest {
  static final String AGENT = "istio_requests_total{reporter=\"destination\"} 5\n";
  static final String APP = "# TYPE app_orders_total counter\napp_orders_total 42\n";

  @TempDir static Path dir;
  static EventLoopGroup group;
  static ExecutorService worker;
  static MeshAgent agent;
  static HttpServer app;
  static final AtomicInteger appStatus = new AtomicInteger(200);
  static final Map<String, List<String>> appSaw = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    NonBlockingThreads.install();
    LeakCheck.install();
    group = AdminFixture.group();
    worker = AdminFixture.worker();
    Path yaml = dir.resolve("mesh.json");
    AdminFixture.write(
        yaml, AdminFixture.file("1", EnvoyResources.edsCluster("outbound|80||a.default")));
    agent = AdminFixture.agent(yaml, dir.resolve("ca"));
    agent.awaitInitialConfig(Duration.ofSeconds(20));
    agent.awaitIdentity(Duration.ofSeconds(20));
    app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    app.createContext(
        "/metrics",
        exchange -> {
          appSaw.putAll(exchange.getRequestHeaders());
          byte[] body = APP.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("content-type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(appStatus.get(), body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    app.start();
  }

  @AfterAll
  static void stop() {
    app.stop(0);
    agent.close();
    worker.shutdownNow();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @AfterEach
  void eventLoopsNeverBlocked() {
    assertThat(NonBlockingThreads.violations()).isEmpty();
    assertThat(LeakCheck.leaks()).isEmpty();
    appStatus.set(200);
  }

  private static AdminServer merged(AppMetricsTarget target) throws InterruptedException {
    return AdminServer.startMergedMetrics(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        agent,
        () -> AGENT,
        target,
        group,
        worker);
  }

  private static String url(AdminServer s, String path) {
    return "http://127.0.0.1:" + s.address().getPort() + path;
  }

  @Test
  void mergesTheAgentsMetricsWithTheApps() throws Exception {
    try (AdminServer s =
        merged(AppMetricsTarget.loopback(app.getAddress().getPort(), "/metrics"))) {
      for (String path : List.of("/stats/prometheus", "/metrics")) {
        HttpResponse<String> r =
            AdminFixture.HTTP.send(
                HttpRequest.newBuilder(URI.create(url(s, path)))
                    .header("User-Agent", "Prometheus/2.53.0")
                    .header("X-Prometheus-Scrape-Timeout-Seconds", "9.5")
                    .header("Accept", "application/openmetrics-text;version=1.0.0")
                    .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
            .hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).isEqualTo(AGENT + APP);
      }
      assertThat(appSaw.get("User-agent")).containsExactly("Prometheus/2.53.0");
      assertThat(appSaw.get("X-prometheus-scrape-timeout-seconds")).containsExactly("9.5");
      assertThat(appSaw.get("Accept")).containsExactly("text/plain;version=0.0.4");
    }
  }

  @Test
  void anAppThatIsDownLeavesTheAgentsMetrics() throws Exception {
    int closed;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = free.getLocalPort();
    }
    try (AdminServer s = merged(AppMetricsTarget.loopback(closed, "/metrics"))) {
      HttpResponse<String> r = get(url(s, "/stats/prometheus"));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(AGENT);
    }
  }

  @Test
  void anAppAnsweringAnErrorLeavesTheAgentsMetrics() throws Exception {
    appStatus.set(500);
    try (AdminServer s =
        merged(AppMetricsTarget.loopback(app.getAddress().getPort(), "/metrics"))) {
      HttpResponse<String> r = get(url(s, "/stats/prometheus"));

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(AGENT);
    }
  }

  @Test
  void withoutAnAppTargetOnlyTheAgentsMetrics() throws Exception {
    try (AdminServer s = merged(null)) {
      assertThat(get(url(s, "/stats/prometheus")).body()).isEqualTo(AGENT);
    }
  }

  @Test
  void healthzReadyFollowsTheAgent() throws Exception {
    try (AdminServer s = merged(null)) {
      assertThat(get(url(s, "/healthz/ready")).statusCode()).isEqualTo(200);
      assertThat(get(url(s, "/config_dump")).statusCode()).isEqualTo(404);
    }
  }
}
