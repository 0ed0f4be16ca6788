package io.meshagent.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.MeshAgent;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension starts an agent from {@code quarkus.mesh-agent.*} and injects it. */
class MeshAgentExtensionTest {
  @RegisterExtension
  static final QuarkusUnitTest app =
      new QuarkusUnitTest()
          .overrideConfigKey("quarkus.mesh-agent.from-environment", "false")
          .overrideConfigKey("quarkus.mesh-agent.xds-address", "file:src/test/resources/mesh.yaml")
          .overrideConfigKey("quarkus.mesh-agent.namespace", "bookinfo");

  @Inject MeshAgent agent;

  @Test
  void injectsAStartedAgent() throws Exception {
    assertThat(agent.config().node().namespace()).isEqualTo("bookinfo");
    assertThat(agent.awaitInitialConfig(Duration.ofSeconds(10)).clusters())
        .containsKey("outbound|9080||reviews.default.svc.cluster.local");
  }
}
