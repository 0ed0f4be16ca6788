package io.meshagent.core.internal.xds;

import static io.meshagent.core.testing.EnvoyResources.clusterWithUnknownLbPolicy;
import static io.meshagent.core.testing.EnvoyResources.edsCluster;
import static io.meshagent.core.testing.EnvoyResources.endpoints;
import static io.meshagent.core.testing.EnvoyResources.httpListener;
import static io.meshagent.core.testing.EnvoyResources.regexRoutes;
import static io.meshagent.core.testing.EnvoyResources.routes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.rpc.Status;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.meshagent.MeshAgent;
import io.meshagent.XdsProtocol;
import io.meshagent.core.testing.ControlPlaneServer;
import io.meshagent.core.testing.NonBlockingThreads;
import io.meshagent.model.route.PathMatch;
import io.meshagent.model.route.RouteAction;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The xDS client against Envoy's java-control-plane over real gRPC on loopback, in both protocols:
 * subscription, dependent subscriptions, ACK/NACK with error_detail, reconnection and the initial
 * fetch timeout. Throughout, no blocking call may happen on the control context or an event loop.
 */
class XdsClientIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ControlPlaneServer server = new ControlPlaneServer();
  private final List<MeshSnapshot> seen = new CopyOnWriteArrayList<>();
  private MeshAgent agent;

  @BeforeAll
  static void detectBlocking() {
    NonBlockingThreads.install();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (agent != null) {
      agent.close();
    }
    server.close();
    assertThat(NonBlockingThreads.violations()).isEmpty();
  }

  private MeshAgent startAgent(XdsProtocol protocol) {
    agent =
        MeshAgent.builder()
            .xdsAddress(server.address())
            .xdsProtocol(protocol)
            .podName("productpage-v1-1")
            .namespace("default")
            .serviceAccount("bookinfo-productpage")
            .instanceIps(List.of("127.0.0.10"))
            .initialFetchTimeout(Duration.ofMillis(750))
            .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
            .build();
    agent.subscribe(Runnable::run, seen::add);
    return agent;
  }

  private static Snapshot snapshot(
      String version,
      List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints,
      List<Listener> listeners,
      List<RouteConfiguration> routes) {
    return Snapshot.create(clusters, endpoints, listeners, routes, List.of(), version);
  }

  private static Snapshot bookinfo(String version, String reviewsIp) {
    return snapshot(
        version,
        List.of(edsCluster("outbound|9080||reviews")),
        List.of(endpoints("outbound|9080||reviews", 9080, reviewsIp)),
        List.of(httpListener(9080, "9080")),
        List.of(routes("9080", "reviews", "outbound|9080||reviews")));
  }

  @ParameterizedTest
  @EnumSource(XdsProtocol.class)
  void subscribesFollowsTheSnapshotAndUnsubscribes(XdsProtocol protocol) throws Exception {
    server.start();
    server.setSnapshot(bookinfo("1", "10.0.0.1"));
    startAgent(protocol);

    MeshSnapshot first = agent.awaitInitialConfig(WAIT);
    assertThat(first.listeners()).containsOnlyKeys("0.0.0.0_9080");
    assertThat(first.routeConfigurations()).containsOnlyKeys("9080");
    assertThat(first.clusters()).containsOnlyKeys("outbound|9080||reviews");
    assertThat(first.clusterLoadAssignments().get("outbound|9080||reviews").localities())
        .singleElement()
        .satisfies(l -> assertThat(l.endpoints().get(0).host()).isEqualTo("10.0.0.1"));
    assertThat(subscribedNames(protocol, ResourceTypes.ROUTE_CONFIGURATION)).contains("9080");
    assertThat(subscribedNames(protocol, ResourceTypes.CLUSTER_LOAD_ASSIGNMENT))
        .contains("outbound|9080||reviews");

    // Add a cluster (its endpoints follow), move an endpoint.
    server.setSnapshot(
        snapshot(
            "2",
            List.of(edsCluster("outbound|9080||reviews"), edsCluster("outbound|9080||ratings")),
            List.of(
                endpoints("outbound|9080||reviews", 9080, "10.0.0.2"),
                endpoints("outbound|9080||ratings", 9080, "10.0.0.3")),
            List.of(httpListener(9080, "9080")),
            List.of(routes("9080", "reviews", "outbound|9080||reviews"))));
    await()
        .atMost(WAIT)
        .until(
            () -> {
              MeshSnapshot s = agent.snapshot();
              return s.clusterLoadAssignments().containsKey("outbound|9080||ratings")
                  && s.clusterLoadAssignments()
                      .get("outbound|9080||reviews")
                      .localities()
                      .get(0)
                      .endpoints()
                      .get(0)
                      .host()
                      .equals("10.0.0.2");
            });

    // Remove the listener and the ratings cluster: their dependents are dropped too.
    server.setSnapshot(
        snapshot(
            "3",
            List.of(edsCluster("outbound|9080||reviews")),
            List.of(endpoints("outbound|9080||reviews", 9080, "10.0.0.2")),
            List.of(),
            List.of()));
    await()
        .atMost(WAIT)
        .until(
            () -> {
              MeshSnapshot s = agent.snapshot();
              return s.listeners().isEmpty()
                  && s.routeConfigurations().isEmpty()
                  && s.clusters().keySet().equals(java.util.Set.of("outbound|9080||reviews"))
                  && !s.clusterLoadAssignments().containsKey("outbound|9080||ratings");
            });
    // The agent publishes as it sends the request that drops the names; the server sees it a
    // moment later.
    if (protocol == XdsProtocol.DELTA) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(server.deltaRequests())
                      .anySatisfy(
                          r -> assertThat(r.getResourceNamesUnsubscribeList()).contains("9080"))
                      .anySatisfy(
                          r ->
                              assertThat(r.getResourceNamesUnsubscribeList())
                                  .contains("outbound|9080||ratings")));
    } else {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(lastSotw(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT).names())
                      .containsExactly("outbound|9080||reviews"));
    }
    assertThat(seen).extracting(MeshSnapshot::version).isSorted().doesNotHaveDuplicates();
  }

  @ParameterizedTest
  @EnumSource(XdsProtocol.class)
  void invalidRouteIsNackedWithDetailAndPreviousStays(XdsProtocol protocol) throws Exception {
    server.start();
    server.setSnapshot(bookinfo("1", "10.0.0.1"));
    startAgent(protocol);
    agent.awaitInitialConfig(WAIT);

    server.setSnapshot(
        snapshot(
            "2",
            List.of(edsCluster("outbound|9080||reviews")),
            List.of(endpoints("outbound|9080||reviews", 9080, "10.0.0.1")),
            List.of(httpListener(9080, "9080")),
            List.of(regexRoutes("9080", "reviews", "outbound|9080||reviews", "/api/([a-z"))));

    Status detail = awaitNack(protocol, ResourceTypes.ROUTE_CONFIGURATION);
    assertThat(detail.getMessage()).contains("RouteConfiguration '9080'").contains("regex");
    assertThat(agent.snapshot().routeConfigurations().get("9080").virtualHosts().get(0).routes())
        .singleElement()
        .satisfies(r -> assertThat(r.match().path()).isEqualTo(new PathMatch.Prefix("/")));
    assertThat(agent.controlPlaneStatus().rejectedUpdates()).isPositive();
    assertThat(agent.controlPlaneStatus().lastError()).contains("regex");
    if (protocol == XdsProtocol.SOTW) {
      assertThat(lastSotw(ResourceTypes.ROUTE_CONFIGURATION).version()).isEqualTo("1");
    }

    // A valid update after the rejected one is accepted.
    server.setSnapshot(
        snapshot(
            "3",
            List.of(edsCluster("outbound|9080||reviews")),
            List.of(endpoints("outbound|9080||reviews", 9080, "10.0.0.1")),
            List.of(httpListener(9080, "9080")),
            List.of(regexRoutes("9080", "reviews", "outbound|9080||reviews", "/api/[a-z]+"))));
    await()
        .atMost(WAIT)
        .until(
            () ->
                agent
                        .snapshot()
                        .routeConfigurations()
                        .get("9080")
                        .virtualHosts()
                        .get(0)
                        .routes()
                        .get(0)
                        .match()
                        .path()
                    instanceof PathMatch.Regex);
  }

  @ParameterizedTest
  @EnumSource(XdsProtocol.class)
  void unknownLbPolicyIsNackedAndClustersStay(XdsProtocol protocol) throws Exception {
    server.start();
    server.setSnapshot(bookinfo("1", "10.0.0.1"));
    startAgent(protocol);
    agent.awaitInitialConfig(WAIT);

    server.setSnapshot(
        snapshot(
            "2",
            List.of(clusterWithUnknownLbPolicy("outbound|9080||reviews")),
            List.of(endpoints("outbound|9080||reviews", 9080, "10.0.0.1")),
            List.of(httpListener(9080, "9080")),
            List.of(routes("9080", "reviews", "outbound|9080||reviews"))));

    Status detail = awaitNack(protocol, ResourceTypes.CLUSTER);
    assertThat(detail.getMessage()).contains("outbound|9080||reviews").contains("lb_policy");
    assertThat(agent.snapshot().clusters().get("outbound|9080||reviews").lbPolicy())
        .isEqualTo(io.meshagent.model.cluster.LbPolicy.LEAST_REQUEST);
  }

  @ParameterizedTest
  @EnumSource(XdsProtocol.class)
  void servesLastGoodConfigWhileDisconnectedThenConverges(XdsProtocol protocol) throws Exception {
    server.start();
    server.setSnapshot(bookinfo("1", "10.0.0.1"));
    startAgent(protocol);
    MeshSnapshot before = agent.awaitInitialConfig(WAIT);

    server.stop();
    await().atMost(WAIT).until(() -> !agent.controlPlaneStatus().connected());
    assertThat(agent.snapshot().version()).isEqualTo(before.version());
    assertThat(agent.snapshot().listeners()).containsKey("0.0.0.0_9080");
    assertThat(agent.controlPlaneStatus().lastError()).contains("ADS stream");

    server.setSnapshot(bookinfo("2", "10.0.0.9"));
    server.start();
    await()
        .atMost(WAIT)
        .until(
            () ->
                agent.controlPlaneStatus().connected()
                    && agent
                        .snapshot()
                        .clusterLoadAssignments()
                        .get("outbound|9080||reviews")
                        .localities()
                        .get(0)
                        .endpoints()
                        .get(0)
                        .host()
                        .equals("10.0.0.9"));
    assertThat(agent.snapshot().routeConfigurations()).containsKey("9080");
  }

  @ParameterizedTest
  @EnumSource(XdsProtocol.class)
  void neverAnsweredNameTimesOutAsAbsent(XdsProtocol protocol) throws Exception {
    server.start();
    server.setSnapshot(
        snapshot(
            "1",
            List.of(edsCluster("outbound|9080||reviews")),
            List.of(endpoints("outbound|9080||reviews", 9080, "10.0.0.1")),
            List.of(httpListener(9080, "missing-routes")),
            List.of()));
    startAgent(protocol);

    MeshSnapshot complete = agent.awaitInitialConfig(WAIT);
    assertThat(complete.absent(ResourceTypes.ROUTE_CONFIGURATION)).contains("missing-routes");
    assertThat(complete.routeConfigurations()).isEmpty();
    assertThat(complete.clusters()).containsKey("outbound|9080||reviews");
  }

  @ParameterizedTest
  @EnumSource(XdsProtocol.class)
  void routeActionsArriveAsDomainValues(XdsProtocol protocol) throws Exception {
    server.start();
    server.setSnapshot(bookinfo("1", "10.0.0.1"));
    startAgent(protocol);
    MeshSnapshot s = agent.awaitInitialConfig(WAIT);
    RouteAction action =
        s.routeConfigurations().get("9080").virtualHosts().get(0).routes().get(0).action();
    assertThat(action).isInstanceOf(RouteAction.Forward.class);
    assertThat(((RouteAction.Forward) action).cluster()).isEqualTo("outbound|9080||reviews");
    assertThat(s.listeners().get("0.0.0.0_9080").rdsNames()).containsExactly("9080");
  }

  private Status awaitNack(XdsProtocol protocol, String typeUrl) {
    List<Status> found = new ArrayList<>();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              found.clear();
              if (protocol == XdsProtocol.DELTA) {
                server.deltaRequests().stream()
                    .filter(r -> r.getTypeUrl().equals(typeUrl) && r.hasErrorDetail())
                    .forEach(r -> found.add(r.getErrorDetail()));
              } else {
                server.sotwRequests().stream()
                    .filter(r -> r.getTypeUrl().equals(typeUrl) && r.hasErrorDetail())
                    .forEach(r -> found.add(r.getErrorDetail()));
              }
              return !found.isEmpty();
            });
    return found.get(0);
  }

  private List<String> subscribedNames(XdsProtocol protocol, String typeUrl) {
    List<String> names = new ArrayList<>();
    if (protocol == XdsProtocol.DELTA) {
      server.deltaRequests().stream()
          .filter(r -> r.getTypeUrl().equals(typeUrl))
          .forEach(r -> names.addAll(r.getResourceNamesSubscribeList()));
    } else {
      server.sotwRequests().stream()
          .filter(r -> r.getTypeUrl().equals(typeUrl))
          .forEach(r -> names.addAll(r.getResourceNamesList()));
    }
    return names;
  }

  private record DiscoveryRequestView(String version, List<String> names) {}

  private DiscoveryRequestView lastSotw(String typeUrl) {
    var matching =
        server.sotwRequests().stream().filter(r -> r.getTypeUrl().equals(typeUrl)).toList();
    var last = matching.get(matching.size() - 1);
    return new DiscoveryRequestView(last.getVersionInfo(), last.getResourceNamesList());
  }
}
