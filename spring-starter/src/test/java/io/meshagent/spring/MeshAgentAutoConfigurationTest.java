package io.meshagent.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentConfigException;
import io.meshagent.XdsSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class MeshAgentAutoConfigurationTest {
  @TempDir Path dir;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MeshAgentAutoConfiguration.class))
          .withPropertyValues("mesh.agent.from-environment=false");

  private Path meshFile() throws Exception {
    return Files.writeString(
        dir.resolve("mesh.yaml"),
        """
        resources:
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: static-one
          type: STATIC
          connect_timeout: 1s
          load_assignment:
            cluster_name: static-one
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 80 } } }
        """);
  }

  @Test
  void startsAnAgentFromProperties() throws Exception {
    Path file = meshFile();
    runner
        .withPropertyValues(
            "mesh.agent.xds.address=file:" + file,
            "mesh.agent.node.namespace=shop",
            "mesh.agent.node.service-account=cart",
            "mesh.agent.node.labels.app=cart")
        .run(
            context -> {
              MeshAgent agent = context.getBean(MeshAgent.class);
              assertThat(agent.config().xdsSource()).isEqualTo(new XdsSource.File(file));
              assertThat(agent.config().node().namespace()).isEqualTo("shop");
              assertThat(agent.config().node().labels()).containsEntry("app", "cart");
              assertThat(agent.awaitInitialConfig(Duration.ofSeconds(10)).clusters())
                  .containsKey("static-one");
            });
  }

  @Test
  void customizersRunAfterProperties() throws Exception {
    Path file = meshFile();
    runner
        .withPropertyValues("mesh.agent.xds.address=file:" + file)
        .withBean(MeshAgentCustomizer.class, () -> b -> b.clusterId("east"))
        .run(
            context ->
                assertThat(context.getBean(MeshAgent.class).config().node().clusterId())
                    .isEqualTo("east"));
  }

  @Test
  void disabledByProperty() {
    runner
        .withPropertyValues("mesh.agent.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(MeshAgent.class));
  }

  @Test
  void backsOffWithoutTheApiOnTheClassPath() {
    runner
        .withClassLoader(new FilteredClassLoader(MeshAgent.class))
        .run(context -> assertThat(context).doesNotHaveBean(MeshAgent.class));
  }

  @Test
  void invalidSettingFailsStartupNamingIt() {
    runner
        .withPropertyValues("mesh.agent.xds.address=ftp://istiod:15012")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(MeshAgentConfigException.class)
                    .hasMessageContaining("xds.address"));
  }
}
