package io.meshagent.core.internal.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.identity.SpiffeId;
import org.junit.jupiter.api.Test;

/** The verified identity of a peer over what it claims. */
class WorkloadMetadataTest {

  @Test
  void theCertificateSetsThePrincipalAndItsNamespace() {
    WorkloadMetadata claimed =
        WorkloadMetadata.builder().workload("w").namespace("claimed").build();
    WorkloadMetadata verified =
        claimed.withPrincipal(SpiffeId.ofIstio("cluster.local", "real", "sa"));
    assertThat(verified.principal()).isEqualTo("spiffe://cluster.local/ns/real/sa/sa");
    assertThat(verified.namespace()).isEqualTo("real");
    assertThat(verified.workload()).isEqualTo("w");
  }

  @Test
  void aNonIstioIdKeepsTheClaimedNamespace() {
    WorkloadMetadata verified =
        WorkloadMetadata.builder()
            .namespace("claimed")
            .build()
            .withPrincipal(SpiffeId.parse("spiffe://example.org/service/web"));
    assertThat(verified.principal()).isEqualTo("spiffe://example.org/service/web");
    assertThat(verified.namespace()).isEqualTo("claimed");
  }
}
