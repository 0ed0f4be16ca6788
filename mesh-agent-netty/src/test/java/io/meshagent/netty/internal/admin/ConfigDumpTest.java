package io.meshagent.netty.internal.admin;

import static io.meshagent.netty.internal.admin.AdminFixture.get;
import static io.meshagent.netty.internal.admin.AdminFixture.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.admin.v3.BootstrapConfigDump;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.agent.AgentInternals;
import io.meshagent.core.internal.identity.Pem;
import io.meshagent.core.internal.node.IstioNodeFactory;
import io.meshagent.snapshot.MeshSnapshot;
import io.meshagent.snapshot.ResourceEntry;
import io.meshagent.snapshot.ResourceTypes;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code /config_dump}: parsed back into {@code envoy.admin.v3.ConfigDump} and compared with the
 * resources the agent loaded, their versions and acceptance times; Envoy's query parameters.
 */
class ConfigDumpTest extends AdminTestBase {
  @Test
  void configDumpHasEnvoysSectionsInEnvoysOrder() throws Exception {
    assertThat(types(dump("")))
        .containsExactly(
            "BootstrapConfigDump",
            "ClustersConfigDump",
            "ListenersConfigDump",
            "RoutesConfigDump",
            "SecretsConfigDump");
    assertThat(types(dump("?include_eds")))
        .containsExactly(
            "BootstrapConfigDump",
            "ClustersConfigDump",
            "EndpointsConfigDump",
            "ListenersConfigDump",
            "RoutesConfigDump",
            "SecretsConfigDump");
  }

  @Test
  void configDumpShowsTheResourcesAsLoadedWithVersionsAndUpdateTimes() throws Exception {
    ConfigDump dump = dump("?include_eds");
    MeshSnapshot snapshot = agent.snapshot();

    ClustersConfigDump cds = dump.getConfigs(1).unpack(ClustersConfigDump.class);
    assertThat(cds.getVersionInfo()).isEqualTo("7");
    Map<String, Message> clusters = new TreeMap<>();
    for (ClustersConfigDump.DynamicCluster c : cds.getDynamicActiveClustersList()) {
      Cluster cluster = c.getCluster().unpack(Cluster.class);
      clusters.put(cluster.getName(), cluster);
      ResourceEntry<?> entry = snapshot.entries(ResourceTypes.CLUSTER).get(cluster.getName());
      assertThat(c.getVersionInfo()).isEqualTo(entry.version()).isEqualTo("7");
      assertThat(c.getLastUpdated()).isEqualTo(ConfigDumps.timestamp(entry.lastUpdated()));
    }
    assertThat(clusters)
        .containsExactlyEntriesOf(
            new TreeMap<>(Map.of(RATINGS, RATINGS_CLUSTER, REVIEWS, REVIEWS_CLUSTER)));

    EndpointsConfigDump eds = dump.getConfigs(2).unpack(EndpointsConfigDump.class);
    Map<String, Message> endpoints = new HashMap<>();
    for (EndpointsConfigDump.DynamicEndpointConfig e : eds.getDynamicEndpointConfigsList()) {
      ClusterLoadAssignment cla = e.getEndpointConfig().unpack(ClusterLoadAssignment.class);
      endpoints.put(cla.getClusterName(), cla);
      ResourceEntry<?> entry =
          snapshot.entries(ResourceTypes.CLUSTER_LOAD_ASSIGNMENT).get(cla.getClusterName());
      assertThat(e.getVersionInfo()).isEqualTo(entry.version());
      assertThat(e.getLastUpdated()).isEqualTo(ConfigDumps.timestamp(entry.lastUpdated()));
    }
    assertThat(endpoints).isEqualTo(Map.of(REVIEWS, REVIEWS_ENDPOINTS, RATINGS, RATINGS_ENDPOINTS));

    ListenersConfigDump lds = dump.getConfigs(3).unpack(ListenersConfigDump.class);
    assertThat(lds.getDynamicListenersList()).hasSize(1);
    ListenersConfigDump.DynamicListener l = lds.getDynamicListeners(0);
    ResourceEntry<?> listenerEntry = snapshot.entries(ResourceTypes.LISTENER).get("0.0.0.0_9080");
    assertThat(l.getName()).isEqualTo("0.0.0.0_9080");
    assertThat(l.getActiveState().getListener().unpack(Listener.class)).isEqualTo(LISTENER);
    assertThat(l.getActiveState().getVersionInfo()).isEqualTo(listenerEntry.version());
    assertThat(l.getActiveState().getLastUpdated())
        .isEqualTo(ConfigDumps.timestamp(listenerEntry.lastUpdated()));

    RoutesConfigDump rds = dump.getConfigs(4).unpack(RoutesConfigDump.class);
    assertThat(rds.getDynamicRouteConfigsList()).hasSize(1);
    assertThat(rds.getDynamicRouteConfigs(0).getRouteConfig().unpack(RouteConfiguration.class))
        .isEqualTo(ROUTES);
    assertThat(rds.getDynamicRouteConfigs(0).getLastUpdated())
        .isEqualTo(
            ConfigDumps.timestamp(
                snapshot.entries(ResourceTypes.ROUTE_CONFIGURATION).get("9080").lastUpdated()));
  }

  @Test
  void configDumpShowsTheNodeInTheBootstrap() throws Exception {
    BootstrapConfigDump bootstrap = dump("").getConfigs(0).unpack(BootstrapConfigDump.class);

    assertThat(bootstrap.getBootstrap().getNode())
        .isEqualTo(IstioNodeFactory.build(agent.config().node(), agent.config().profile()));
    assertThat(bootstrap.getBootstrap().getNode().getId())
        .startsWith("sidecar~")
        .contains("productpage-v1.default");
    assertThat(bootstrap.getBootstrap().getDynamicResources().getLdsConfig().hasPathConfigSource())
        .isTrue();
  }

  @Test
  void configDumpShowsTheWorkloadCertificateButNeverItsPrivateKey() throws Exception {
    HttpResponse<String> r = get(url + "/config_dump?include_eds");
    WorkloadCertificate cert = AgentInternals.identity(agent).current();
    String keyPem = Pem.encodePrivateKey(cert.privateKey());
    String keyDer = Base64.getEncoder().encodeToString(cert.privateKey().getEncoded());
    String keyPemBase64 =
        Base64.getEncoder().encodeToString(keyPem.getBytes(StandardCharsets.US_ASCII));
    assertThat(r.body())
        .doesNotContain("PRIVATE KEY")
        .doesNotContain(keyDer.substring(0, 40))
        .doesNotContain(keyPemBase64.substring(0, 40))
        .doesNotContain(keyPem.split("\n")[1]);

    ConfigDump dump = parse(r.body(), ConfigDump.newBuilder()).build();
    SecretsConfigDump sds = dump.getConfigs(5).unpack(SecretsConfigDump.class);
    assertThat(sds.getDynamicActiveSecretsList())
        .extracting(SecretsConfigDump.DynamicSecret::getName)
        .containsExactly("default", "ROOTCA");
    Secret workload = sds.getDynamicActiveSecrets(0).getSecret().unpack(Secret.class);
    assertThat(workload.getName()).isEqualTo("default");
    assertThat(workload.getTlsCertificate().getCertificateChain().getInlineBytes().toStringUtf8())
        .isEqualTo(Pem.encodeCertificates(cert.chain()));
    assertThat(workload.getTlsCertificate().getPrivateKey().getInlineBytes())
        .isEqualTo(ByteString.copyFromUtf8("[redacted]"));
    Secret root = sds.getDynamicActiveSecrets(1).getSecret().unpack(Secret.class);
    assertThat(root.getValidationContext().getTrustedCa().getInlineBytes().toStringUtf8())
        .isEqualTo(Pem.encodeCertificates(cert.roots()));
    Instant accepted = AgentInternals.identity(agent).acceptedAt();
    assertThat(sds.getDynamicActiveSecrets(0).getLastUpdated())
        .isEqualTo(ConfigDumps.timestamp(accepted));
    assertThat(sds.getDynamicActiveSecrets(0).getVersionInfo()).isEqualTo(accepted.toString());
  }

  @Test
  void configDumpResourceAndMaskPickFieldsInsideTheResources() throws Exception {
    ConfigDump dump = dump("?resource=dynamic_active_clusters&mask=cluster.name,version_info");

    assertThat(dump.getConfigsList()).hasSize(2);
    List<String> names = new ArrayList<>();
    for (Any a : dump.getConfigsList()) {
      ClustersConfigDump.DynamicCluster c = a.unpack(ClustersConfigDump.DynamicCluster.class);
      assertThat(c.getVersionInfo()).isEqualTo("7");
      assertThat(c.hasLastUpdated()).isFalse();
      Cluster cluster = c.getCluster().unpack(Cluster.class);
      assertThat(cluster).isEqualTo(Cluster.newBuilder().setName(cluster.getName()).build());
      names.add(cluster.getName());
    }
    assertThat(names).containsExactly(RATINGS, REVIEWS);
  }

  @Test
  void configDumpMaskTrimsEachSectionItApplies() throws Exception {
    ConfigDump dump = dump("?mask=version_info");

    assertThat(types(dump)).containsExactly("ClustersConfigDump", "ListenersConfigDump");
    assertThat(dump.getConfigs(0).unpack(ClustersConfigDump.class))
        .isEqualTo(ClustersConfigDump.newBuilder().setVersionInfo("7").build());
  }

  @Test
  void configDumpNameRegexFiltersByName() throws Exception {
    ConfigDump dump = dump("?include_eds&name_regex=.*reviews.*");

    ClustersConfigDump cds = dump.getConfigs(1).unpack(ClustersConfigDump.class);
    assertThat(cds.getDynamicActiveClustersList()).hasSize(1);
    assertThat(cds.getDynamicActiveClusters(0).getCluster().unpack(Cluster.class).getName())
        .isEqualTo(REVIEWS);
    assertThat(
            dump.getConfigs(2).unpack(EndpointsConfigDump.class).getDynamicEndpointConfigsCount())
        .isEqualTo(1);
    assertThat(dump.getConfigs(3).unpack(ListenersConfigDump.class).getDynamicListenersCount())
        .isZero();
    assertThat(dump.getConfigs(5).unpack(SecretsConfigDump.class).getDynamicActiveSecretsCount())
        .isZero();
  }

  @Test
  void configDumpRefusesQueriesItCannotAnswerAsEnvoyDoes() throws Exception {
    HttpResponse<String> missing = get(url + "/config_dump?resource=dynamic_warming_things");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("dynamic_warming_things not found in config dump\n");

    HttpResponse<String> notRepeated = get(url + "/config_dump?resource=version_info");
    assertThat(notRepeated.statusCode()).isEqualTo(400);
    assertThat(notRepeated.body()).contains("version_info is not a repeated field");

    HttpResponse<String> badMask = get(url + "/config_dump?mask=no_such_field");
    assertThat(badMask.statusCode()).isEqualTo(400);

    HttpResponse<String> badRegex = get(url + "/config_dump?name_regex=%28");
    assertThat(badRegex.statusCode()).isEqualTo(400);
    assertThat(badRegex.body()).startsWith("Error while parsing name_regex from (");
  }
}
