package io.meshagent.core.internal.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.model.StringMatcher;
import io.meshagent.model.cluster.CertificateSource;
import io.meshagent.model.cluster.CircuitBreakerThresholds;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.DiscoveryType;
import io.meshagent.model.cluster.LbPolicy;
import io.meshagent.model.cluster.TransportSocketMatch;
import io.meshagent.model.cluster.UpstreamTransport;
import io.meshagent.model.cluster.UpstreamTransport.Hbone;
import io.meshagent.model.cluster.UpstreamTransport.IstioMtls;
import io.meshagent.model.cluster.UpstreamTransport.Plaintext;
import io.meshagent.model.endpoint.Endpoint;
import io.meshagent.model.endpoint.HealthStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TransportChooserTest {
  private static final IstioMtls MTLS =
      new IstioMtls(
          "outbound_.9080_._.reviews.default.svc.cluster.local",
          List.of("istio-peer-exchange", "istio"),
          List.of(new StringMatcher.Exact("spiffe://cluster.local/ns/default/sa/reviews", false)),
          new CertificateSource.Sds("default"),
          new CertificateSource.Sds("ROOTCA"));
  private static final Hbone HBONE = new Hbone(Plaintext.INSTANCE);
  private static final IstioMtls CLUSTER_DEFAULT =
      new IstioMtls(
          "default-sni",
          List.of(),
          List.of(),
          new CertificateSource.Sds("default"),
          new CertificateSource.Sds("ROOTCA"));

  private static final TransportSocketMatch ISTIO =
      new TransportSocketMatch("tlsMode-istio", Map.of("tlsMode", "istio"), MTLS);
  private static final TransportSocketMatch DISABLED =
      new TransportSocketMatch("tlsMode-disabled", Map.of(), Plaintext.INSTANCE);
  private static final TransportSocketMatch TUNNEL =
      new TransportSocketMatch("hbone", Map.of("tunnel", "http"), HBONE);
  private static final TransportSocketMatch ISTIO_IN_NETWORK =
      new TransportSocketMatch(
          "istio-network1", Map.of("tlsMode", "istio", "network", "network1"), HBONE);

  private static Cluster cluster(UpstreamTransport defaultTransport, TransportSocketMatch... ms) {
    return new Cluster(
        "outbound|9080||reviews.default.svc.cluster.local",
        DiscoveryType.EDS,
        "outbound|9080||reviews.default.svc.cluster.local",
        LbPolicy.ROUND_ROBIN,
        Duration.ofSeconds(10),
        null,
        List.of(ms),
        defaultTransport,
        null,
        CircuitBreakerThresholds.DEFAULTS,
        List.of());
  }

  private static Endpoint endpoint(Map<String, String> labels) {
    var metadata = new java.util.HashMap<String, String>();
    labels.forEach((k, v) -> metadata.put("envoy.transport_socket_match/" + k, v));
    metadata.put("istio/workload", "reviews-v1;default;reviews;v1;Kubernetes");
    return new Endpoint("10.0.0.7", 9080, HealthStatus.HEALTHY, 1, metadata);
  }

  static Stream<Arguments> choices() {
    Cluster autoMtls = cluster(Plaintext.INSTANCE, ISTIO, DISABLED);
    Cluster hbone = cluster(Plaintext.INSTANCE, TUNNEL, ISTIO, DISABLED);
    Cluster noCatchAll = cluster(CLUSTER_DEFAULT, ISTIO);
    return Stream.of(
        Arguments.of("istio endpoint gets mTLS", autoMtls, Map.of("tlsMode", "istio"), MTLS),
        Arguments.of(
            "disabled endpoint gets plaintext",
            autoMtls,
            Map.of("tlsMode", "disabled"),
            Plaintext.INSTANCE),
        Arguments.of(
            "endpoint without labels falls to the empty match",
            autoMtls,
            Map.of(),
            Plaintext.INSTANCE),
        Arguments.of(
            "no match falls to the cluster default", noCatchAll, Map.of(), CLUSTER_DEFAULT),
        Arguments.of(
            "other value falls to the cluster default",
            noCatchAll,
            Map.of("tlsMode", "disabled"),
            CLUSTER_DEFAULT),
        Arguments.of(
            "no matches at all use the cluster default",
            cluster(MTLS),
            Map.of("tlsMode", "istio"),
            MTLS),
        Arguments.of(
            "first match wins over a later match",
            hbone,
            Map.of("tunnel", "http", "tlsMode", "istio"),
            HBONE),
        Arguments.of(
            "sidecar endpoint in an HBONE cluster", hbone, Map.of("tlsMode", "istio"), MTLS),
        Arguments.of(
            "partial label match does not match",
            cluster(Plaintext.INSTANCE, ISTIO_IN_NETWORK, ISTIO),
            Map.of("tlsMode", "istio", "network", "network2"),
            MTLS),
        Arguments.of(
            "all labels present matches",
            cluster(Plaintext.INSTANCE, ISTIO_IN_NETWORK, ISTIO),
            Map.of("tlsMode", "istio", "network", "network1"),
            HBONE),
        Arguments.of(
            "label outside envoy.transport_socket_match does not count",
            cluster(Plaintext.INSTANCE, TUNNEL),
            Map.of(),
            Plaintext.INSTANCE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("choices")
  void choosesTheTransportAsEnvoyDoes(
      String description, Cluster cluster, Map<String, String> labels, UpstreamTransport expected) {
    assertThat(TransportChooser.choose(cluster, endpoint(labels))).isEqualTo(expected);
  }
}
