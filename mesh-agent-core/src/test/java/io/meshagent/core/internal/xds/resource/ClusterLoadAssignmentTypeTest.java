package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.EnvoyInternalAddress;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.Policy;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.endpoint.ClusterLoadAssignment;
import io.meshagent.model.endpoint.HealthStatus;
import io.meshagent.model.endpoint.Locality;
import io.meshagent.model.endpoint.LocalityEndpoints;
import io.meshagent.snapshot.ResourceTypes;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterLoadAssignmentTypeTest {
  private static final String NAME = "outbound|9080||reviews.default.svc.cluster.local";

  private static LbEndpoint.Builder endpoint(String ip, int port) {
    return LbEndpoint.newBuilder()
        .setEndpoint(
            Endpoint.newBuilder()
                .setAddress(
                    Address.newBuilder()
                        .setSocketAddress(
                            SocketAddress.newBuilder().setAddress(ip).setPortValue(port))));
  }

  private static io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.Builder cla(
      LbEndpoint.Builder... endpoints) {
    var locality = LocalityLbEndpoints.newBuilder();
    for (var e : endpoints) {
      locality.addLbEndpoints(e);
    }
    return io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.newBuilder()
        .setClusterName(NAME)
        .addEndpoints(locality);
  }

  private static ClusterLoadAssignment parse(
      io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.Builder proto)
      throws ResourceInvalidException {
    return ClusterLoadAssignmentType.INSTANCE.parse(Any.pack(proto.build())).value();
  }

  @Test
  void describesTheType() {
    assertThat(ClusterLoadAssignmentType.INSTANCE.typeUrl())
        .isEqualTo(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT);
    assertThat(ClusterLoadAssignmentType.INSTANCE.wildcard()).isFalse();
    assertThat(ClusterLoadAssignmentType.INSTANCE.valueClass())
        .isEqualTo(ClusterLoadAssignment.class);
  }

  @Test
  void convertsLocalitiesAndEndpoints() throws Exception {
    var metadata =
        Metadata.newBuilder()
            .putFilterMetadata(
                "envoy.transport_socket_match",
                Struct.newBuilder()
                    .putFields("tlsMode", Value.newBuilder().setStringValue("istio").build())
                    .build())
            .putFilterMetadata(
                "istio",
                Struct.newBuilder()
                    .putFields("count", Value.newBuilder().setNumberValue(3).build())
                    .putFields("ratio", Value.newBuilder().setNumberValue(1.5).build())
                    .putFields("canary", Value.newBuilder().setBoolValue(true).build())
                    .putFields(
                        "labels",
                        Value.newBuilder()
                            .setStructValue(
                                Struct.newBuilder()
                                    .putFields(
                                        "app",
                                        Value.newBuilder().setStringValue("reviews").build()))
                            .build())
                    .putFields(
                        "ports",
                        Value.newBuilder()
                            .setListValue(
                                ListValue.newBuilder()
                                    .addValues(Value.newBuilder().setNumberValue(80)))
                            .build())
                    .build());
    var proto =
        io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.newBuilder()
            .setClusterName(NAME)
            .addEndpoints(
                LocalityLbEndpoints.newBuilder()
                    .setLocality(
                        io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
                            .setRegion("us-east1")
                            .setZone("us-east1-b")
                            .setSubZone("rack1"))
                    .setPriority(1)
                    .setLoadBalancingWeight(UInt32Value.of(7))
                    .addLbEndpoints(
                        endpoint("10.0.0.1", 9080)
                            .setHealthStatus(
                                io.envoyproxy.envoy.config.core.v3.HealthStatus.HEALTHY)
                            .setLoadBalancingWeight(UInt32Value.of(3))
                            .setMetadata(metadata))
                    .addLbEndpoints(
                        endpoint("fd00::2", 9080)
                            .setHealthStatus(
                                io.envoyproxy.envoy.config.core.v3.HealthStatus.DRAINING)))
            .setPolicy(Policy.newBuilder().setOverprovisioningFactor(UInt32Value.of(200)));

    var parsed = ClusterLoadAssignmentType.INSTANCE.parse(Any.pack(proto.build()));

    assertThat(parsed.name()).isEqualTo(NAME);
    assertThat(parsed.value())
        .isEqualTo(
            new ClusterLoadAssignment(
                NAME,
                List.of(
                    new LocalityEndpoints(
                        new Locality("us-east1", "us-east1-b", "rack1"),
                        1,
                        7,
                        List.of(
                            new io.meshagent.model.endpoint.Endpoint(
                                "10.0.0.1",
                                9080,
                                HealthStatus.HEALTHY,
                                3,
                                Map.of(
                                    "envoy.transport_socket_match/tlsMode", "istio",
                                    "istio/count", "3",
                                    "istio/ratio", "1.5",
                                    "istio/canary", "true",
                                    "istio/labels", "{\"app\":\"reviews\"}",
                                    "istio/ports", "[80.0]")),
                            new io.meshagent.model.endpoint.Endpoint(
                                "fd00::2", 9080, HealthStatus.DRAINING, 1, Map.of())))),
                200));
    assertThat(parsed.value().localities().get(0).endpoints().get(0).tlsMode()).isEqualTo("istio");
  }

  @Test
  void defaultsTheOverprovisioningFactorTo140() throws Exception {
    assertThat(parse(cla(endpoint("10.0.0.1", 80))).overprovisioningFactor()).isEqualTo(140);
  }

  @Test
  void readsIstiodHboneEndpointsFromTheirInternalAddress() throws Exception {
    var hbone =
        LbEndpoint.newBuilder()
            .setEndpoint(
                Endpoint.newBuilder()
                    .setAddress(
                        Address.newBuilder()
                            .setEnvoyInternalAddress(
                                EnvoyInternalAddress.newBuilder()
                                    .setServerListenerName("connect_originate")
                                    .setEndpointId("[fd00::7]:9080"))))
            .setMetadata(
                Metadata.newBuilder()
                    .putFilterMetadata(
                        "envoy.filters.listener.original_dst",
                        Struct.newBuilder()
                            .putFields(
                                "local",
                                Value.newBuilder().setStringValue("[fd00::7]:15008").build())
                            .build()));

    var e = parse(cla(hbone)).localities().get(0).endpoints().get(0);

    assertThat(e.host()).isEqualTo("fd00::7");
    assertThat(e.port()).isEqualTo(9080);
    assertThat(e.metadata())
        .containsEntry("envoy.filters.listener.original_dst/local", "[fd00::7]:15008");
  }

  static Stream<Arguments> invalidAssignments() {
    return Stream.of(
        Arguments.of(
            "endpoint weight 0",
            cla(endpoint("10.0.0.1", 80).setLoadBalancingWeight(UInt32Value.of(0))),
            "endpoints[0].lb_endpoints[0].load_balancing_weight: weight must be >= 1, got 0"),
        Arguments.of(
            "endpoint without address",
            cla(
                endpoint("10.0.0.1", 80),
                LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder())),
            "endpoints[0].lb_endpoints[1].endpoint.address: an endpoint needs a socket_address"),
        Arguments.of(
            "named endpoint",
            cla(LbEndpoint.newBuilder().setEndpointName("e1")),
            "endpoints[0].lb_endpoints[0].endpoint.address: an endpoint needs a socket_address"),
        Arguments.of(
            "endpoint without port",
            cla(
                LbEndpoint.newBuilder()
                    .setEndpoint(
                        Endpoint.newBuilder()
                            .setAddress(
                                Address.newBuilder()
                                    .setSocketAddress(
                                        SocketAddress.newBuilder().setAddress("10.0.0.1"))))),
            "endpoints[0].lb_endpoints[0].endpoint.address.socket_address: port_value is required"),
        Arguments.of(
            "unknown health status",
            cla(endpoint("10.0.0.1", 80).setHealthStatusValue(17)),
            "endpoints[0].lb_endpoints[0].health_status: 17 is not a known health status"),
        Arguments.of(
            "no cluster name",
            io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.newBuilder(),
            "cluster_name: must not be empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidAssignments")
  void rejectsInvalidAssignmentsNamingTheEndpoint(
      String description,
      io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.Builder proto,
      String message) {
    assertThatThrownBy(() -> parse(proto))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }
}
