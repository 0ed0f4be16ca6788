package io.meshagent.netty;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshagent.MeshAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An upstream that cannot be reached is reported by what went wrong, named. */
class UpstreamConnectFailureTest {
  @TempDir Path dir;

  @Test
  void anEndpointWhoseHostDoesNotResolveIsNamedInTheError() throws Exception {
    String cluster = "outbound|9080||nowhere.default.svc.cluster.local";
    MeshYaml config = new MeshYaml();
    // .invalid never resolves (RFC 6761); Envoy would need STRICT_DNS for a name here.
    config.cluster(cluster, "", "").endpoints(cluster, "", "nowhere.invalid:9080");
    Path yaml = dir.resolve("productpage.json");
    Files.writeString(yaml, config.render());
    try (MeshAgent agent =
            TwoAgents.agent(yaml, "productpage-v1", "productpage", dir.resolve("ca"));
        MeshDataPlane plane =
            MeshDataPlane.start(agent, DataPlaneOptions.defaults().withEventLoopThreads(1))) {
      assertThatThrownBy(
              () ->
                  plane
                      .client()
                      .connect("nowhere.default.svc.cluster.local", 9080)
                      .get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .hasMessageContaining("connect failed: cannot resolve nowhere.invalid");
    }
  }
}
