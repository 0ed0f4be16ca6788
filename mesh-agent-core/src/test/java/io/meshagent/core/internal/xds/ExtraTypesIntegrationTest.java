package io.meshagent.core.internal.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.meshagent.MeshAgent;
import io.meshagent.core.internal.proto.security.Authorization;
import io.meshagent.core.internal.proto.security.Rule;
import io.meshagent.core.internal.proto.workload.Address;
import io.meshagent.core.internal.proto.workload.TunnelProtocol;
import io.meshagent.core.internal.proto.workload.Workload;
import io.meshagent.core.testing.DeltaPushServer;
import io.meshagent.model.ambient.AmbientAddress;
import io.meshagent.model.ambient.AuthorizationPolicy;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.snapshot.ResourceTypes;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Types registered through the resource-type SPI — Istio's ambient Address and Authorization — are
 * subscribed as wildcards over Delta ADS when configured, converted, and removed on Delta removals.
 */
class ExtraTypesIntegrationTest {
  private DeltaPushServer server;
  private MeshAgent agent;

  @AfterEach
  void tearDown() {
    if (agent != null) {
      agent.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void ambientTypesArriveInTheSnapshot() throws Exception {
    server = new DeltaPushServer();
    Workload reviews =
        Workload.newBuilder()
            .setUid("Kubernetes//Pod/bookinfo/reviews-v1-1")
            .setName("reviews-v1-1")
            .setNamespace("bookinfo")
            .addAddresses(ByteString.copyFrom(new byte[] {10, 0, 0, 7}))
            .setTunnelProtocol(TunnelProtocol.HBONE)
            .setServiceAccount("bookinfo-reviews")
            .setTrustDomain("cluster.local")
            .build();
    server.put(
        ResourceTypes.WORKLOAD_ADDRESS,
        Map.of(reviews.getUid(), Any.pack(Address.newBuilder().setWorkload(reviews).build())));
    server.put(
        ResourceTypes.AUTHORIZATION,
        Map.of(
            "bookinfo/allow-productpage",
            Any.pack(
                Authorization.newBuilder()
                    .setName("allow-productpage")
                    .setNamespace("bookinfo")
                    .addRules(Rule.getDefaultInstance())
                    .build())));
    agent =
        MeshAgent.builder()
            .xdsAddress(server.address())
            .extraType(ResourceTypes.WORKLOAD_ADDRESS)
            .extraType(ResourceTypes.AUTHORIZATION)
            .podName("productpage-v1-1")
            .namespace("bookinfo")
            .initialFetchTimeout(Duration.ofSeconds(5))
            .build();

    MeshSnapshot s = agent.awaitInitialConfig(Duration.ofSeconds(20));
    assertThat(s.values(ResourceTypes.WORKLOAD_ADDRESS, AmbientAddress.class))
        .containsOnlyKeys("Kubernetes//Pod/bookinfo/reviews-v1-1");
    assertThat(
            s.values(ResourceTypes.WORKLOAD_ADDRESS, AmbientAddress.class)
                .values()
                .iterator()
                .next())
        .isInstanceOfSatisfying(
            io.meshagent.model.ambient.Workload.class,
            w -> {
              assertThat(w.addresses()).containsExactly("10.0.0.7");
              assertThat(w.tunnelProtocol())
                  .isEqualTo(io.meshagent.model.ambient.TunnelProtocol.HBONE);
            });
    assertThat(s.values(ResourceTypes.AUTHORIZATION, AuthorizationPolicy.class))
        .containsOnlyKeys("bookinfo/allow-productpage");

    server.remove(ResourceTypes.WORKLOAD_ADDRESS, "Kubernetes//Pod/bookinfo/reviews-v1-1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> agent.snapshot().entries(ResourceTypes.WORKLOAD_ADDRESS).isEmpty());
  }
}
