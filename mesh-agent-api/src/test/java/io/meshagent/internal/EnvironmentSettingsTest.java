package io.meshagent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentBuilder;
import io.meshagent.MeshAgentConfig;
import io.meshagent.MeshAgentConfigException;
import io.meshagent.MeshNode;
import io.meshagent.ProxyProfile;
import io.meshagent.XdsProtocol;
import io.meshagent.XdsSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment variables istio-agent reads, read the same way. */
class EnvironmentSettingsTest {
  @TempDir Path dir;

  /** Applies {@code env} with default file locations that do not exist, then validates. */
  private MeshAgentConfig config(Map<String, String> env) {
    return builder(env).buildConfig();
  }

  private MeshAgentBuilder builder(Map<String, String> env) {
    MeshAgentBuilder b = MeshAgent.builder();
    EnvironmentSettings.apply(env, b, dir.resolve("no-root.pem"), dir.resolve("no-token"));
    return b;
  }

  private static Map<String, String> pod(String... more) {
    Map<String, String> env = new HashMap<>();
    env.put("POD_NAME", "reviews-v1-abc");
    env.put("POD_NAMESPACE", "default");
    env.put("INSTANCE_IP", "10.0.0.5");
    env.put("SERVICE_ACCOUNT", "bookinfo-reviews");
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  private static MeshAgentConfigException rejected(ThrowingCallable call) {
    MeshAgentConfigException e = catchThrowableOfType(MeshAgentConfigException.class, call);
    assertThat(e).as("a MeshAgentConfigException").isNotNull();
    return e;
  }

  @Test
  void podVariablesMakeTheNode() {
    MeshNode n = config(pod()).node();

    assertThat(n.podName()).isEqualTo("reviews-v1-abc");
    assertThat(n.namespace()).isEqualTo("default");
    assertThat(n.instanceIps()).containsExactly("10.0.0.5");
    assertThat(n.serviceAccount()).isEqualTo("bookinfo-reviews");
    assertThat(n.nodeId())
        .isEqualTo("sidecar~10.0.0.5~reviews-v1-abc.default~default.svc.cluster.local");
  }

  @Test
  void publicEntryPointReadsTheSameVariables() {
    MeshAgentConfig c =
        MeshAgentBuilder.fromEnvironment(pod("MESH_AGENT_XDS_ADDRESS", "istiod:15012"))
            .buildConfig();

    assertThat(c.node().nodeId())
        .isEqualTo("sidecar~10.0.0.5~reviews-v1-abc.default~default.svc.cluster.local");
    assertThat(c.xdsSource()).isEqualTo(new XdsSource.Server("istiod", 15012, true));
  }

  @Test
  void istioMetaClusterMeshAndVersionBecomeNodeSettings() {
    MeshNode n =
        config(
                pod(
                    "ISTIO_META_CLUSTER_ID", "east",
                    "ISTIO_META_MESH_ID", "mesh1",
                    "ISTIO_META_ISTIO_VERSION", "1.29.1"))
            .node();

    assertThat(n.clusterId()).isEqualTo("east");
    assertThat(n.meshId()).isEqualTo("mesh1");
    assertThat(n.istioVersion()).isEqualTo("1.29.1");
    assertThat(n.metadata()).doesNotContainKeys("CLUSTER_ID", "MESH_ID", "ISTIO_VERSION");
  }

  @Test
  void otherIstioMetaVariablesBecomeStringMetadata() {
    MeshNode n =
        config(
                pod(
                    "ISTIO_META_WORKLOAD_NAME", "reviews-v1",
                    "ISTIO_META_DNS_CAPTURE", "true",
                    "ISTIO_META_NODE_NAME", "node-7"))
            .node();

    assertThat(n.metadata())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("WORKLOAD_NAME", "reviews-v1", "DNS_CAPTURE", "true", "NODE_NAME", "node-7"));
  }

  @Test
  void istioMetaJsonVariablesBecomeJsonMetadata() {
    MeshNode n =
        config(pod("ISTIO_METAJSON_LABELS", "{\"app\":\"reviews\",\"version\":\"v1\"}")).node();

    assertThat(n.jsonMetadata())
        .containsExactly(Map.entry("LABELS", "{\"app\":\"reviews\",\"version\":\"v1\"}"));
    assertThat(n.metadata()).isEmpty();
  }

  @Test
  void instanceIpsMergeWithoutDuplicates() {
    MeshNode n = config(pod("ISTIO_META_INSTANCE_IPS", "10.0.0.5, fd00::5,,")).node();

    assertThat(n.instanceIps()).containsExactly("10.0.0.5", "fd00::5");
    assertThat(n.metadata()).doesNotContainKey("INSTANCE_IPS");
  }

  @Test
  void istiodIsTheDefaultAddress() {
    assertThat(config(pod()).xdsSource())
        .isEqualTo(new XdsSource.Server("istiod.istio-system.svc", 15012, true));
  }

  @Test
  void deltaIsTheDefaultAndFalseMeansStateOfTheWorld() {
    assertThat(config(pod()).xdsProtocol()).isEqualTo(XdsProtocol.DELTA);
    assertThat(config(pod("ISTIO_DELTA_XDS", "false")).xdsProtocol()).isEqualTo(XdsProtocol.SOTW);
    assertThat(config(pod("ISTIO_DELTA_XDS", "true")).xdsProtocol()).isEqualTo(XdsProtocol.DELTA);
    assertThat(config(pod("ISTIO_DELTA_XDS", "0")).xdsProtocol()).isEqualTo(XdsProtocol.SOTW);
  }

  @Test
  void deltaXdsMustBeABoolean() {
    MeshAgentConfigException e = rejected(() -> config(pod("ISTIO_DELTA_XDS", "maybe")));

    assertThat(e.setting()).isEqualTo("xds.protocol (ISTIO_DELTA_XDS)");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'xds.protocol (ISTIO_DELTA_XDS)': 'maybe' is not accepted;"
                + " accepted: true, false");
  }

  @Test
  void grpcGeneratorSelectsTheGrpcProfile() {
    MeshAgentConfig c = config(pod("ISTIO_META_GENERATOR", "grpc"));

    assertThat(c.profile()).isEqualTo(ProxyProfile.GRPC);
    assertThat(c.node().metadata()).doesNotContainKey("GENERATOR");
    assertThat(config(pod()).profile()).isEqualTo(ProxyProfile.SIDECAR);
  }

  @Test
  void otherGeneratorsAreRefused() {
    MeshAgentConfigException e = rejected(() -> config(pod("ISTIO_META_GENERATOR", "router")));

    assertThat(e.setting()).isEqualTo("xds.profile (ISTIO_META_GENERATOR)");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'xds.profile (ISTIO_META_GENERATOR)': 'router' is not accepted;"
                + " accepted: grpc, or unset for the sidecar profile");
  }

  @Test
  void fetchTimeoutTakesGoAndIsoDurations() {
    Map<String, Duration> forms =
        Map.of(
            "250ms", Duration.ofMillis(250),
            "15s", Duration.ofSeconds(15),
            "2m", Duration.ofMinutes(2),
            "1h", Duration.ofHours(1),
            "PT30S", Duration.ofSeconds(30));
    forms.forEach(
        (text, expected) ->
            assertThat(config(pod("MESH_AGENT_INITIAL_FETCH_TIMEOUT", text)).initialFetchTimeout())
                .as(text)
                .isEqualTo(expected));
  }

  @Test
  void fetchTimeoutMustBeADuration() {
    MeshAgentConfigException e =
        rejected(() -> config(pod("MESH_AGENT_INITIAL_FETCH_TIMEOUT", "soon")));

    assertThat(e.setting()).isEqualTo("xds.initialFetchTimeout (MESH_AGENT_INITIAL_FETCH_TIMEOUT)");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'xds.initialFetchTimeout (MESH_AGENT_INITIAL_FETCH_TIMEOUT)':"
                + " 'soon' is not accepted; accepted: a duration like 250ms, 15s, 2m, 1h or PT15S");
  }

  @Test
  void unknownAddressSchemeNamesTheVariable() {
    MeshAgentConfigException e = rejected(() -> config(pod("MESH_AGENT_XDS_ADDRESS", "ftp://x")));

    assertThat(e.setting()).isEqualTo("xds.address (MESH_AGENT_XDS_ADDRESS)");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'xds.address (MESH_AGENT_XDS_ADDRESS)': 'ftp://x' has an unknown"
                + " scheme; accepted: "
                + XdsSource.ACCEPTED_FORMS);
  }

  @Test
  void blankAddressIsRefused() {
    MeshAgentConfigException e = rejected(() -> config(pod("MESH_AGENT_XDS_ADDRESS", " ")));

    assertThat(e.setting()).isEqualTo("xds.address (MESH_AGENT_XDS_ADDRESS)");
    assertThat(e.getMessage()).endsWith("is set but empty");
  }

  @Test
  void addressFormsFromTheEnvironment() {
    assertThat(config(pod("MESH_AGENT_XDS_ADDRESS", "istiod:15010")).xdsSource())
        .isEqualTo(new XdsSource.Server("istiod", 15010, false));
    assertThat(config(pod("MESH_AGENT_XDS_ADDRESS", "file:/etc/mesh.yaml")).xdsSource())
        .isEqualTo(new XdsSource.File(Path.of("/etc/mesh.yaml")));
  }

  @Test
  void namespaceWithADotIsRefused() {
    MeshAgentConfigException e = rejected(() -> config(pod("POD_NAMESPACE", "bookinfo.prod")));

    assertThat(e.setting()).isEqualTo("node.namespace");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'node.namespace': 'bookinfo.prod' is not accepted; a non-empty"
                + " Kubernetes name without '~' or '.' is expected");
  }

  @Test
  void explicitTokenWithAPlaintextAddressIsRefused() {
    MeshAgentConfigException e =
        rejected(
            () ->
                config(
                    pod(
                        "MESH_AGENT_XDS_ADDRESS", "istiod:15010",
                        "MESH_AGENT_TOKEN_FILE", "/var/run/secrets/tokens/istio-token")));

    assertThat(e.setting()).isEqualTo("xds.tokenFile");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'xds.tokenFile': a bearer token would be sent in the clear to"
                + " plaintext://istiod:15010; use a tls:// address");
  }

  @Test
  void defaultTokenAndRootAreUsedWhenPresent() throws Exception {
    Path token = Files.writeString(dir.resolve("istio-token"), "jwt");
    Path root = Files.writeString(dir.resolve("root-cert.pem"), "pem");
    MeshAgentBuilder b = MeshAgent.builder();
    EnvironmentSettings.apply(pod(), b, root, token);

    MeshAgentConfig c = b.buildConfig();

    assertThat(c.tokenFile()).isEqualTo(token);
    assertThat(c.xdsRootCert()).isEqualTo(root);
  }

  @Test
  void defaultTokenIsNotSentToAPlaintextAddress() throws Exception {
    Path token = Files.writeString(dir.resolve("istio-token"), "jwt");
    MeshAgentBuilder b = MeshAgent.builder();
    EnvironmentSettings.apply(
        pod("MESH_AGENT_XDS_ADDRESS", "istiod:15010"), b, dir.resolve("no-root.pem"), token);

    MeshAgentConfig c = b.buildConfig();

    assertThat(c.tokenFile()).isNull();
    assertThat(c.xdsSource()).isEqualTo(new XdsSource.Server("istiod", 15010, false));
  }

  @Test
  void rootCaSanAndExtraTypesVariables() {
    MeshAgentConfig c =
        config(
            pod(
                "XDS_ROOT_CA", "/etc/certs/root.pem",
                "ISTIOD_SAN", "istiod.istio-system.svc",
                "MESH_AGENT_XDS_EXTRA_TYPES",
                    "type.googleapis.com/istio.workload.Address, ,"
                        + "type.googleapis.com/istio.security.Authorization"));

    assertThat(c.xdsRootCert()).isEqualTo(Path.of("/etc/certs/root.pem"));
    assertThat(c.xdsServerName()).isEqualTo("istiod.istio-system.svc");
    assertThat(c.extraTypes())
        .isEqualTo(
            List.of(
                "type.googleapis.com/istio.workload.Address",
                "type.googleapis.com/istio.security.Authorization"));
  }

  @Test
  void parseBoolTakesTrueFalseOneZero() {
    assertThat(EnvironmentSettings.parseBool("s", "TRUE")).isTrue();
    assertThat(EnvironmentSettings.parseBool("s", "1")).isTrue();
    assertThat(EnvironmentSettings.parseBool("s", " false ")).isFalse();
    assertThat(EnvironmentSettings.parseBool("s", "0")).isFalse();
  }

  @Test
  void parseDurationRefusesMalformedText() {
    for (String bad : List.of("", "15", "ms", "1.5s", "PT", "-")) {
      assertThat(rejected(() -> EnvironmentSettings.parseDuration("t", bad)).setting())
          .as(bad)
          .isEqualTo("t");
    }
  }
}
