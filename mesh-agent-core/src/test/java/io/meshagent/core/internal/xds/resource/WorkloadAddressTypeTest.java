package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.meshagent.core.internal.proto.workload.Address;
import io.meshagent.core.internal.proto.workload.GatewayAddress;
import io.meshagent.core.internal.proto.workload.NamespacedHostname;
import io.meshagent.core.internal.proto.workload.NetworkAddress;
import io.meshagent.core.internal.proto.workload.Port;
import io.meshagent.core.internal.proto.workload.PortList;
import io.meshagent.core.internal.proto.workload.Service;
import io.meshagent.core.internal.proto.workload.TunnelProtocol;
import io.meshagent.core.internal.proto.workload.WorkloadStatus;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.core.xds.XdsResourceType.Parsed;
import io.meshagent.model.ambient.AmbientAddress;
import io.meshagent.model.ambient.GatewayRef;
import io.meshagent.model.ambient.MeshService;
import io.meshagent.model.ambient.PortMapping;
import io.meshagent.model.ambient.Workload;
import io.meshagent.snapshot.ResourceTypes;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WorkloadAddressTypeTest {
  private static final String UID = "Kubernetes//Pod/default/reviews-v1-abc";

  private static ByteString ip(int... bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = (byte) bytes[i];
    }
    return ByteString.copyFrom(out);
  }

  private static final ByteString V4 = ip(10, 0, 0, 7);
  private static final ByteString V6 = ip(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10);

  private static Parsed<AmbientAddress> parse(Address.Builder address)
      throws ResourceInvalidException {
    return WorkloadAddressType.INSTANCE.parse(Any.pack(address.build()));
  }

  private static io.meshagent.core.internal.proto.workload.Workload.Builder workload() {
    return io.meshagent.core.internal.proto.workload.Workload.newBuilder().setUid(UID);
  }

  @Test
  void describesTheType() {
    assertThat(WorkloadAddressType.INSTANCE.typeUrl()).isEqualTo(ResourceTypes.WORKLOAD_ADDRESS);
    assertThat(WorkloadAddressType.INSTANCE.wildcard()).isTrue();
    assertThat(WorkloadAddressType.INSTANCE.valueClass()).isEqualTo(AmbientAddress.class);
    assertThat(WorkloadAddressType.INSTANCE.descriptor().getFullName())
        .isEqualTo("istio.workload.Address");
  }

  @Test
  void convertsAWorkloadNamedByUid() throws Exception {
    var proto =
        workload()
            .setName("reviews-v1-abc")
            .setNamespace("default")
            .addAddresses(V4)
            .addAddresses(V6)
            .setHostname("")
            .setNetwork("net1")
            .setTunnelProtocol(TunnelProtocol.HBONE)
            .setTrustDomain("cluster.local")
            .setServiceAccount("bookinfo-reviews")
            .setWaypoint(
                GatewayAddress.newBuilder()
                    .setHostname(
                        NamespacedHostname.newBuilder()
                            .setNamespace("default")
                            .setHostname("waypoint.default.svc.cluster.local"))
                    .setHboneMtlsPort(15008))
            .setNode("node-1")
            .setCanonicalName("reviews")
            .setCanonicalRevision("v1")
            .setWorkloadName("reviews-v1")
            .setNativeTunnel(true)
            .putServices(
                "default/reviews.default.svc.cluster.local",
                PortList.newBuilder()
                    .addPorts(Port.newBuilder().setServicePort(9080).setTargetPort(8080))
                    .build())
            .addAuthorizationPolicies("default/allow-productpage")
            .setStatus(WorkloadStatus.UNHEALTHY)
            .setClusterId("Kubernetes");

    Parsed<AmbientAddress> parsed = parse(Address.newBuilder().setWorkload(proto));

    assertThat(parsed.name()).isEqualTo(UID);
    assertThat(parsed.value())
        .isEqualTo(
            new Workload(
                UID,
                "reviews-v1-abc",
                "default",
                List.of("10.0.0.7", "fd00::10"),
                "",
                "net1",
                io.meshagent.model.ambient.TunnelProtocol.HBONE,
                "cluster.local",
                "bookinfo-reviews",
                new GatewayRef("default/waypoint.default.svc.cluster.local", "", 15008),
                "node-1",
                "reviews",
                "v1",
                "reviews-v1",
                true,
                Map.of(
                    "default/reviews.default.svc.cluster.local",
                    List.of(new PortMapping(9080, 8080))),
                List.of("default/allow-productpage"),
                false,
                "Kubernetes"));
  }

  @Test
  void convertsAServiceNamedByNamespaceAndHostname() throws Exception {
    var proto =
        Service.newBuilder()
            .setName("reviews")
            .setNamespace("default")
            .setHostname("reviews.default.svc.cluster.local")
            .addAddresses(
                NetworkAddress.newBuilder().setNetwork("net1").setAddress(ip(10, 96, 0, 5)))
            .addAddresses(NetworkAddress.newBuilder().setAddress(V6))
            .addPorts(Port.newBuilder().setServicePort(9080))
            .addSubjectAltNames("spiffe://cluster.local/ns/default/sa/reviews")
            .setWaypoint(
                GatewayAddress.newBuilder()
                    .setAddress(NetworkAddress.newBuilder().setNetwork("net1").setAddress(V4))
                    .setHboneMtlsPort(15008));

    Parsed<AmbientAddress> parsed = parse(Address.newBuilder().setService(proto));

    assertThat(parsed.name()).isEqualTo("default/reviews.default.svc.cluster.local");
    assertThat(parsed.value())
        .isEqualTo(
            new MeshService(
                "reviews",
                "default",
                "reviews.default.svc.cluster.local",
                List.of("net1/10.96.0.5", "/fd00::10"),
                List.of(new PortMapping(9080, 0)),
                List.of("spiffe://cluster.local/ns/default/sa/reviews"),
                new GatewayRef("", "net1/10.0.0.7", 15008)));
  }

  @Test
  void printsIpv6AddressesInTheirShortestForm() throws Exception {
    var proto =
        workload()
            .addAddresses(ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1))
            .addAddresses(ip(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1))
            .addAddresses(ip(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1));

    var w = (Workload) parse(Address.newBuilder().setWorkload(proto)).value();

    assertThat(w.addresses()).containsExactly("::1", "2001:db8::1:0:0:1", "::ffff:a00:1");
  }

  static Stream<Arguments> invalidAddresses() {
    return Stream.of(
        Arguments.of(
            "workload address of 3 bytes",
            Address.newBuilder().setWorkload(workload().addAddresses(V4).addAddresses(ip(1, 2, 3))),
            "workload.addresses[1]: IP address must be 4 or 16 bytes, got 3"),
        Arguments.of(
            "service address of 5 bytes",
            Address.newBuilder()
                .setService(
                    Service.newBuilder()
                        .setNamespace("default")
                        .setHostname("reviews")
                        .addAddresses(NetworkAddress.newBuilder().setAddress(ip(1, 2, 3, 4, 5)))),
            "service.addresses[0].address: IP address must be 4 or 16 bytes, got 5"),
        Arguments.of(
            "waypoint without destination",
            Address.newBuilder().setWorkload(workload().setWaypoint(GatewayAddress.newBuilder())),
            "workload.waypoint: neither hostname nor address is set"),
        Arguments.of(
            "workload without uid",
            Address.newBuilder()
                .setWorkload(io.meshagent.core.internal.proto.workload.Workload.newBuilder()),
            "workload.uid: must not be empty"),
        Arguments.of(
            "service without hostname",
            Address.newBuilder().setService(Service.newBuilder().setNamespace("default")),
            "service.hostname: must not be empty"),
        Arguments.of(
            "neither workload nor service",
            Address.newBuilder(),
            "type: neither workload nor service is set"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidAddresses")
  void rejectsInvalidAddressesNamingTheField(
      String description, Address.Builder proto, String message) {
    assertThatThrownBy(() -> parse(proto))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }
}
