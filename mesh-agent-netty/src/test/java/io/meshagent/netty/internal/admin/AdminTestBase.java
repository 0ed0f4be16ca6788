package io.meshagent.netty.internal.admin;

import static io.meshagent.netty.internal.admin.AdminFixture.get;
import static io.meshagent.netty.internal.admin.AdminFixture.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.meshagent.MeshAgent;
import io.meshagent.core.internal.agent.AgentInternals;
import io.meshagent.core.internal.traffic.ClusterManager;
import io.meshagent.core.testing.EnvoyResources;
import io.meshagent.core.testing.NonBlockingThreads;
import io.meshagent.netty.testing.LeakCheck;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin server over loopback for an agent on a {@code file:} source with the dev CA, with the
 * resources it loaded, so tests compare what each endpoint shows with what the agent holds. Event
 * loops must never block and buffers never leak.
 */
abstract class AdminTestBase {
  static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";
  static final String RATINGS = "outbound|9080||ratings.default.svc.cluster.local";
  static final String STATS = "istio_requests_total{reporter=\"source\"} 3\n";

  static final Cluster REVIEWS_CLUSTER =
      EnvoyResources.edsCluster(REVIEWS).toBuilder()
          .setOutlierDetection(
              OutlierDetection.newBuilder()
                  .setConsecutive5Xx(UInt32Value.of(2))
                  .setInterval(Duration.newBuilder().setSeconds(10))
                  .setBaseEjectionTime(Duration.newBuilder().setSeconds(300))
                  .setMaxEjectionPercent(UInt32Value.of(100)))
          .setCircuitBreakers(
              CircuitBreakers.newBuilder()
                  .addThresholds(
                      CircuitBreakers.Thresholds.newBuilder().setMaxRequests(UInt32Value.of(100))))
          .build();
  static final ClusterLoadAssignment REVIEWS_ENDPOINTS = reviewsEndpoints();
  static final Cluster RATINGS_CLUSTER = EnvoyResources.edsCluster(RATINGS);
  static final ClusterLoadAssignment RATINGS_ENDPOINTS =
      EnvoyResources.endpoints(RATINGS, 9080, "10.0.1.1");
  static final Listener LISTENER = EnvoyResources.httpListener(9080, "9080");
  static final RouteConfiguration ROUTES = EnvoyResources.routes("9080", "reviews", REVIEWS);

  @TempDir static Path dir;
  static EventLoopGroup group;
  static ExecutorService worker;
  static MeshAgent agent;
  static ClusterManager clusters;
  static AdminServer admin;
  static String url;

  /** reviews: 10.0.0.1 and .2 healthy, .3 unhealthy by EDS. */
  private static ClusterLoadAssignment reviewsEndpoints() {
    ClusterLoadAssignment cla =
        EnvoyResources.endpoints(REVIEWS, 9080, "10.0.0.1", "10.0.0.2", "10.0.0.3");
    ClusterLoadAssignment.Builder b = cla.toBuilder();
    b.getEndpointsBuilder(0).getLbEndpointsBuilder(2).setHealthStatus(HealthStatus.UNHEALTHY);
    return b.build();
  }

  @BeforeAll
  static void start() throws Exception {
    NonBlockingThreads.install();
    LeakCheck.install();
    group = AdminFixture.group();
    worker = AdminFixture.worker();
    Path yaml = dir.resolve("mesh.json");
    AdminFixture.write(
        yaml,
        AdminFixture.file(
            "7",
            REVIEWS_CLUSTER,
            REVIEWS_ENDPOINTS,
            RATINGS_CLUSTER,
            RATINGS_ENDPOINTS,
            LISTENER,
            ROUTES));
    agent = AdminFixture.agent(yaml, dir.resolve("ca"));
    agent.awaitInitialConfig(java.time.Duration.ofSeconds(20));
    agent.awaitIdentity(java.time.Duration.ofSeconds(20));
    clusters = new ClusterManager(AgentInternals.control(agent), Clock.systemUTC());
    admin =
        AdminServer.startAdmin(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            agent,
            clusters,
            () -> STATS,
            group,
            worker);
    url = "http://127.0.0.1:" + admin.address().getPort();
  }

  @AfterAll
  static void stop() {
    admin.close();
    clusters.close();
    agent.close();
    worker.shutdownNow();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @AfterEach
  void eventLoopsNeverBlocked() {
    assertThat(NonBlockingThreads.violations()).isEmpty();
    assertThat(LeakCheck.leaks()).isEmpty();
  }

  static ConfigDump dump(String query) throws Exception {
    HttpResponse<String> r = get(url + "/config_dump" + query);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    return parse(r.body(), ConfigDump.newBuilder()).build();
  }

  static List<String> types(ConfigDump dump) {
    List<String> out = new ArrayList<>();
    for (Any a : dump.getConfigsList()) {
      out.add(a.getTypeUrl().substring(a.getTypeUrl().lastIndexOf('.') + 1));
    }
    return out;
  }
}
