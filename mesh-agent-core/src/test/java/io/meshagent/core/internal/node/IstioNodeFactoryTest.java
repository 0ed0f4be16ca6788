package io.meshagent.core.internal.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.Value.KindCase;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentBuilder;
import io.meshagent.MeshAgentConfigException;
import io.meshagent.MeshNode;
import io.meshagent.ProxyProfile;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The xDS node istiod sees: id, cluster, locality and metadata typed as istiod unmarshals it. */
class IstioNodeFactoryTest {

  private static MeshNode reviews(UnaryOperator<MeshAgentBuilder> customize) {
    MeshAgentBuilder b =
        MeshAgent.builder()
            .xdsAddress("istiod.istio-system.svc:15012")
            .podName("reviews-v1-abc")
            .namespace("default")
            .serviceAccount("bookinfo-reviews")
            .instanceIps(List.of("10.0.0.5"));
    return customize.apply(b).buildConfig().node();
  }

  private static Node sidecar(UnaryOperator<MeshAgentBuilder> customize) {
    return IstioNodeFactory.build(reviews(customize), ProxyProfile.SIDECAR);
  }

  private static Map<String, Value> meta(Node node) {
    return node.getMetadata().getFieldsMap();
  }

  private static String str(Node node, String key) {
    Value v = meta(node).get(key);
    assertThat(v).as(key).isNotNull();
    assertThat(v.getKindCase()).as(key).isEqualTo(KindCase.STRING_VALUE);
    return v.getStringValue();
  }

  private static Map<String, String> stringMap(Value v) {
    assertThat(v.getKindCase()).isEqualTo(KindCase.STRUCT_VALUE);
    Map<String, String> out = new TreeMap<>();
    v.getStructValue()
        .getFieldsMap()
        .forEach(
            (k, f) -> {
              assertThat(f.getKindCase()).as(k).isEqualTo(KindCase.STRING_VALUE);
              out.put(k, f.getStringValue());
            });
    return out;
  }

  private static MeshAgentConfigException rejected(UnaryOperator<MeshAgentBuilder> customize) {
    MeshNode node = reviews(customize);
    MeshAgentConfigException e =
        catchThrowableOfType(
            MeshAgentConfigException.class,
            () -> IstioNodeFactory.build(node, ProxyProfile.SIDECAR));
    assertThat(e).as("a MeshAgentConfigException").isNotNull();
    return e;
  }

  @Test
  void nodeIdIsTypeIpPodNamespaceDomain() {
    Node node = sidecar(b -> b);

    assertThat(node.getId())
        .isEqualTo("sidecar~10.0.0.5~reviews-v1-abc.default~default.svc.cluster.local");
  }

  @Test
  void nodeIdOverrideIsUsedVerbatim() {
    Node node = sidecar(b -> b.nodeId("router~10.0.0.9~gw.istio-system~istio-system.svc.x"));

    assertThat(node.getId()).isEqualTo("router~10.0.0.9~gw.istio-system~istio-system.svc.x");
  }

  @Test
  void identityKeysComeFromTheNodeSettings() {
    Node node = sidecar(b -> b.clusterId("east").meshId("mesh1").istioVersion("1.29.1"));

    assertThat(str(node, "NAME")).isEqualTo("reviews-v1-abc");
    assertThat(str(node, "NAMESPACE")).isEqualTo("default");
    assertThat(str(node, "SERVICE_ACCOUNT")).isEqualTo("bookinfo-reviews");
    assertThat(str(node, "CLUSTER_ID")).isEqualTo("east");
    assertThat(str(node, "MESH_ID")).isEqualTo("mesh1");
    assertThat(str(node, "ISTIO_VERSION")).isEqualTo("1.29.1");
  }

  @Test
  void istioVersionDefaultsToTheBuilderDefault() {
    assertThat(str(sidecar(b -> b), "ISTIO_VERSION"))
        .isEqualTo(MeshAgentBuilder.DEFAULT_ISTIO_VERSION);
  }

  @Test
  void instanceIpsAreOneCommaSeparatedStringWithoutDuplicates() {
    Node node = sidecar(b -> b.instanceIps(List.of("10.0.0.5", "fd00::5", "10.0.0.5")));

    assertThat(str(node, "INSTANCE_IPS")).isEqualTo("10.0.0.5,fd00::5");
  }

  @Test
  void sidecarPresentsAsCapturedHboneSidecar() {
    Node node = sidecar(b -> b);

    assertThat(str(node, "INTERCEPTION_MODE")).isEqualTo("REDIRECT");
    assertThat(str(node, "ENABLE_HBONE")).isEqualTo("true");
    assertThat(meta(node)).doesNotContainKey("GENERATOR");
  }

  @Test
  void grpcProfileAsksForTheGrpcGeneratorWithoutHbone() {
    Node node = IstioNodeFactory.build(reviews(b -> b.label("app", "reviews")), ProxyProfile.GRPC);

    assertThat(str(node, "GENERATOR")).isEqualTo("grpc");
    assertThat(meta(node)).doesNotContainKey("ENABLE_HBONE");
    assertThat(node.getCluster()).isEmpty();
    assertThat(node.getId())
        .isEqualTo("sidecar~10.0.0.5~reviews-v1-abc.default~default.svc.cluster.local");
    assertThat(str(node, "NAMESPACE")).isEqualTo("default");
  }

  @Test
  void explicitMetadataOverridesDefaults() {
    Node node =
        sidecar(b -> b.metadata("ENABLE_HBONE", "false").metadata("INTERCEPTION_MODE", "NONE"));

    assertThat(str(node, "ENABLE_HBONE")).isEqualTo("false");
    assertThat(str(node, "INTERCEPTION_MODE")).isEqualTo("NONE");
  }

  @Test
  void userAgentNamesTheAgent() {
    Node node = sidecar(b -> b);

    assertThat(node.getUserAgentName()).isEqualTo("mesh-agent");
    assertThat(node.getUserAgentVersion()).isNotEmpty();
  }

  @Test
  void clusterIsAppLabelDotNamespace() {
    Node node = sidecar(b -> b.label("app", "reviews").label("app.kubernetes.io/name", "other"));

    assertThat(node.getCluster()).isEqualTo("reviews.default");
  }

  @Test
  void clusterFallsBackToKubernetesNameLabel() {
    Node node = sidecar(b -> b.label("app.kubernetes.io/name", "reviews"));

    assertThat(node.getCluster()).isEqualTo("reviews.default");
  }

  @Test
  void clusterFallsBackToWorkloadName() {
    Node node = sidecar(b -> b.metadata("WORKLOAD_NAME", "reviews-v1"));

    assertThat(node.getCluster()).isEqualTo("reviews-v1.default");
    assertThat(str(node, "WORKLOAD_NAME")).isEqualTo("reviews-v1");
  }

  @Test
  void workloadNameComesFromTheWorkloadNameLabel() {
    Node node = sidecar(b -> b.label("service.istio.io/workload-name", "reviews-v1"));

    assertThat(str(node, "WORKLOAD_NAME")).isEqualTo("reviews-v1");
    assertThat(node.getCluster()).isEqualTo("reviews-v1.default");
  }

  @Test
  void workloadNameAndClusterFallBackToThePod() {
    Node node = sidecar(b -> b);

    assertThat(str(node, "WORKLOAD_NAME")).isEqualTo("reviews-v1-abc");
    assertThat(node.getCluster()).isEqualTo("reviews-v1-abc.default");
  }

  @Test
  void codeLabelsWinOverJsonLabelsWhichAlsoBecomeStaticLabels() {
    Node node =
        sidecar(
            b ->
                b.jsonMetadata("LABELS", "{\"app\":\"old\",\"team\":\"books\"}")
                    .label("app", "reviews")
                    .label("version", "v1"));

    assertThat(stringMap(meta(node).get("LABELS")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("app", "reviews", "team", "books", "version", "v1"));
    assertThat(stringMap(meta(node).get("STATIC_LABELS")))
        .containsExactlyInAnyOrderEntriesOf(Map.of("app", "old", "team", "books"));
    assertThat(node.getCluster()).isEqualTo("reviews.default");
  }

  @Test
  void noLabelsSendsNoLabelsKey() {
    assertThat(meta(sidecar(b -> b))).doesNotContainKeys("LABELS", "STATIC_LABELS");
  }

  @Test
  void localityComesFromTheLocalityLabelInSlashForm() {
    Node node = sidecar(b -> b.label("istio-locality", "us-east1.us-east1-b.rack7"));

    assertThat(node.getLocality().getRegion()).isEqualTo("us-east1");
    assertThat(node.getLocality().getZone()).isEqualTo("us-east1-b");
    assertThat(node.getLocality().getSubZone()).isEqualTo("rack7");
    assertThat(stringMap(meta(node).get("LABELS")))
        .containsEntry("istio-locality", "us-east1/us-east1-b/rack7");
  }

  @Test
  void topologyLocalityLabelWins() {
    Node node =
        sidecar(
            b ->
                b.label("topology.istio.io/locality", "eu/eu-a")
                    .label("istio-locality", "us.us-b"));

    assertThat(node.getLocality().getRegion()).isEqualTo("eu");
    assertThat(node.getLocality().getZone()).isEqualTo("eu-a");
  }

  @Test
  void noLocalityLabelLeavesLocalityUnset() {
    assertThat(sidecar(b -> b).hasLocality()).isFalse();
  }

  @Test
  void stringMetadataStaysAString() {
    Node node = sidecar(b -> b.metadata("DNS_CAPTURE", "true").metadata("MY_FLAG", "42"));

    assertThat(str(node, "DNS_CAPTURE")).isEqualTo("true");
    assertThat(str(node, "MY_FLAG")).isEqualTo("42");
  }

  @Test
  void jsonMetadataIsParsedAsJson() {
    Node node =
        sidecar(
            b ->
                b.jsonMetadata("EXTRA", "{\"a\": [1, true, null, \"x\"], \"b\": {\"c\": 2.5}}")
                    .jsonMetadata("PLATFORM_METADATA", "{\"gcp_project\":\"p1\"}"));

    Value extra = meta(node).get("EXTRA");
    assertThat(extra.getKindCase()).isEqualTo(KindCase.STRUCT_VALUE);
    List<Value> a = extra.getStructValue().getFieldsOrThrow("a").getListValue().getValuesList();
    assertThat(a)
        .extracting(Value::getKindCase)
        .containsExactly(
            KindCase.NUMBER_VALUE, KindCase.BOOL_VALUE, KindCase.NULL_VALUE, KindCase.STRING_VALUE);
    assertThat(extra.getStructValue().getFieldsOrThrow("b").getStructValue().getFieldsOrThrow("c"))
        .extracting(Value::getNumberValue)
        .isEqualTo(2.5);
    assertThat(stringMap(meta(node).get("PLATFORM_METADATA"))).containsEntry("gcp_project", "p1");
  }

  @Test
  void jsonMetadataWinsOverStringMetadataForTheSameKey() {
    Node node = sidecar(b -> b.metadata("NETWORK", "a").jsonMetadata("NETWORK", "\"b\""));

    assertThat(str(node, "NETWORK")).isEqualTo("b");
  }

  @Test
  void invalidJsonMetadataNamesTheVariableAndTheParsersReason() {
    MeshAgentConfigException e = rejected(b -> b.jsonMetadata("LABELS", "{\"app\": }"));

    assertThat(e.setting()).isEqualTo("node.metadata (ISTIO_METAJSON_LABELS)");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'node.metadata (ISTIO_METAJSON_LABELS)': '{\"app\": }' is not"
                + " valid JSON: unexpected '}', expected a value at offset 8; accepted: a JSON"
                + " value, for example {\"app\":\"reviews\"} or \"text\"");
  }

  @Test
  void jsonThatOnlyALenientParserAcceptsIsRejected() {
    for (String json : List.of("reviews", "{app: \"x\"}", "{'a':'b'}", "{} {}", "", "NaN")) {
      assertThat(rejected(b -> b.jsonMetadata("EXTRA", json)).getMessage())
          .as(json)
          .contains("is not valid JSON: ");
    }
  }

  @Test
  void jsonStringEscapesAreDecoded() {
    Node node = sidecar(b -> b.jsonMetadata("EXTRA", "\"caf\\u00e9\\n\\\"q\\\" \\/ \\\\\""));

    assertThat(str(node, "EXTRA")).isEqualTo("café\n\"q\" / \\");
  }

  @Test
  void rawControlCharacterInAJsonStringIsRejected() {
    assertThat(rejected(b -> b.jsonMetadata("EXTRA", "\"a\tb\"")).getMessage())
        .contains("control character U+0009 in a string at offset 2");
  }

  @Test
  void outOfRangeNumberIsRejectedAsGoWould() {
    assertThat(rejected(b -> b.jsonMetadata("EXTRA", "1e400")).getMessage())
        .contains("number 1e400 is out of range at offset 0");
  }

  @Test
  void mapTypedKeyAsStringMetadataPointsToJson() {
    MeshAgentConfigException e = rejected(b -> b.metadata("LABELS", "app=reviews"));

    assertThat(e.setting()).isEqualTo("node.metadata (ISTIO_META_LABELS)");
    assertThat(e.getMessage())
        .contains("istiod reads LABELS as a JSON object of strings")
        .contains("ISTIO_METAJSON_LABELS");
  }

  @Test
  void proxyConfigAndPilotSanAreOnlyAcceptedAsJson() {
    assertThat(rejected(b -> b.metadata("PROXY_CONFIG", "{}")).getMessage())
        .contains("ISTIO_METAJSON_PROXY_CONFIG");
    assertThat(rejected(b -> b.metadata("PILOT_SAN", "istiod")).getMessage())
        .contains("ISTIO_METAJSON_PILOT_SAN");

    Node node =
        sidecar(
            b ->
                b.jsonMetadata("PROXY_CONFIG", "{\"concurrency\": 2}")
                    .jsonMetadata("PILOT_SAN", "[\"istiod.istio-system.svc\"]"));
    assertThat(meta(node).get("PROXY_CONFIG").getKindCase()).isEqualTo(KindCase.STRUCT_VALUE);
    assertThat(meta(node).get("PILOT_SAN").getListValue().getValues(0).getStringValue())
        .isEqualTo("istiod.istio-system.svc");
  }

  @Test
  void jsonOfTheWrongTypeForAKnownKeyIsRejected() {
    MeshAgentConfigException labels = rejected(b -> b.jsonMetadata("LABELS", "{\"app\": 1}"));
    assertThat(labels.getMessage())
        .contains("istiod reads LABELS as a JSON object of strings and refuses the node");

    MeshAgentConfigException hbone = rejected(b -> b.jsonMetadata("ENABLE_HBONE", "true"));
    assertThat(hbone.setting()).isEqualTo("node.metadata (ISTIO_METAJSON_ENABLE_HBONE)");
    assertThat(hbone.getMessage()).contains("as a string holding true or false");

    assertThat(rejected(b -> b.jsonMetadata("NETWORK", "7")).getMessage())
        .contains("istiod reads NETWORK as a JSON string");
  }

  @Test
  void stringBoolAcceptsWhatGoParseBoolAccepts() {
    assertThat(str(sidecar(b -> b.metadata("DNS_CAPTURE", "1")), "DNS_CAPTURE")).isEqualTo("1");
    assertThat(str(sidecar(b -> b.jsonMetadata("DNS_CAPTURE", "\"True\"")), "DNS_CAPTURE"))
        .isEqualTo("True");

    MeshAgentConfigException e = rejected(b -> b.metadata("DNS_CAPTURE", "yes"));
    assertThat(e.setting()).isEqualTo("node.metadata (ISTIO_META_DNS_CAPTURE)");
    assertThat(e.getMessage())
        .contains("'yes' is not accepted; istiod reads DNS_CAPTURE as a string holding true or")
        .contains("1, 0, t, f, TRUE, FALSE, True, False");
  }

  @Test
  void integerKeysBecomeNumbers() {
    Node node = sidecar(b -> b.metadata("ENVOY_STATUS_PORT", "15021"));

    assertThat(meta(node).get("ENVOY_STATUS_PORT").getKindCase()).isEqualTo(KindCase.NUMBER_VALUE);
    assertThat(meta(node).get("ENVOY_STATUS_PORT").getNumberValue()).isEqualTo(15021.0);
    assertThat(rejected(b -> b.metadata("ENVOY_STATUS_PORT", "status")).getMessage())
        .contains("as an integer");
    assertThat(rejected(b -> b.jsonMetadata("ENVOY_STATUS_PORT", "15021.5")).getMessage())
        .contains("as an integer");
  }

  @Test
  void podPortsStayAJsonString() {
    String ports = "[\n{\"name\":\"http\",\"containerPort\":9080,\"protocol\":\"TCP\"}\n]";
    Node node = sidecar(b -> b.metadata("POD_PORTS", ports));

    assertThat(str(node, "POD_PORTS")).isEqualTo(ports);
  }

  @Test
  void podPortsAsAJsonArrayIsRejectedWithAHint() {
    MeshAgentConfigException e =
        rejected(b -> b.jsonMetadata("POD_PORTS", "[{\"containerPort\":9080}]"));

    assertThat(e.getMessage()).contains("quote the array as a JSON string");
  }

  @Test
  void podPortsThatIstiodCannotReadAreRejected() {
    assertThat(rejected(b -> b.metadata("POD_PORTS", "")).getMessage()).contains("not valid JSON");
    assertThat(
            rejected(b -> b.metadata("POD_PORTS", "[{\"containerPort\":\"9080\"}]")).getMessage())
        .contains("port field containerPort is not an integer");
  }

  @Test
  void knownKeysMustUseTheirCanonicalSpelling() {
    MeshAgentConfigException e = rejected(b -> b.jsonMetadata("labels", "{\"app\":\"x\"}"));

    assertThat(e.setting()).isEqualTo("node.metadata (ISTIO_METAJSON_labels)");
    assertThat(e.getMessage())
        .contains("istiod matches metadata keys ignoring case and would read it as LABELS");
  }

  @Test
  void metadataContradictingANodeSettingIsRejected() {
    MeshAgentConfigException e = rejected(b -> b.metadata("CLUSTER_ID", "west"));

    assertThat(e.setting()).isEqualTo("node.metadata (ISTIO_META_CLUSTER_ID)");
    assertThat(e.getMessage())
        .contains(
            "'west' contradicts node.clusterId (ISTIO_META_CLUSTER_ID), which sends 'Kubernetes'");
    assertThat(str(sidecar(b -> b.metadata("CLUSTER_ID", "Kubernetes")), "CLUSTER_ID"))
        .isEqualTo("Kubernetes");
  }

  @Test
  void generatorFollowsTheProfileOnly() {
    MeshAgentConfigException e = rejected(b -> b.metadata("GENERATOR", "grpc"));

    assertThat(e.getMessage())
        .contains(
            "contradicts xds.profile SIDECAR (ISTIO_META_GENERATOR), which sends no GENERATOR");
  }

  /**
   * istiod prints the Struct as JSON and unmarshals it into BootstrapNodeMetadata; every known key
   * must come out with the JSON type that unmarshal accepts.
   */
  @Test
  void structRoundTripsThroughJsonWithTheTypesIstiodUnmarshals() throws Exception {
    Node node =
        sidecar(
            b ->
                b.label("app", "reviews")
                    .label("istio-locality", "r1.z1")
                    .instanceIps(List.of("10.0.0.5", "fd00::5"))
                    .metadata("WORKLOAD_NAME", "reviews-v1")
                    .metadata("ENVOY_STATUS_PORT", "15021")
                    .metadata("POD_PORTS", "[{\"containerPort\":9080}]")
                    .jsonMetadata("LABELS", "{\"team\":\"books\"}"));

    String json = JsonFormat.printer().print(node.getMetadata());
    Struct.Builder back = Struct.newBuilder();
    JsonFormat.parser().merge(json, back);
    Map<String, Value> fields = back.build().getFieldsMap();

    Set<String> strings =
        Set.of(
            "ISTIO_VERSION",
            "CLUSTER_ID",
            "NAMESPACE",
            "SERVICE_ACCOUNT",
            "INSTANCE_IPS",
            "MESH_ID",
            "WORKLOAD_NAME",
            "NAME",
            "INTERCEPTION_MODE",
            "ENABLE_HBONE",
            "POD_PORTS");
    Set<String> all = new HashSet<>(strings);
    all.addAll(Set.of("LABELS", "STATIC_LABELS", "ENVOY_STATUS_PORT"));
    assertThat(fields).containsOnlyKeys(all);
    for (String key : strings) {
      assertThat(fields.get(key).getKindCase()).as(key).isEqualTo(KindCase.STRING_VALUE);
    }
    assertThat(json)
        .contains("\"ENABLE_HBONE\": \"true\"")
        .contains("\"INSTANCE_IPS\": \"10.0.0.5,fd00::5\"")
        .contains("\"POD_PORTS\": \"[{\\\"containerPort\\\":9080}]\"");
    assertThat(stringMap(fields.get("LABELS")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("app", "reviews", "team", "books", "istio-locality", "r1/z1"));
    assertThat(stringMap(fields.get("STATIC_LABELS"))).containsExactly(Map.entry("team", "books"));
    assertThat(fields.get("ENVOY_STATUS_PORT").getKindCase()).isEqualTo(KindCase.NUMBER_VALUE);
    assertThat(back.build()).isEqualTo(node.getMetadata());
  }

  @Test
  void metadataFromTheEnvironmentBuildsTheSameNode() {
    MeshNode node =
        MeshAgentBuilder.fromEnvironment(
                Map.of(
                    "MESH_AGENT_XDS_ADDRESS", "istiod.istio-system.svc:15012",
                    "POD_NAME", "reviews-v1-abc",
                    "POD_NAMESPACE", "default",
                    "INSTANCE_IP", "10.0.0.5",
                    "SERVICE_ACCOUNT", "bookinfo-reviews",
                    "ISTIO_META_CLUSTER_ID", "east",
                    "ISTIO_META_WORKLOAD_NAME", "reviews-v1",
                    "ISTIO_METAJSON_LABELS", "{\"app\":\"reviews\",\"version\":\"v1\"}"))
            .buildConfig()
            .node();

    Node xds = IstioNodeFactory.build(node, ProxyProfile.SIDECAR);

    assertThat(xds.getId())
        .isEqualTo("sidecar~10.0.0.5~reviews-v1-abc.default~default.svc.cluster.local");
    assertThat(xds.getCluster()).isEqualTo("reviews.default");
    assertThat(str(xds, "CLUSTER_ID")).isEqualTo("east");
    assertThat(str(xds, "WORKLOAD_NAME")).isEqualTo("reviews-v1");
    assertThat(stringMap(meta(xds).get("LABELS")))
        .containsExactlyInAnyOrderEntriesOf(Map.of("app", "reviews", "version", "v1"));
  }
}
