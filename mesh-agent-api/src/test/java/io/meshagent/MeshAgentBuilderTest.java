package io.meshagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Validation and defaults of the builder, and the accepted forms of the xDS address. */
class MeshAgentBuilderTest {
  private static final String TLS_ISTIOD = "istiod.istio-system.svc:15012";

  private static MeshAgentConfigException rejected(ThrowingCallable call) {
    MeshAgentConfigException e = catchThrowableOfType(MeshAgentConfigException.class, call);
    assertThat(e).as("a MeshAgentConfigException").isNotNull();
    return e;
  }

  private static MeshAgentBuilder builder() {
    return MeshAgent.builder().xdsAddress(TLS_ISTIOD).podName("reviews-v1-abc");
  }

  @Test
  void defaultsAreWhatAnIstioSidecarUses() {
    MeshAgentConfig c = builder().instanceIps(List.of("10.0.0.5")).buildConfig();

    assertThat(c.xdsProtocol()).isEqualTo(XdsProtocol.DELTA);
    assertThat(c.profile()).isEqualTo(ProxyProfile.SIDECAR);
    assertThat(c.initialFetchTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.tokenFile()).isNull();
    MeshNode n = c.node();
    assertThat(n.type()).isEqualTo("sidecar");
    assertThat(n.namespace()).isEqualTo("default");
    assertThat(n.serviceAccount()).isEqualTo("default");
    assertThat(n.clusterId()).isEqualTo("Kubernetes");
    assertThat(n.meshId()).isEqualTo("cluster.local");
    assertThat(n.istioVersion()).isEqualTo(MeshAgentBuilder.DEFAULT_ISTIO_VERSION);
    assertThat(n.dnsDomain()).isEqualTo("default.svc.cluster.local");
    assertThat(n.nodeId())
        .isEqualTo("sidecar~10.0.0.5~reviews-v1-abc.default~default.svc.cluster.local");
  }

  @Test
  void dnsDomainFollowsTheNamespace() {
    MeshNode n =
        builder().namespace("bookinfo").instanceIps(List.of("10.0.0.5")).buildConfig().node();

    assertThat(n.nodeId())
        .isEqualTo("sidecar~10.0.0.5~reviews-v1-abc.bookinfo~bookinfo.svc.cluster.local");
  }

  @Test
  void withoutInstanceIpsTheLocalAddressIsUsed() {
    assertThat(builder().buildConfig().node().instanceIps()).hasSize(1);
  }

  @Test
  void missingXdsAddressNamesTheAcceptedForms() {
    MeshAgentConfigException e = rejected(() -> MeshAgent.builder().buildConfig());

    assertThat(e.setting()).isEqualTo("xds.address");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'xds.address': is required; accepted: " + XdsSource.ACCEPTED_FORMS)
        .contains(
            "file:<path>", "<host>:<port>", "plaintext://<host>:<port>", "tls://<host>:<port>");
  }

  @Test
  void tokenIsRefusedOnAPlaintextAddress() {
    MeshAgentConfigException e =
        rejected(
            () ->
                builder()
                    .xdsAddress("istiod.istio-system.svc:15010")
                    .tokenFile(Path.of("/var/run/secrets/tokens/istio-token"))
                    .buildConfig());

    assertThat(e.setting()).isEqualTo("xds.tokenFile");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'xds.tokenFile': a bearer token would be sent in the clear to"
                + " plaintext://istiod.istio-system.svc:15010; use a tls:// address");
  }

  @Test
  void tokenIsAcceptedOverTls() {
    Path token = Path.of("/var/run/secrets/tokens/istio-token");

    assertThat(builder().tokenFile(token).buildConfig().tokenFile()).isEqualTo(token);
  }

  @Test
  void namespaceWithADotIsRefused() {
    MeshAgentConfigException e = rejected(() -> builder().namespace("bookinfo.prod").buildConfig());

    assertThat(e.setting()).isEqualTo("node.namespace");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'node.namespace': 'bookinfo.prod' is not accepted; a non-empty"
                + " Kubernetes name without '~' or '.' is expected");
  }

  @Test
  void serviceAccountMayHaveDotsButNoTilde() {
    assertThat(builder().serviceAccount("svc.reviews").buildConfig().node().serviceAccount())
        .isEqualTo("svc.reviews");

    MeshAgentConfigException e = rejected(() -> builder().serviceAccount("a~b").buildConfig());
    assertThat(e.setting()).isEqualTo("node.serviceAccount");
    assertThat(e.getMessage())
        .endsWith("'a~b' is not accepted; a non-empty Kubernetes name without '~' is expected");
  }

  @Test
  void emptyNamespaceIsRefused() {
    assertThat(rejected(() -> builder().namespace("").buildConfig()).setting())
        .isEqualTo("node.namespace");
  }

  @Test
  void nonPositiveFetchTimeoutIsRefused() {
    MeshAgentConfigException e =
        rejected(() -> builder().initialFetchTimeout(Duration.ZERO).buildConfig());

    assertThat(e.setting()).isEqualTo("xds.initialFetchTimeout");
    assertThat(e.getMessage()).endsWith("PT0S is not accepted; it must be positive");
  }

  @Test
  void maxBackoffBelowInitialIsRefused() {
    MeshAgentConfigException e =
        rejected(
            () ->
                builder()
                    .reconnectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1))
                    .buildConfig());

    assertThat(e.setting()).isEqualTo("xds.reconnectMaxBackoff");
    assertThat(e.getMessage()).endsWith("PT1S is below xds.reconnectBackoff PT5S");
  }

  @Test
  void extraTypeMustBeATypeUrl() {
    MeshAgentConfigException e = rejected(() -> builder().extraType("istio.workload.Address"));

    assertThat(e.setting()).isEqualTo("xds.extraTypes");
    assertThat(e.getMessage())
        .endsWith(
            "'istio.workload.Address' is not accepted; a type URL like"
                + " type.googleapis.com/<message> is");
  }

  @Test
  void extraTypesAreKeptOnceInOrder() {
    MeshAgentConfig c =
        builder()
            .extraType("type.googleapis.com/istio.workload.Address")
            .extraType("type.googleapis.com/istio.security.Authorization")
            .extraType("type.googleapis.com/istio.workload.Address")
            .buildConfig();

    assertThat(c.extraTypes())
        .containsExactly(
            "type.googleapis.com/istio.workload.Address",
            "type.googleapis.com/istio.security.Authorization");
  }

  // XdsSource.parse: the textual forms of xds.address.

  private static XdsSource parse(String address) {
    return XdsSource.parse("xds.address", address);
  }

  @Test
  void fileFormReadsALocalFile() {
    assertThat(parse("file:/etc/mesh/envoy.yaml"))
        .isEqualTo(new XdsSource.File(Path.of("/etc/mesh/envoy.yaml")));
    assertThat(parse("file:///etc/mesh/envoy.yaml"))
        .isEqualTo(new XdsSource.File(Path.of("/etc/mesh/envoy.yaml")));
    assertThat(parse("file:mesh.json")).isEqualTo(new XdsSource.File(Path.of("mesh.json")));
  }

  @Test
  void fileFormWithoutAPathIsRefused() {
    MeshAgentConfigException e = rejected(() -> parse("file:"));

    assertThat(e.setting()).isEqualTo("xds.address");
    assertThat(e.getMessage()).endsWith("'file:' names no file");
  }

  @Test
  void hostPortIsTls() {
    assertThat(parse(TLS_ISTIOD))
        .isEqualTo(new XdsSource.Server("istiod.istio-system.svc", 15012, true));
  }

  @Test
  void port15010IsPlaintextAsIstiodServesIt() {
    assertThat(parse("istiod.istio-system.svc:15010"))
        .isEqualTo(new XdsSource.Server("istiod.istio-system.svc", 15010, false));
    assertThat(parse("10.96.0.10:15010").toString()).isEqualTo("plaintext://10.96.0.10:15010");
  }

  @Test
  void aPortWithoutAHostIsRefused() {
    MeshAgentConfigException e = rejected(() -> parse(":15010"));

    assertThat(e.getMessage())
        .endsWith("':15010' is not accepted; accepted: " + XdsSource.ACCEPTED_FORMS);
  }

  @Test
  void explicitSchemeWinsOverThePortRule() {
    assertThat(parse("plaintext://istiod:15012"))
        .isEqualTo(new XdsSource.Server("istiod", 15012, false));
    assertThat(parse("tls://istiod:15010")).isEqualTo(new XdsSource.Server("istiod", 15010, true));
    assertThat(parse("TLS://istiod:15010")).isEqualTo(new XdsSource.Server("istiod", 15010, true));
  }

  @Test
  void bracketedIpv6Literal() {
    XdsSource s = parse("[::1]:15012");

    assertThat(s).isEqualTo(new XdsSource.Server("::1", 15012, true));
    assertThat(((XdsSource.Server) s).authority()).isEqualTo("[::1]:15012");
    assertThat(s.toString()).isEqualTo("tls://[::1]:15012");
    assertThat(parse("plaintext://[fd00::10]:15010").toString())
        .isEqualTo("plaintext://[fd00::10]:15010");
  }

  @Test
  void unknownSchemeIsRefusedWithTheAcceptedForms() {
    MeshAgentConfigException e = rejected(() -> parse("ftp://x"));

    assertThat(e.setting()).isEqualTo("xds.address");
    assertThat(e.getMessage())
        .isEqualTo(
            "mesh-agent setting 'xds.address': 'ftp://x' has an unknown scheme; accepted: "
                + XdsSource.ACCEPTED_FORMS);
  }

  @Test
  void malformedHostPortsAreRefused() {
    for (String bad :
        List.of(
            "istiod", "istiod:", "istiod:0", "istiod:65536", "istiod:grpc", "::1:15012", "[::1]")) {
      assertThat(rejected(() -> parse(bad)).getMessage())
          .as(bad)
          .endsWith("'" + bad + "' is not accepted; accepted: " + XdsSource.ACCEPTED_FORMS);
    }
  }

  @Test
  void builderUsesTheParsedAddress() {
    assertThat(builder().xdsAddress("plaintext://istiod:15010").buildConfig().xdsSource())
        .isEqualTo(new XdsSource.Server("istiod", 15010, false));
    assertThat(builder().xdsFile(Path.of("mesh.yaml")).buildConfig().xdsSource())
        .isEqualTo(new XdsSource.File(Path.of("mesh.yaml")));
  }
}
