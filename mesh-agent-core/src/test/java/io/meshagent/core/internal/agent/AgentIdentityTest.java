package io.meshagent.core.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentConfigException;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.identity.IdentityStatus;
import io.meshagent.identity.SpiffeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identity through the public API: the dev CA shared by two agents, status, and settings. */
class AgentIdentityTest {
  @TempDir Path dir;
  private final List<MeshAgent> agents = new ArrayList<>();

  @AfterEach
  void close() {
    agents.forEach(MeshAgent::close);
  }

  private MeshAgent devAgent(String sa) throws Exception {
    Path mesh = dir.resolve("mesh.yaml");
    if (!Files.exists(mesh)) {
      Files.writeString(mesh, "resources: []\n");
    }
    MeshAgent a =
        MeshAgent.builder()
            .xdsFile(mesh)
            .namespace("bookinfo")
            .serviceAccount(sa)
            .identityProvider(IdentityProvider.DEV)
            .devCaDir(dir.resolve("dev-ca"))
            .certTtl(Duration.ofHours(1))
            .build();
    agents.add(a);
    return a;
  }

  @Test
  void devProviderIssuesTheIstioIdentityFromOneSharedRoot() throws Exception {
    MeshAgent productpage = devAgent("productpage");
    MeshAgent reviews = devAgent("reviews");
    assertThat(productpage.awaitIdentity(Duration.ofSeconds(20)))
        .isEqualTo(SpiffeId.parse("spiffe://cluster.local/ns/bookinfo/sa/productpage"));
    assertThat(reviews.awaitIdentity(Duration.ofSeconds(20)).serviceAccount()).isEqualTo("reviews");

    IdentityStatus status = productpage.identityStatus();
    assertThat(status.provider()).isEqualTo("dev");
    assertThat(status.valid(Instant.now())).isTrue();
    assertThat(Duration.between(status.notBefore(), status.notAfter()))
        .isBetween(Duration.ofMinutes(60), Duration.ofMinutes(62));
    assertThat(status.nextRotation())
        .isBetween(
            status.notBefore().plus(Duration.ofMinutes(29)),
            status.notBefore().plus(Duration.ofMinutes(32)));
    assertThat(AgentInternals.identity(productpage).current().roots())
        .isEqualTo(AgentInternals.identity(reviews).current().roots());
    assertThat(Files.list(dir.resolve("dev-ca")).map(p -> p.getFileName().toString()))
        .contains("root-cert.pem", "root-key.pem");
  }

  @Test
  void withoutAProviderThereIsNoIdentity() throws Exception {
    Path mesh = Files.writeString(dir.resolve("mesh.yaml"), "resources: []\n");
    MeshAgent a = MeshAgent.builder().xdsFile(mesh).build();
    agents.add(a);
    assertThat(a.identityStatus().spiffeId()).isNull();
    assertThatThrownBy(() -> a.awaitIdentity(Duration.ofMillis(10)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("identity.provider is NONE");
  }

  @Test
  void istiodProviderNeedsATlsCa() throws Exception {
    Path mesh = Files.writeString(dir.resolve("mesh.yaml"), "resources: []\n");
    assertThatThrownBy(
            () ->
                MeshAgent.builder()
                    .xdsFile(mesh)
                    .identityProvider(IdentityProvider.ISTIOD)
                    .buildConfig())
        .isInstanceOf(MeshAgentConfigException.class)
        .hasMessageContaining("identity.caAddress");
    assertThatThrownBy(
            () ->
                MeshAgent.builder()
                    .xdsFile(mesh)
                    .identityProvider(IdentityProvider.ISTIOD)
                    .caAddress("istiod:15010")
                    .buildConfig())
        .isInstanceOf(MeshAgentConfigException.class)
        .hasMessageContaining("served over TLS");
  }

  @Test
  void spireNeedsItsSocket() throws Exception {
    Path mesh = Files.writeString(dir.resolve("mesh.yaml"), "resources: []\n");
    assertThatThrownBy(
            () ->
                MeshAgent.builder()
                    .xdsFile(mesh)
                    .identityProvider(IdentityProvider.SPIRE)
                    .buildConfig())
        .isInstanceOf(MeshAgentConfigException.class)
        .hasMessageContaining("SPIFFE_ENDPOINT_SOCKET");
  }
}
