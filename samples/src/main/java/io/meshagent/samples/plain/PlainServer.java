package io.meshagent.samples.plain;

import io.meshagent.MeshAgent;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.netty.MeshDataPlane;
import io.meshagent.traffic.MeshHttpResponse;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A service in the mesh: an agent for its identity and configuration, a data plane serving the app
 * on port 9080 with the mTLS and authorization the configuration says. Here it is the demo's
 * ratings (its Envoy resources, the dev CA); in a pod, {@code MeshAgent.fromEnvironment()} takes
 * both from istiod. Run it, then {@link PlainClient} from another terminal:
 *
 * <pre>
 * ./mvnw -q -pl samples exec:java -Dsamples.main=io.meshagent.samples.plain.PlainServer
 * </pre>
 */
public final class PlainServer {
  private PlainServer() {}

  public static void main(String[] args) throws Exception {
    Path config = Path.of(System.getProperty("meshagent.demo.dir", "samples/demo"));
    try (MeshAgent agent =
            MeshAgent.builder()
                .xdsFile(config.resolve("ratings.yaml"))
                .serviceAccount("bookinfo-ratings")
                .podName("ratings-v1")
                .identityProvider(IdentityProvider.DEV)
                .build();
        MeshDataPlane mesh = MeshDataPlane.start(agent)) {
      agent.awaitInitialConfig(Duration.ofSeconds(10));
      // The handler runs on a network thread: answer at once, or complete the future later.
      mesh.serveHttp(
          new InetSocketAddress("127.0.0.31", 9080),
          9080,
          (request, caller) ->
              CompletableFuture.completedFuture(
                  MeshHttpResponse.of(200, "ratings to " + caller.peer() + ": 5 stars\n")));
      System.out.println("ratings serves 127.0.0.31:9080 (mTLS only; GETs from reviews only)");
      Thread.currentThread().join(); // until Ctrl-C
    }
  }
}
