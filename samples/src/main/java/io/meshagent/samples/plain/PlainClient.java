package io.meshagent.samples.plain;

import io.meshagent.MeshAgent;
import io.meshagent.identity.IdentityProvider;
import io.meshagent.netty.MeshDataPlane;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A call through the mesh: the app names the service as it would through a sidecar, and the agent
 * routes, balances, retries and secures it as the configuration says. Here it is the demo's reviews
 * calling ratings (start {@link PlainServer} first):
 *
 * <pre>
 * ./mvnw -q -pl samples exec:java -Dsamples.main=io.meshagent.samples.plain.PlainClient
 * </pre>
 */
public final class PlainClient {
  private PlainClient() {}

  public static void main(String[] args) throws Exception {
    Path config = Path.of(System.getProperty("meshagent.demo.dir", "samples/demo"));
    try (MeshAgent agent =
            MeshAgent.builder()
                .xdsFile(config.resolve("reviews.yaml"))
                .serviceAccount("bookinfo-reviews")
                .podName("reviews-v2")
                .identityProvider(IdentityProvider.DEV)
                .build();
        MeshDataPlane mesh = MeshDataPlane.start(agent)) {
      agent.awaitInitialConfig(Duration.ofSeconds(10));
      agent.awaitIdentity(Duration.ofSeconds(10));
      MeshHttpResponse r =
          mesh.client()
              .send(MeshHttpRequest.get("ratings:9080", "/ratings/0"))
              .get(10, TimeUnit.SECONDS);
      // The status and body, who answered (the verified SPIFFE id) and how (tries, Envoy's flags).
      System.out.println(
          r.status()
              + " from "
              + r.peer()
              + " in "
              + r.attempts()
              + " attempt(s) "
              + r.responseFlags());
      System.out.print(r.bodyText());
    }
  }
}
