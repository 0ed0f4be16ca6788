package io.meshagent.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshagent.MeshAgent;
import io.meshagent.identity.SpiffeId;
import io.meshagent.netty.internal.hbone.HboneFixture;
import io.meshagent.netty.internal.hbone.HboneServer;
import io.meshagent.traffic.MeshHttpRequest;
import io.meshagent.traffic.MeshHttpResponse;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app behind an HBONE server that is not a sidecar (ztunnel's case): its responses carry no peer
 * metadata, and the client labels the destination from the {@code baggage} of the CONNECT's 200, as
 * ztunnel sends it since 1.30.
 */
class HbonePlainAppTelemetryTest {
  private static final String SAN = "spiffe://cluster.local/ns/default/sa/plain";
  private static final String BAGGAGE =
      "k8s.cluster.name=Kubernetes,k8s.namespace.name=default,k8s.deployment.name=plain-v1,"
          + "service.name=plain,service.version=v1";

  @TempDir Path dir;

  @Test
  void aRequestToAnAppBehindZtunnelIsLabelledFromThe200sBaggage() throws Exception {
    HttpServer app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext(
        "/",
        exchange -> {
          byte[] body = "plain".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    app.start();
    try (HboneFixture fx = new HboneFixture(dir)) {
      HboneServer hbone =
          fx.closeLater(
              new HboneServer(
                  fx.tls(SpiffeId.parse(SAN), "ca", List.of("h2")),
                  (peer, destination) -> true,
                  authority -> app.getAddress(),
                  HboneServer.LocalServices.NONE,
                  () -> BAGGAGE,
                  fx.group));
      InetSocketAddress next = hbone.bind(new InetSocketAddress("127.0.0.1", 0));

      String cluster = "outbound|9080||plain.default.svc.cluster.local";
      MeshYaml config = new MeshYaml();
      config
          .cluster(cluster, SAN, "")
          .hboneEndpoint(cluster, "127.0.0.1:9080", "127.0.0.1:" + next.getPort());
      config
          .httpListener(9080)
          .routes(
              9080,
              MeshYaml.vhost(
                  "plain",
                  List.of("plain:9080"),
                  MeshYaml.route(
                      "/", "\"cluster\": \"" + cluster + "\", \"timeout\": \"5s\"", "")));
      Path yaml = dir.resolve("productpage.json");
      Files.writeString(yaml, config.render());
      try (MeshAgent agent =
              TwoAgentsEndToEndTest.agent(
                  yaml, "productpage-v1", "productpage", dir.resolve("ca"));
          MeshDataPlane plane =
              MeshDataPlane.start(agent, DataPlaneOptions.defaults().withEventLoopThreads(2))) {
        MeshHttpResponse r =
            plane.client().send(MeshHttpRequest.get("plain:9080", "/")).get(20, TimeUnit.SECONDS);

        assertThat(r.status()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("plain");
        String text = plane.prometheusText();
        assertThat(
                Metrics.value(
                    text,
                    "istio_requests_total",
                    Map.of(
                        "reporter", "source",
                        "destination_workload", "plain-v1",
                        "destination_workload_namespace", "default",
                        "destination_canonical_service", "plain",
                        "destination_canonical_revision", "v1",
                        "destination_cluster", "Kubernetes",
                        "destination_principal", SAN,
                        "response_code", "200")))
            .as(text)
            .isEqualTo(1);
      }
    } finally {
      app.stop(0);
    }
  }
}
