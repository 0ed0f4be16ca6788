package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.CustomClusterType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.EdsClusterConfig;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.TransportSocketMatch;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.cluster.CircuitBreakerThresholds;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.UpstreamTransport;
import io.meshagent.model.endpoint.HealthStatus;
import io.meshagent.model.endpoint.Locality;
import io.meshagent.model.endpoint.LocalityEndpoints;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterTypeTest {
  private static final String NAME = "outbound|9080|v1|reviews.default.svc.cluster.local";
  private static final String SUPPORTED =
      "supported: ROUND_ROBIN, LEAST_REQUEST, RING_HASH, RANDOM, MAGLEV, CLUSTER_PROVIDED";

  private static io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder cluster() {
    return io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder().setName(NAME);
  }

  private static LbEndpoint.Builder endpoint(String ip, int port) {
    return LbEndpoint.newBuilder()
        .setEndpoint(
            Endpoint.newBuilder()
                .setAddress(
                    Address.newBuilder()
                        .setSocketAddress(
                            SocketAddress.newBuilder().setAddress(ip).setPortValue(port))));
  }

  private static Cluster parse(io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder proto)
      throws ResourceInvalidException {
    return ClusterType.INSTANCE.parse(Any.pack(proto.build())).value();
  }

  @Test
  void describesTheType() {
    assertThat(ClusterType.INSTANCE.typeUrl()).isEqualTo(ResourceTypes.CLUSTER);
    assertThat(ClusterType.INSTANCE.wildcard()).isTrue();
    assertThat(ClusterType.INSTANCE.valueClass()).isEqualTo(Cluster.class);
  }

  @Test
  void convertsAnEdsCluster() throws Exception {
    var proto =
        cluster()
            .setType(DiscoveryType.EDS)
            .setEdsClusterConfig(EdsClusterConfig.newBuilder().setServiceName("reviews-eds"))
            .setLbPolicy(LbPolicy.LEAST_REQUEST)
            .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(10))
            .addTransportSocketMatches(
                TransportSocketMatch.newBuilder()
                    .setName("tlsMode-disabled")
                    .setTransportSocket(UpstreamTransportsTest.rawBuffer()))
            // Ignored for EDS, as Envoy does.
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .addEndpoints(
                        LocalityLbEndpoints.newBuilder().addLbEndpoints(endpoint("x", 1))));

    var parsed = ClusterType.INSTANCE.parse(Any.pack(proto.build()));

    assertThat(parsed.name()).isEqualTo(NAME);
    assertThat(parsed.value())
        .isEqualTo(
            new Cluster(
                NAME,
                io.meshagent.model.cluster.DiscoveryType.EDS,
                "reviews-eds",
                io.meshagent.model.cluster.LbPolicy.LEAST_REQUEST,
                Duration.ofSeconds(10),
                null,
                List.of(
                    new io.meshagent.model.cluster.TransportSocketMatch(
                        "tlsMode-disabled", Map.of(), UpstreamTransport.Plaintext.INSTANCE)),
                UpstreamTransport.Plaintext.INSTANCE,
                null,
                CircuitBreakerThresholds.DEFAULTS,
                List.of()));
  }

  @Test
  void istiodsServiceMetadataIsKeptAndOtherShapesSkipped() throws Exception {
    com.google.protobuf.Value reviews =
        com.google.protobuf.Value.newBuilder()
            .setStructValue(
                com.google.protobuf.Struct.newBuilder()
                    .putFields("host", str("reviews.default.svc.cluster.local"))
                    .putFields("name", str("reviews"))
                    .putFields("namespace", str("default")))
            .build();
    com.google.protobuf.Value noHost =
        com.google.protobuf.Value.newBuilder()
            .setStructValue(com.google.protobuf.Struct.newBuilder().putFields("name", str("x")))
            .build();
    io.envoyproxy.envoy.config.core.v3.Metadata metadata =
        io.envoyproxy.envoy.config.core.v3.Metadata.newBuilder()
            .putFilterMetadata(
                "istio",
                com.google.protobuf.Struct.newBuilder()
                    .putFields(
                        "services",
                        com.google.protobuf.Value.newBuilder()
                            .setListValue(
                                com.google.protobuf.ListValue.newBuilder()
                                    .addValues(str("not a struct"))
                                    .addValues(noHost)
                                    .addValues(reviews))
                            .build())
                    .build())
            .build();

    Cluster c = parse(cluster().setType(DiscoveryType.EDS).setMetadata(metadata));

    assertThat(c.istioServices())
        .containsExactly(
            new io.meshagent.model.cluster.IstioService(
                "reviews.default.svc.cluster.local", "reviews", "default"));
    assertThat(parse(cluster().setType(DiscoveryType.EDS)).istioServices()).isEmpty();
  }

  private static com.google.protobuf.Value str(String s) {
    return com.google.protobuf.Value.newBuilder().setStringValue(s).build();
  }

  @Test
  void defaultsAsEnvoyDoes() throws Exception {
    Cluster c = parse(cluster().setType(DiscoveryType.EDS));

    assertThat(c.edsServiceName()).isEqualTo(NAME);
    assertThat(c.lbPolicy()).isEqualTo(io.meshagent.model.cluster.LbPolicy.ROUND_ROBIN);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(parse(cluster()).type()).isEqualTo(io.meshagent.model.cluster.DiscoveryType.STATIC);
  }

  @Test
  void convertsInlineEndpointsOfAStaticCluster() throws Exception {
    var proto =
        cluster()
            .setType(DiscoveryType.STRICT_DNS)
            .setLbPolicy(LbPolicy.RANDOM)
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .addEndpoints(
                        LocalityLbEndpoints.newBuilder()
                            .addLbEndpoints(endpoint("reviews.example.com", 443))));

    Cluster c = parse(proto);

    assertThat(c.type()).isEqualTo(io.meshagent.model.cluster.DiscoveryType.STRICT_DNS);
    assertThat(c.loadAssignment())
        .isEqualTo(
            new io.meshagent.model.endpoint.ClusterLoadAssignment(
                NAME,
                List.of(
                    new LocalityEndpoints(
                        Locality.NONE,
                        0,
                        0,
                        List.of(
                            new io.meshagent.model.endpoint.Endpoint(
                                "reviews.example.com", 443, HealthStatus.UNKNOWN, 1, Map.of())))),
                140));
  }

  static Stream<Arguments> discoveryTypes() {
    return Stream.of(
        Arguments.of(DiscoveryType.STATIC, LbPolicy.ROUND_ROBIN),
        Arguments.of(DiscoveryType.LOGICAL_DNS, LbPolicy.RING_HASH),
        Arguments.of(DiscoveryType.ORIGINAL_DST, LbPolicy.CLUSTER_PROVIDED),
        Arguments.of(DiscoveryType.EDS, LbPolicy.MAGLEV));
  }

  @ParameterizedTest
  @MethodSource("discoveryTypes")
  void mapsDiscoveryTypesAndLbPolicies(DiscoveryType type, LbPolicy policy) throws Exception {
    Cluster c = parse(cluster().setType(type).setLbPolicy(policy));

    assertThat(c.type().name()).isEqualTo(type.name());
    assertThat(c.lbPolicy().name()).isEqualTo(policy.name());
  }

  static Stream<Arguments> invalidClusters() {
    return Stream.of(
        Arguments.of(
            "unknown lb_policy",
            cluster().setLbPolicyValue(42),
            "lb_policy: 42 is not supported; " + SUPPORTED),
        Arguments.of(
            "typed load_balancing_policy",
            cluster().setLbPolicy(LbPolicy.LOAD_BALANCING_POLICY_CONFIG),
            "lb_policy: LOAD_BALANCING_POLICY_CONFIG is not supported; " + SUPPORTED),
        Arguments.of(
            "custom cluster type",
            cluster()
                .setClusterType(CustomClusterType.newBuilder().setName("envoy.clusters.aggregate")),
            "cluster_type: custom cluster type 'envoy.clusters.aggregate' is not supported"),
        Arguments.of(
            "unknown discovery type",
            cluster().setTypeValue(9),
            "type: 9 is not supported; supported: STATIC, STRICT_DNS, LOGICAL_DNS, EDS,"
                + " ORIGINAL_DST"),
        Arguments.of(
            "zero connect timeout",
            cluster().setConnectTimeout(com.google.protobuf.Duration.getDefaultInstance()),
            "connect_timeout: must be greater than 0"),
        Arguments.of(
            "inline endpoint with weight 0",
            cluster()
                .setLoadAssignment(
                    ClusterLoadAssignment.newBuilder()
                        .addEndpoints(
                            LocalityLbEndpoints.newBuilder()
                                .addLbEndpoints(
                                    endpoint("10.0.0.1", 80)
                                        .setLoadBalancingWeight(UInt32Value.of(0))))),
            "load_assignment.endpoints[0].lb_endpoints[0].load_balancing_weight: weight must be"
                + " >= 1, got 0"),
        Arguments.of(
            "no name",
            io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder(),
            "name: must not be empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidClusters")
  void rejectsInvalidClustersNamingTheField(
      String description,
      io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder proto,
      String message) {
    assertThatThrownBy(() -> parse(proto))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }
}
