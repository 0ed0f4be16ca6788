package io.meshagent.core.internal.traffic;

import static io.meshagent.core.internal.traffic.Xds.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshagent.core.internal.circuitbreaker.Admission;
import io.meshagent.core.internal.circuitbreaker.CircuitBreakers.Resources;
import io.meshagent.core.internal.circuitbreaker.Limit;
import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.outlier.Result;
import io.meshagent.core.testing.FakeTime;
import io.meshagent.model.cluster.UpstreamTransport;
import io.meshagent.snapshot.MeshSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The clusters' live state over snapshots: picks over EDS endpoints, {@code NC} / {@code UH},
 * original-destination clusters, circuit breakers kept across CDS updates, and outlier detection
 * wired to the control context and a clock the test moves.
 */
class ClusterManagerTest {
  private static final String CLUSTER = "outbound|9080||reviews.default.svc.cluster.local";
  private static final Destination DEST =
      new Destination("reviews.default.svc.cluster.local", 9080);

  private ControlContext control;
  private FakeTime time;
  private ClusterManager clusters;

  @BeforeEach
  void setUp() {
    control = new ControlContext("cluster-manager-test");
    time = new FakeTime(Instant.parse("2025-01-01T00:00:00Z"), Runnable::run);
    clusters = new ClusterManager(control, time);
  }

  @AfterEach
  void tearDown() {
    clusters.close();
    control.close();
  }

  /** Waits until everything posted to the control context so far has run. */
  private void flushControl() throws Exception {
    CompletableFuture.runAsync(() -> {}, control).get(5, TimeUnit.SECONDS);
  }

  private static Cluster.Builder eds(String name) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder()
                .setEdsConfig(
                    ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())))
        .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(10))
        .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
  }

  private static List<String> ips(int n) {
    List<String> ips = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      ips.add("10.0.1." + i);
    }
    return ips;
  }

  private static ClusterLoadAssignment endpoints(
      String name, List<String> ips, HealthStatus health) {
    LocalityLbEndpoints.Builder l = LocalityLbEndpoints.newBuilder();
    for (String ip : ips) {
      l.addLbEndpoints(
          LbEndpoint.newBuilder()
              .setHealthStatus(health)
              .setEndpoint(
                  io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                      .setAddress(Xds.address(ip, 9080))));
    }
    return ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(l).build();
  }

  private static MeshSnapshot withHosts(Cluster.Builder cluster, int hosts) {
    return snapshot()
        .cluster(cluster.build())
        .endpoints(endpoints(cluster.getName(), ips(hosts), HealthStatus.HEALTHY))
        .build();
  }

  private Set<String> picked(MeshSnapshot s, String cluster, int picks) throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    Set<String> keys = new TreeSet<>();
    for (int i = 0; i < picks; i++) {
      keys.add(clusters.pick(s, cluster, random.nextLong(), DEST).key());
    }
    return keys;
  }

  private static Set<String> keys(List<String> ips) {
    Set<String> keys = new TreeSet<>();
    for (String ip : ips) {
      keys.add(ip + ":9080");
    }
    return keys;
  }

  // --- Picks ---

  @Test
  void picksOverTheClustersEdsEndpoints() throws Exception {
    MeshSnapshot s = withHosts(eds(CLUSTER), 3);

    assertThat(picked(s, CLUSTER, 300)).isEqualTo(keys(ips(3)));
    Upstream u = clusters.pick(s, CLUSTER, 1, DEST);
    assertThat(u.cluster().name()).isEqualTo(CLUSTER);
    assertThat(u.endpoint().port()).isEqualTo(9080);
    assertThat(u.transport()).isEqualTo(UpstreamTransport.Plaintext.INSTANCE);
    assertThat(u.state()).isSameAs(clusters.state(CLUSTER));
  }

  @Test
  void picksOverTheEdsServiceNameTheClusterNames() throws Exception {
    Cluster.Builder c = eds(CLUSTER);
    c.getEdsClusterConfigBuilder().setServiceName("reviews-eds");
    MeshSnapshot s =
        snapshot()
            .cluster(c.build())
            .endpoints(
                endpoints("reviews-eds", List.of("10.0.9.1", "10.0.9.2"), HealthStatus.HEALTHY))
            // Endpoints under the cluster's own name must not be used.
            .endpoints(endpoints(CLUSTER, List.of("10.0.0.99"), HealthStatus.HEALTHY))
            .build();

    assertThat(picked(s, CLUSTER, 100)).containsExactly("10.0.9.1:9080", "10.0.9.2:9080");
  }

  @Test
  void unhealthyEndpointsAreNotPickedWhileEnoughAreHealthy() throws Exception {
    ClusterLoadAssignment healthy = endpoints(CLUSTER, ips(4), HealthStatus.HEALTHY);
    LbEndpoint sick =
        endpoints(CLUSTER, List.of("10.0.2.1"), HealthStatus.UNHEALTHY)
            .getEndpoints(0)
            .getLbEndpoints(0);
    ClusterLoadAssignment cla =
        healthy.toBuilder()
            .setEndpoints(0, healthy.getEndpoints(0).toBuilder().addLbEndpoints(sick))
            .build();
    MeshSnapshot s = snapshot().cluster(eds(CLUSTER).build()).endpoints(cla).build();

    assertThat(picked(s, CLUSTER, 400)).isEqualTo(keys(ips(4)));
  }

  @Test
  void unknownClusterIsNoClusterNamingIt() {
    MeshSnapshot s = withHosts(eds(CLUSTER), 1);

    assertThatThrownBy(() -> clusters.pick(s, "outbound|80||nope", 0, DEST))
        .isInstanceOfSatisfying(
            NoUpstreamException.class, e -> assertThat(e.responseFlag()).isEqualTo("NC"))
        .hasMessageContaining("outbound|80||nope")
        .hasMessageContaining("not found");
  }

  static Stream<Arguments> noHealthyUpstream() {
    return Stream.of(
        Arguments.of("no assignment received", snapshot().cluster(eds(CLUSTER).build()).build()),
        Arguments.of(
            "an empty assignment",
            snapshot()
                .cluster(eds(CLUSTER).build())
                .endpoints(ClusterLoadAssignment.newBuilder().setClusterName(CLUSTER).build())
                .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("noHealthyUpstream")
  void noEndpointIsNoHealthyUpstreamNamingTheCluster(String rule, MeshSnapshot s) {
    assertThatThrownBy(() -> clusters.pick(s, CLUSTER, 0, DEST))
        .isInstanceOfSatisfying(
            NoUpstreamException.class, e -> assertThat(e.responseFlag()).isEqualTo("UH"))
        .hasMessageContaining("no healthy upstream")
        .hasMessageContaining(CLUSTER)
        .hasMessageContaining("0 endpoints");
  }

  @Test
  void originalDestinationClusterPicksWhatTheAppDialled() throws Exception {
    MeshSnapshot s =
        snapshot()
            .cluster(
                Cluster.newBuilder()
                    .setName("PassthroughCluster")
                    .setType(Cluster.DiscoveryType.ORIGINAL_DST)
                    .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
                    .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(10))
                    .build())
            .build();

    Upstream ip = clusters.pick(s, "PassthroughCluster", 0, new Destination("192.0.2.7", 1234));
    Upstream v6 = clusters.pick(s, "PassthroughCluster", 0, new Destination("2001:db8::7", 443));

    assertThat(ip.key()).isEqualTo("192.0.2.7:1234");
    assertThat(v6.endpoint().host()).isEqualTo("2001:db8::7");
    assertThat(v6.endpoint().port()).isEqualTo(443);
    assertThat(ip.index()).isEqualTo(-1);
    assertThat(ip.picker()).isNull();
  }

  // --- Circuit breakers ---

  private static Cluster.Builder withMaxRequests(Cluster.Builder c, int max) {
    return c.setCircuitBreakers(
        CircuitBreakers.newBuilder()
            .addThresholds(
                CircuitBreakers.Thresholds.newBuilder()
                    .setPriority(RoutingPriority.DEFAULT)
                    .setMaxRequests(UInt32Value.of(max))));
  }

  @Test
  void circuitBreakersKeepTheirCountsAcrossACdsUpdate() throws Exception {
    ClusterLoadAssignment cla = endpoints(CLUSTER, ips(2), HealthStatus.HEALTHY);
    MeshSnapshot before =
        snapshot().cluster(withMaxRequests(eds(CLUSTER), 2).build()).endpoints(cla).build();
    Resources r1 =
        clusters
            .pick(before, CLUSTER, 0, DEST)
            .state()
            .circuitBreakers()
            .forPriority(io.meshagent.model.cluster.RoutingPriority.DEFAULT);
    Admission a = r1.tryAcquireRequest();
    Admission b = r1.tryAcquireRequest();
    assertThat(r1.tryAcquireRequest().granted()).isFalse();

    MeshSnapshot after =
        snapshot().cluster(withMaxRequests(eds(CLUSTER), 3).build()).endpoints(cla).build();
    Resources r2 =
        clusters
            .pick(after, CLUSTER, 0, DEST)
            .state()
            .circuitBreakers()
            .forPriority(io.meshagent.model.cluster.RoutingPriority.DEFAULT);

    assertThat(r2).isSameAs(r1);
    assertThat(r2.outstanding(Limit.MAX_REQUESTS)).isEqualTo(2);
    assertThat(r2.max(Limit.MAX_REQUESTS)).isEqualTo(3);
    Admission c = r2.tryAcquireRequest();
    assertThat(c.granted()).isTrue();
    assertThat(r2.tryAcquireRequest())
        .isInstanceOfSatisfying(
            Admission.Refusal.class, refusal -> assertThat(refusal.max()).isEqualTo(3));
    for (Admission x : List.of(a, b, c)) {
      ((Admission.Permit) x).close();
    }
    assertThat(r2.outstanding(Limit.MAX_REQUESTS)).isZero();
  }

  // --- Outlier detection ---

  private static Cluster.Builder withOutlierDetection(
      Cluster.Builder c, UnaryOperator<OutlierDetection.Builder> od) {
    return c.setOutlierDetection(
        od.apply(
            OutlierDetection.newBuilder()
                .setConsecutive5Xx(UInt32Value.of(5))
                .setBaseEjectionTime(com.google.protobuf.Duration.newBuilder().setSeconds(30))));
  }

  /** Five 500s from the endpoint of {@code u}, as the outbound client reports them. */
  private void fail5Times(Upstream u) throws Exception {
    flushControl(); // the detector learns the cluster's hosts on the control context
    for (int i = 0; i < 5; i++) {
      u.finished(Result.httpStatus(500));
    }
    flushControl(); // the ejection runs there too
  }

  static Stream<Arguments> ejections() {
    return Stream.of(
        // Envoy ejects while 100 × (ejected + 1) / hosts ≤ max_ejection_percent (default 10).
        Arguments.of(10, null, true),
        Arguments.of(20, null, true),
        Arguments.of(9, null, false),
        Arguments.of(3, null, false),
        Arguments.of(3, 50, true),
        Arguments.of(2, 50, true),
        Arguments.of(3, 30, false));
  }

  @ParameterizedTest(name = "{0} hosts, max_ejection_percent {1}: ejected {2}")
  @MethodSource("ejections")
  void consecutive5xxEjectTheHostWithinMaxEjectionPercent(
      int hosts, @Nullable Integer maxEjectionPercent, boolean ejected) throws Exception {
    MeshSnapshot s =
        withHosts(
            withOutlierDetection(
                eds(CLUSTER),
                od ->
                    maxEjectionPercent == null
                        ? od
                        : od.setMaxEjectionPercent(UInt32Value.of(maxEjectionPercent))),
            hosts);
    Upstream u = clusters.pick(s, CLUSTER, 0, DEST);

    fail5Times(u);

    assertThat(clusters.state(CLUSTER).outlierDetector().isEjected(u.key())).isEqualTo(ejected);
    Set<String> all = keys(ips(hosts));
    Set<String> expected = new TreeSet<>(all);
    if (ejected) {
      expected.remove(u.key());
    }
    assertThat(picked(s, CLUSTER, 50 * hosts)).isEqualTo(expected);
  }

  @Test
  void anEjectedHostComesBackAfterTheEjectionTime() throws Exception {
    MeshSnapshot s =
        withHosts(
            withOutlierDetection(
                eds(CLUSTER),
                od ->
                    od.setInterval(com.google.protobuf.Duration.newBuilder().setNanos(20_000_000))),
            10);
    Upstream u = clusters.pick(s, CLUSTER, 0, DEST);
    fail5Times(u);
    assertThat(picked(s, CLUSTER, 500)).doesNotContain(u.key());

    // Interval sweeps keep running (every 20 ms of real time), but the clock has not moved enough.
    time.advance(Duration.ofSeconds(29));
    Thread.sleep(200);
    flushControl();
    assertThat(picked(s, CLUSTER, 500)).doesNotContain(u.key());

    time.advance(Duration.ofSeconds(2));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(picked(s, CLUSTER, 500)).contains(u.key()));
    assertThat(clusters.state(CLUSTER).outlierDetector().ejected()).isEmpty();
  }

  @Test
  void outlierHistorySurvivesACdsUpdateWithTheSamePolicy() throws Exception {
    ClusterLoadAssignment cla = endpoints(CLUSTER, ips(10), HealthStatus.HEALTHY);
    Cluster.Builder c = withOutlierDetection(eds(CLUSTER), od -> od);
    MeshSnapshot before = snapshot().cluster(c.build()).endpoints(cla).build();
    Upstream u = clusters.pick(before, CLUSTER, 0, DEST);
    fail5Times(u);

    // A new Cluster object (connect timeout changed), same outlier detection.
    MeshSnapshot after =
        snapshot()
            .cluster(
                c.setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(2))
                    .build())
            .endpoints(Xds.endpoints(cla))
            .build();

    assertThat(picked(after, CLUSTER, 500)).doesNotContain(u.key()).hasSize(9);
  }

  static Stream<Arguments> cdsUpdates() {
    return Stream.of(
        Arguments.of("outlier detection added", (UnaryOperator<Cluster.Builder>) c -> c),
        Arguments.of(
            "outlier detection changed",
            (UnaryOperator<Cluster.Builder>)
                c -> withOutlierDetection(c, od -> od.setConsecutive5Xx(UInt32Value.of(7)))));
  }

  /**
   * A CDS update that gives the cluster a new outlier detection policy while its endpoints stay the
   * same (EDS unchanged, the usual case: a DestinationRule edit): the new detector must learn the
   * current hosts, or it ignores every report and never ejects.
   */
  @ParameterizedTest(name = "{0}, endpoints unchanged")
  @MethodSource("cdsUpdates")
  void aNewOutlierPolicyFromCdsAppliesToTheCurrentEndpoints(
      String rule, UnaryOperator<Cluster.Builder> before) throws Exception {
    ClusterLoadAssignment cla = endpoints(CLUSTER, ips(10), HealthStatus.HEALTHY);
    io.meshagent.model.endpoint.ClusterLoadAssignment parsed = Xds.endpoints(cla);
    MeshSnapshot first =
        snapshot().cluster(before.apply(eds(CLUSTER)).build()).endpoints(parsed).build();
    clusters.pick(first, CLUSTER, 0, DEST);
    flushControl();

    // The same assignment object, as the resource store keeps it when only CDS changed.
    MeshSnapshot second =
        snapshot()
            .cluster(withOutlierDetection(eds(CLUSTER), od -> od).build())
            .endpoints(parsed)
            .build();
    Upstream u = clusters.pick(second, CLUSTER, 0, DEST);
    fail5Times(u);

    assertThat(clusters.state(CLUSTER).outlierDetector().isEjected(u.key()))
        .as("ejected by the new policy")
        .isTrue();
    assertThat(picked(second, CLUSTER, 500)).doesNotContain(u.key());
  }

  /**
   * A STATIC cluster (endpoints inline, as istiod's clusters for static ServiceEntries) whose
   * endpoints a CDS update replaces: the detector must follow the new hosts.
   */
  @Test
  void inlineEndpointsReplacedByCdsReachTheOutlierDetector() throws Exception {
    Cluster.Builder c =
        withOutlierDetection(eds(CLUSTER), od -> od)
            .clearEdsClusterConfig()
            .setType(Cluster.DiscoveryType.STATIC)
            .setLoadAssignment(endpoints(CLUSTER, ips(10), HealthStatus.HEALTHY));
    clusters.pick(snapshot().cluster(c.build()).build(), CLUSTER, 0, DEST);
    flushControl();

    List<String> moved = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      moved.add("10.0.3." + i);
    }
    MeshSnapshot after =
        snapshot()
            .cluster(c.setLoadAssignment(endpoints(CLUSTER, moved, HealthStatus.HEALTHY)).build())
            .build();
    Upstream u = clusters.pick(after, CLUSTER, 0, DEST);
    assertThat(u.endpoint().host()).startsWith("10.0.3.");
    fail5Times(u);

    assertThat(clusters.state(CLUSTER).outlierDetector().isEjected(u.key())).isTrue();
    assertThat(picked(after, CLUSTER, 500)).doesNotContain(u.key()).hasSize(9);
  }

  @Test
  void anEdsUpdateKeepsTheEjectionOfAHostThatStays() throws Exception {
    Cluster.Builder c = withOutlierDetection(eds(CLUSTER), od -> od);
    MeshSnapshot before = withHosts(c, 10);
    Upstream u = clusters.pick(before, CLUSTER, 0, DEST);
    fail5Times(u);

    List<String> more = ips(12);
    MeshSnapshot after =
        snapshot()
            .cluster(Xds.cluster(c.build()))
            .endpoints(endpoints(CLUSTER, more, HealthStatus.HEALTHY))
            .build();
    clusters.pick(after, CLUSTER, 0, DEST);
    flushControl();

    Set<String> expected = keys(more);
    expected.remove(u.key());
    assertThat(picked(after, CLUSTER, 600)).isEqualTo(expected);
  }
}
