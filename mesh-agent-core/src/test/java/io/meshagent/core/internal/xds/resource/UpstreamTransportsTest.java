package io.meshagent.core.internal.xds.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster.TransportSocketMatch;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport;
import io.envoyproxy.envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport.MetadataValueSource;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CertificateProviderInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.CombinedCertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.metadata.v3.MetadataKind;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.StringMatcher.Exact;
import io.meshagent.model.StringMatcher.Prefix;
import io.meshagent.model.cluster.CertificateSource;
import io.meshagent.model.cluster.Cluster;
import io.meshagent.model.cluster.UpstreamTransport;
import io.meshagent.model.cluster.UpstreamTransport.Hbone;
import io.meshagent.model.cluster.UpstreamTransport.IstioMtls;
import io.meshagent.model.cluster.UpstreamTransport.Plaintext;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Transport sockets shaped exactly as istiod emits them ({@code cluster_tls.go}, grpcgen). */
class UpstreamTransportsTest {
  private static final String NAME = "outbound|9080||reviews.default.svc.cluster.local";
  private static final String SNI = "outbound_.9080_._.reviews.default.svc.cluster.local";
  private static final String SAN = "spiffe://cluster.local/ns/default/sa/bookinfo-reviews";
  private static final List<String> ALPN_MX = List.of("istio-peer-exchange", "istio");

  private static final IstioMtls ISTIO_MTLS =
      new IstioMtls(
          SNI,
          ALPN_MX,
          List.of(new Exact(SAN, false)),
          new CertificateSource.Sds("default"),
          new CertificateSource.Sds("ROOTCA"));

  /** istiod's {@code xdsfilters.RawBufferTransportSocket}. */
  static TransportSocket rawBuffer() {
    return TransportSocket.newBuilder()
        .setName("envoy.transport_sockets.raw_buffer")
        .setTypedConfig(Any.pack(RawBuffer.getDefaultInstance()))
        .build();
  }

  /** istiod's {@code ConstructSdsSecretConfig}: the {@code sds-grpc} cluster, no fetch timeout. */
  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder()
        .setName(name)
        .setSdsConfig(
            ConfigSource.newBuilder()
                .setApiConfigSource(
                    ApiConfigSource.newBuilder()
                        .setApiType(ApiConfigSource.ApiType.GRPC)
                        .setSetNodeOnFirstMessageOnly(true)
                        .setTransportApiVersion(ApiVersion.V3)
                        .addGrpcServices(
                            GrpcService.newBuilder()
                                .setEnvoyGrpc(
                                    GrpcService.EnvoyGrpc.newBuilder().setClusterName("sds-grpc"))))
                .setResourceApiVersion(ApiVersion.V3)
                .setInitialFetchTimeout(com.google.protobuf.Duration.getDefaultInstance()))
        .build();
  }

  /** {@code buildUpstreamClusterTLSContext} for {@code ISTIO_MUTUAL}. */
  @SuppressWarnings("deprecation") // istiod sends match_subject_alt_names.
  private static UpstreamTlsContext.Builder istioMutual(List<String> alpn) {
    return UpstreamTlsContext.newBuilder()
        .setSni(SNI)
        .setCommonTlsContext(
            CommonTlsContext.newBuilder()
                .setTlsParams(
                    TlsParameters.newBuilder()
                        .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3)
                        .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_2))
                .addAllAlpnProtocols(alpn)
                .addTlsCertificateSdsSecretConfigs(sds("default"))
                .setCombinedValidationContext(
                    CombinedCertificateValidationContext.newBuilder()
                        .setDefaultValidationContext(
                            CertificateValidationContext.newBuilder()
                                .addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(SAN)))
                        .setValidationContextSdsSecretConfig(sds("ROOTCA"))));
  }

  private static TransportSocket tls(UpstreamTlsContext.Builder context) {
    return TransportSocket.newBuilder()
        .setName("envoy.transport_sockets.tls")
        .setTypedConfig(Any.pack(context.build()))
        .build();
  }

  /** {@code util.FullMetadataPassthroughInternalUpstreamTransportSocket}. */
  private static TransportSocket internalUpstream(TransportSocket inner) {
    MetadataKind host = MetadataKind.newBuilder().setHost(MetadataKind.Host.newBuilder()).build();
    MetadataKind cluster =
        MetadataKind.newBuilder().setCluster(MetadataKind.Cluster.newBuilder()).build();
    return TransportSocket.newBuilder()
        .setName("envoy.transport_sockets.internal_upstream")
        .setTypedConfig(
            Any.pack(
                InternalUpstreamTransport.newBuilder()
                    .addPassthroughMetadata(
                        MetadataValueSource.newBuilder()
                            .setKind(host)
                            .setName("envoy.filters.listener.original_dst"))
                    .addPassthroughMetadata(
                        MetadataValueSource.newBuilder().setKind(cluster).setName("istio"))
                    .addPassthroughMetadata(
                        MetadataValueSource.newBuilder().setKind(host).setName("istio"))
                    .setTransportSocket(inner)
                    .build()))
        .build();
  }

  private static Struct labels(String key, String value) {
    return Struct.newBuilder()
        .putFields(key, Value.newBuilder().setStringValue(value).build())
        .build();
  }

  private static TransportSocketMatch hboneMatch() {
    return TransportSocketMatch.newBuilder()
        .setName("hbone")
        .setMatch(labels("tunnel", "http"))
        .setTransportSocket(internalUpstream(rawBuffer()))
        .build();
  }

  private static TransportSocketMatch istioMatch(List<String> alpn) {
    return TransportSocketMatch.newBuilder()
        .setName("tlsMode-istio")
        .setMatch(labels("tlsMode", "istio"))
        .setTransportSocket(tls(istioMutual(alpn)))
        .build();
  }

  /** istiod's {@code defaultTransportSocketMatch}. */
  private static TransportSocketMatch disabledMatch() {
    return TransportSocketMatch.newBuilder()
        .setName("tlsMode-disabled")
        .setMatch(Struct.getDefaultInstance())
        .setTransportSocket(rawBuffer())
        .build();
  }

  private static io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder cluster() {
    return io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
        .setName(NAME)
        .setType(DiscoveryType.EDS);
  }

  private static Cluster parse(io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder proto)
      throws ResourceInvalidException {
    return ClusterType.INSTANCE.parse(Any.pack(proto.build())).value();
  }

  private static io.meshagent.model.cluster.TransportSocketMatch match(
      String name, Map<String, String> labels, UpstreamTransport transport) {
    return new io.meshagent.model.cluster.TransportSocketMatch(name, labels, transport);
  }

  @Test
  void convertsAutoMtlsMatches() throws Exception {
    Cluster c =
        parse(
            cluster()
                .addTransportSocketMatches(istioMatch(ALPN_MX))
                .addTransportSocketMatches(disabledMatch()));

    assertThat(c.transportSocketMatches())
        .containsExactly(
            match("tlsMode-istio", Map.of("tlsMode", "istio"), ISTIO_MTLS),
            match("tlsMode-disabled", Map.of(), Plaintext.INSTANCE));
    assertThat(c.defaultTransport()).isEqualTo(Plaintext.INSTANCE);
  }

  @Test
  void keepsTheAlpnOfAnHttp2Cluster() throws Exception {
    List<String> h2 = List.of("istio-peer-exchange", "istio", "h2");

    Cluster c = parse(cluster().addTransportSocketMatches(istioMatch(h2)));

    assertThat(((IstioMtls) c.transportSocketMatches().get(0).transport()).alpnProtocols())
        .isEqualTo(h2);
  }

  @Test
  void convertsHboneMatchesAheadOfAutoMtls() throws Exception {
    Cluster c =
        parse(
            cluster()
                .addTransportSocketMatches(hboneMatch())
                .addTransportSocketMatches(istioMatch(ALPN_MX))
                .addTransportSocketMatches(disabledMatch()));

    assertThat(c.transportSocketMatches())
        .containsExactly(
            match("hbone", Map.of("tunnel", "http"), new Hbone(Plaintext.INSTANCE)),
            match("tlsMode-istio", Map.of("tlsMode", "istio"), ISTIO_MTLS),
            match("tlsMode-disabled", Map.of(), Plaintext.INSTANCE));
  }

  @Test
  void convertsHboneOrUserIstioMutualWithAMatchOfNoLabels() throws Exception {
    // applyHBONETransportSocketMatches for a DestinationRule with ISTIO_MUTUAL: no Match struct.
    Cluster c =
        parse(
            cluster()
                .addTransportSocketMatches(hboneMatch())
                .addTransportSocketMatches(
                    TransportSocketMatch.newBuilder()
                        .setName("tlsMode-istio")
                        .setTransportSocket(tls(istioMutual(ALPN_MX)))));

    assertThat(c.transportSocketMatches().get(1))
        .isEqualTo(match("tlsMode-istio", Map.of(), ISTIO_MTLS));
  }

  @Test
  void convertsTlsTunnelledThroughHbone() throws Exception {
    Cluster c =
        parse(
            cluster()
                .addTransportSocketMatches(
                    hboneMatch().toBuilder()
                        .setTransportSocket(internalUpstream(tls(istioMutual(ALPN_MX))))));

    assertThat(c.transportSocketMatches().get(0).transport()).isEqualTo(new Hbone(ISTIO_MTLS));
  }

  @Test
  void convertsTheClusterTransportSocket() throws Exception {
    Cluster c = parse(cluster().setTransportSocket(tls(istioMutual(ALPN_MX))));

    assertThat(c.transportSocketMatches()).isEmpty();
    assertThat(c.defaultTransport()).isEqualTo(ISTIO_MTLS);
  }

  @Test
  void convertsDestinationRuleSimpleTlsWithSystemRoots() throws Exception {
    // DestinationRule tls.mode SIMPLE without caCertificates: no client certificate, the
    // system roots through istiod's file-root SDS secret.
    UpstreamTlsContext.Builder simple =
        UpstreamTlsContext.newBuilder()
            .setSni("api.example.com")
            .setCommonTlsContext(
                io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext
                    .newBuilder()
                    .setValidationContextSdsSecretConfig(
                        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig
                            .newBuilder()
                            .setName("file-root:/etc/ssl/certs/ca-certificates.crt")));
    Cluster c = parse(cluster().setTransportSocket(tls(simple)));

    assertThat(c.defaultTransport())
        .isEqualTo(
            new io.meshagent.model.cluster.UpstreamTransport.Tls(
                "api.example.com",
                List.of(),
                List.of(),
                null,
                new io.meshagent.model.cluster.CertificateSource.Sds(
                    "file-root:/etc/ssl/certs/ca-certificates.crt")));
  }

  @Test
  void convertsInsecureSkipVerifyAsTlsWithoutTrustAnchor() throws Exception {
    UpstreamTlsContext.Builder insecure =
        istioMutual(ALPN_MX)
            .setCommonTlsContext(
                istioMutual(ALPN_MX).getCommonTlsContext().toBuilder()
                    .clearTlsCertificateSdsSecretConfigs()
                    .clearCombinedValidationContext());
    Cluster c = parse(cluster().setTransportSocket(tls(insecure)));

    assertThat(c.defaultTransport())
        .isInstanceOfSatisfying(
            io.meshagent.model.cluster.UpstreamTransport.Tls.class,
            t -> {
              org.assertj.core.api.Assertions.assertThat(t.certificate()).isNull();
              org.assertj.core.api.Assertions.assertThat(t.trustAnchor()).isNull();
            });
  }

  @Test
  void acceptsARawBufferNamedWithoutConfig() throws Exception {
    Cluster c =
        parse(
            cluster()
                .setTransportSocket(
                    TransportSocket.newBuilder().setName("envoy.transport_sockets.raw_buffer")));

    assertThat(c.defaultTransport()).isEqualTo(Plaintext.INSTANCE);
  }

  @Test
  @SuppressWarnings("deprecation") // grpcgen's buildCommonTLSContext uses the deprecated fields.
  void convertsTheGrpcProfileCertificateProviders() throws Exception {
    var context =
        UpstreamTlsContext.newBuilder()
            .setSni(SNI)
            .setCommonTlsContext(
                CommonTlsContext.newBuilder()
                    .setTlsCertificateCertificateProviderInstance(
                        CertificateProviderInstance.newBuilder()
                            .setInstanceName("default")
                            .setCertificateName("default"))
                    .setCombinedValidationContext(
                        CombinedCertificateValidationContext.newBuilder()
                            .setValidationContextCertificateProviderInstance(
                                CertificateProviderInstance.newBuilder()
                                    .setInstanceName("default")
                                    .setCertificateName("ROOTCA"))
                            .setDefaultValidationContext(
                                CertificateValidationContext.newBuilder()
                                    .addMatchSubjectAltNames(
                                        StringMatcher.newBuilder().setExact(SAN)))));

    Cluster c = parse(cluster().setTransportSocket(tls(context)));

    assertThat(c.defaultTransport())
        .isEqualTo(
            new IstioMtls(
                SNI,
                List.of(),
                List.of(new Exact(SAN, false)),
                new CertificateSource.ProviderInstance("default", "default"),
                new CertificateSource.ProviderInstance("default", "ROOTCA")));
  }

  @Test
  void convertsPluginInstancesAndTypedUriSans() throws Exception {
    var context =
        UpstreamTlsContext.newBuilder()
            .setCommonTlsContext(
                CommonTlsContext.newBuilder()
                    .setTlsCertificateProviderInstance(
                        CertificateProviderPluginInstance.newBuilder()
                            .setInstanceName("default")
                            .setCertificateName("default"))
                    .setValidationContext(
                        CertificateValidationContext.newBuilder()
                            .setCaCertificateProviderInstance(
                                CertificateProviderPluginInstance.newBuilder()
                                    .setInstanceName("default")
                                    .setCertificateName("ROOTCA"))
                            .addMatchTypedSubjectAltNames(
                                SubjectAltNameMatcher.newBuilder()
                                    .setSanType(SubjectAltNameMatcher.SanType.URI)
                                    .setMatcher(
                                        StringMatcher.newBuilder()
                                            .setPrefix("spiffe://cluster.local/ns/default/")))));

    Cluster c = parse(cluster().setTransportSocket(tls(context)));

    assertThat(c.defaultTransport())
        .isEqualTo(
            new IstioMtls(
                "",
                List.of(),
                List.of(new Prefix("spiffe://cluster.local/ns/default/", false)),
                new CertificateSource.ProviderInstance("default", "default"),
                new CertificateSource.ProviderInstance("default", "ROOTCA")));
  }

  static Stream<Arguments> invalidTransports() {
    String istio = "transport_socket_matches[0](name=tlsMode-istio).transport_socket";
    String common = istio + ".typed_config.common_tls_context";
    String validation = common + ".combined_validation_context.default_validation_context";
    return Stream.of(
        Arguments.of(
            "unknown transport socket type",
            cluster()
                .addTransportSocketMatches(
                    istioMatch(ALPN_MX).toBuilder()
                        .setTransportSocket(
                            TransportSocket.newBuilder()
                                .setName("envoy.transport_sockets.alts")
                                .setTypedConfig(
                                    Any.newBuilder()
                                        .setTypeUrl(
                                            "type.googleapis.com/"
                                                + "envoy.extensions.transport_sockets.alts.v3.Alts")))),
            istio
                + ".typed_config: transport socket 'envoy.transport_sockets.alts' of type"
                + " envoy.extensions.transport_sockets.alts.v3.Alts is not supported; "
                + UpstreamTransports.SUPPORTED),
        Arguments.of(
            "unknown transport socket name without config",
            cluster()
                .setTransportSocket(
                    TransportSocket.newBuilder().setName("envoy.transport_sockets.starttls")),
            "transport_socket.name: transport socket 'envoy.transport_sockets.starttls' without"
                + " typed_config is not supported; "
                + UpstreamTransports.SUPPORTED),
        Arguments.of(
            "match without a transport socket",
            cluster()
                .addTransportSocketMatches(
                    TransportSocketMatch.newBuilder()
                        .setName("tlsMode-istio")
                        .setMatch(labels("tlsMode", "istio"))),
            istio + ": must be set"),
        Arguments.of(
            "non-string match label",
            cluster()
                .addTransportSocketMatches(
                    istioMatch(ALPN_MX).toBuilder()
                        .setMatch(
                            Struct.newBuilder()
                                .putFields(
                                    "tlsMode", Value.newBuilder().setBoolValue(true).build()))),
            "transport_socket_matches[0](name=tlsMode-istio).match.tlsMode: only string values are"
                + " supported, got BOOL_VALUE"),
        Arguments.of(
            "internal_upstream without inner socket",
            cluster()
                .addTransportSocketMatches(
                    hboneMatch().toBuilder()
                        .setTransportSocket(
                            TransportSocket.newBuilder()
                                .setName("envoy.transport_sockets.internal_upstream")
                                .setTypedConfig(
                                    Any.pack(InternalUpstreamTransport.getDefaultInstance())))),
            "transport_socket_matches[0](name=hbone).transport_socket.typed_config.transport_socket:"
                + " must be set"),
        Arguments.of(
            "typed DNS SAN",
            cluster()
                .addTransportSocketMatches(
                    istioMatch(ALPN_MX).toBuilder()
                        .setTransportSocket(
                            tls(
                                istioMutual(ALPN_MX)
                                    .setCommonTlsContext(
                                        istioMutual(ALPN_MX).getCommonTlsContext().toBuilder()
                                            .setCombinedValidationContext(
                                                CombinedCertificateValidationContext.newBuilder()
                                                    .setDefaultValidationContext(
                                                        CertificateValidationContext.newBuilder()
                                                            .addMatchTypedSubjectAltNames(
                                                                SubjectAltNameMatcher.newBuilder()
                                                                    .setSanType(
                                                                        SubjectAltNameMatcher
                                                                            .SanType.DNS)
                                                                    .setMatcher(
                                                                        StringMatcher.newBuilder()
                                                                            .setExact("reviews"))))
                                                    .setValidationContextSdsSecretConfig(
                                                        sds("ROOTCA"))))))),
            validation
                + ".match_typed_subject_alt_names[0].san_type: DNS is not supported;"
                + " supported: URI"),
        Arguments.of(
            "inline trusted CA",
            cluster()
                .addTransportSocketMatches(
                    istioMatch(ALPN_MX).toBuilder()
                        .setTransportSocket(
                            tls(
                                istioMutual(ALPN_MX)
                                    .setCommonTlsContext(
                                        istioMutual(ALPN_MX).getCommonTlsContext().toBuilder()
                                            .setCombinedValidationContext(
                                                CombinedCertificateValidationContext.newBuilder()
                                                    .setDefaultValidationContext(
                                                        CertificateValidationContext.newBuilder()
                                                            .setTrustedCa(
                                                                DataSource.newBuilder()
                                                                    .setFilename("/etc/ca.pem")))
                                                    .setValidationContextSdsSecretConfig(
                                                        sds("ROOTCA"))))))),
            validation + ".trusted_ca: inline trust anchors are not supported"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidTransports")
  void rejectsTransportsItCannotHonourNamingTheField(
      String description,
      io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder proto,
      String message) {
    assertThatThrownBy(() -> parse(proto))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(message);
  }
}
