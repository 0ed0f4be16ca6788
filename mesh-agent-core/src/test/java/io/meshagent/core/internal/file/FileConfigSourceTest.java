package io.meshagent.core.internal.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshagent.MeshAgent;
import io.meshagent.model.endpoint.Endpoint;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.snapshot.ResourceTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code file:} source end to end through the public API. */
class FileConfigSourceTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";

  @TempDir Path dir;
  private MeshAgent agent;

  @AfterEach
  void close() {
    if (agent != null) {
      agent.close();
    }
  }

  private static String bookinfoYaml() throws IOException {
    try (InputStream in = FileConfigSourceTest.class.getResourceAsStream("/xds/bookinfo.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private MeshAgent start(Path file) {
    agent = MeshAgent.builder().xdsFile(file).build();
    return agent;
  }

  private static Endpoint firstEndpoint(MeshSnapshot s) {
    return s.clusterLoadAssignments().get(REVIEWS).localities().get(0).endpoints().get(0);
  }

  @Test
  void loadsYamlWithAllFourTypes() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), bookinfoYaml());
    MeshSnapshot s = start(file).awaitInitialConfig(WAIT);

    assertThat(s.listeners()).containsOnlyKeys("0.0.0.0_9080");
    assertThat(s.routeConfigurations()).containsOnlyKeys("9080");
    assertThat(s.clusters()).containsOnlyKeys(REVIEWS);
    assertThat(firstEndpoint(s).host()).isEqualTo("10.0.0.1");
    assertThat(firstEndpoint(s).tlsMode()).isEqualTo("istio");
    assertThat(s.entries(ResourceTypes.CLUSTER).get(REVIEWS).version()).isEqualTo("1");
    assertThat(agent.controlPlaneStatus().source()).isEqualTo("file:" + file);
  }

  @Test
  void loadsJson() throws Exception {
    String json =
        """
        {"resources": [{
          "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster",
          "name": "static-one", "type": "STATIC", "connectTimeout": "1s",
          "loadAssignment": {"clusterName": "static-one", "endpoints": [{"lbEndpoints": [
            {"endpoint": {"address": {"socketAddress": {"address": "127.0.0.1", "portValue": 80}}}}
          ]}]}
        }]}
        """;
    Path file = Files.writeString(dir.resolve("mesh.json"), json);
    MeshSnapshot s = start(file).awaitInitialConfig(WAIT);
    assertThat(s.clusters().get("static-one").loadAssignment().endpointCount()).isEqualTo(1);
  }

  @Test
  void reloadsWhenTheFileChanges() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), bookinfoYaml());
    long first = start(file).awaitInitialConfig(WAIT).version();

    replace(file, bookinfoYaml().replace("10.0.0.1", "10.0.0.2"));
    await().atMost(WAIT).until(() -> firstEndpoint(agent.snapshot()).host().equals("10.0.0.2"));
    assertThat(agent.snapshot().version()).isGreaterThan(first);
  }

  @Test
  void followsKubernetesDataSymlinkSwap() throws Exception {
    // The layout a ConfigMap volume has: ..data -> ..<timestamp>/, and file -> ..data/file.
    Path v1 = Files.createDirectory(dir.resolve("..2026_11_24_01"));
    Files.writeString(v1.resolve("mesh.yaml"), bookinfoYaml());
    Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
    Path file = Files.createSymbolicLink(dir.resolve("mesh.yaml"), Path.of("..data/mesh.yaml"));
    start(file).awaitInitialConfig(WAIT);

    Path v2 = Files.createDirectory(dir.resolve("..2026_11_24_02"));
    Files.writeString(v2.resolve("mesh.yaml"), bookinfoYaml().replace("10.0.0.1", "10.0.0.3"));
    Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
    Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

    await().atMost(WAIT).until(() -> firstEndpoint(agent.snapshot()).host().equals("10.0.0.3"));
  }

  /**
   * A file truncated by a write still under way: refused, not taken as "no resources", and the
   * whole file is read once it is written.
   */
  @Test
  void anEmptyFileIsRefusedAndTheWholeFileIsReadWhenWritten() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), bookinfoYaml());
    MeshSnapshot good = start(file).awaitInitialConfig(WAIT);

    replace(file, "");
    await().atMost(WAIT).until(() -> agent.controlPlaneStatus().rejectedUpdates() == 1);
    assertThat(agent.controlPlaneStatus().lastError()).contains(file.toString()).contains("empty");
    assertThat(agent.snapshot().version()).isEqualTo(good.version());
    assertThat(agent.snapshot().clusters()).containsKey(REVIEWS);

    replace(file, bookinfoYaml().replace("10.0.0.1", "10.0.0.4"));
    await().atMost(WAIT).until(() -> firstEndpoint(agent.snapshot()).host().equals("10.0.0.4"));
  }

  @Test
  void malformedFileIsReportedAndLastGoodStays() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), bookinfoYaml());
    MeshSnapshot good = start(file).awaitInitialConfig(WAIT);

    replace(file, "resources: [ {unclosed");
    await().atMost(WAIT).until(() -> agent.controlPlaneStatus().rejectedUpdates() == 1);
    assertThat(agent.controlPlaneStatus().lastError())
        .contains(file.toString())
        .contains("not valid YAML or JSON");
    assertThat(agent.snapshot().version()).isEqualTo(good.version());
    assertThat(agent.snapshot().clusters()).containsKey(REVIEWS);
  }

  @Test
  void invalidResourceIsNamedAndLastGoodStays() throws Exception {
    Path file = Files.writeString(dir.resolve("mesh.yaml"), bookinfoYaml());
    MeshSnapshot good = start(file).awaitInitialConfig(WAIT);

    replace(
        file,
        bookinfoYaml().replace("match: { prefix: / }", "match: { safe_regex: { regex: '(' } }"));
    await().atMost(WAIT).until(() -> agent.controlPlaneStatus().rejectedUpdates() == 1);
    assertThat(agent.controlPlaneStatus().lastError())
        .contains("RouteConfiguration '9080'")
        .contains("regex");
    assertThat(agent.snapshot().version()).isEqualTo(good.version());
  }

  @Test
  void unknownFieldAndUnknownTypeAreRefusedWithTheirPlace() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("mesh.yaml"),
            bookinfoYaml().replace("lb_policy: LEAST_REQUEST", "lb_polcy: LEAST_REQUEST"));
    start(file);
    await().atMost(WAIT).until(() -> agent.controlPlaneStatus().rejectedUpdates() == 1);
    assertThat(agent.controlPlaneStatus().lastError())
        .contains("resources[0](name=" + REVIEWS + ")")
        .contains("lb_polcy");

    Files.writeString(
        file, "resources:\n- \"@type\": type.googleapis.com/envoy.config.core.v3.Node\n  id: x\n");
    await().atMost(WAIT).until(() -> agent.controlPlaneStatus().rejectedUpdates() == 2);
    assertThat(agent.controlPlaneStatus().lastError())
        .contains("envoy.config.core.v3.Node")
        .contains("not supported");
    assertThat(agent.snapshot().version()).isZero();
  }

  @Test
  void missingFileIsReportedUntilItAppears() throws Exception {
    Path file = dir.resolve("later.yaml");
    start(file);
    await()
        .atMost(WAIT)
        .until(
            () -> String.valueOf(agent.controlPlaneStatus().lastError()).contains("cannot read"));
    Files.writeString(file, bookinfoYaml());
    assertThat(agent.awaitInitialConfig(WAIT).clusters()).containsKey(REVIEWS);
  }

  /** Replaces the file's content at once, as a write elsewhere and a move do (and should). */
  private static void replace(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }
}
