package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.model.StringMatcher;
import io.meshagent.model.cluster.CertificateSource;
import io.meshagent.model.cluster.TransportSocketMatch;
import io.meshagent.model.cluster.UpstreamTransport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Converts a cluster's {@code transport_socket} and {@code transport_socket_matches} into {@link
 * UpstreamTransport}s. Fails closed: a socket type, or a TLS setting, that the agent would not
 * honour exactly is a {@link ResourceInvalidException}, never a quietly weaker transport.
 */
final class UpstreamTransports {
  static final String RAW_BUFFER = "envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer";
  static final String TLS = "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
  static final String INTERNAL_UPSTREAM =
      "envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport";

  static final String SUPPORTED =
      "supported: " + RAW_BUFFER + ", " + TLS + ", " + INTERNAL_UPSTREAM;

  private UpstreamTransports() {}

  /** Converts {@code transport_socket_matches}, keeping their order. */
  static List<TransportSocketMatch> matches(
      List<io.envoyproxy.envoy.config.cluster.v3.Cluster.TransportSocketMatch> protos,
      String parent)
      throws ResourceInvalidException {
    List<TransportSocketMatch> out = new ArrayList<>(protos.size());
    for (int i = 0; i < protos.size(); i++) {
      var m = protos.get(i);
      String path = Paths.element(parent, "transport_socket_matches", i, m.getName());
      Map<String, String> labels = labels(m.getMatch(), Paths.field(path, "match"));
      // Envoy requires the socket; a match that names none would otherwise mean "plaintext".
      if (!m.hasTransportSocket()) {
        throw new ResourceInvalidException(
            Paths.at(Paths.field(path, "transport_socket"), "must be set"));
      }
      UpstreamTransport transport =
          transport(m.getTransportSocket(), Paths.field(path, "transport_socket"));
      out.add(new TransportSocketMatch(m.getName(), labels, transport));
    }
    return out;
  }

  /** Converts a {@code TransportSocket}. */
  static UpstreamTransport transport(TransportSocket socket, String path)
      throws ResourceInvalidException {
    if (!socket.hasTypedConfig()) {
      // Envoy finds a socket by its typed_config's type; without one, by name.
      return switch (socket.getName()) {
        case "envoy.transport_sockets.raw_buffer", "raw_buffer" ->
            UpstreamTransport.Plaintext.INSTANCE;
        default ->
            throw new ResourceInvalidException(
                Paths.at(
                    Paths.field(path, "name"),
                    "transport socket '"
                        + socket.getName()
                        + "' without typed_config is not supported; "
                        + SUPPORTED));
      };
    }
    Any config = socket.getTypedConfig();
    String configPath = Paths.field(path, "typed_config");
    String type = config.getTypeUrl().substring(config.getTypeUrl().lastIndexOf('/') + 1);
    return switch (type) {
      case RAW_BUFFER -> UpstreamTransport.Plaintext.INSTANCE;
      case TLS -> tls(Anys.unpack(config, UpstreamTlsContext.class, configPath), configPath);
      case INTERNAL_UPSTREAM ->
          hbone(Anys.unpack(config, InternalUpstreamTransport.class, configPath), configPath);
      default ->
          throw new ResourceInvalidException(
              Paths.at(
                  configPath,
                  "transport socket "
                      + (socket.getName().isEmpty() ? "" : "'" + socket.getName() + "' ")
                      + "of type "
                      + type
                      + " is not supported; "
                      + SUPPORTED));
    };
  }

  /**
   * Reads a match's labels. istiod only sends strings ({@code tlsMode: istio}, {@code tunnel:
   * http}); other kinds are refused rather than compared by a guessed rule.
   */
  private static Map<String, String> labels(Struct match, String path)
      throws ResourceInvalidException {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Value> e : match.getFieldsMap().entrySet()) {
      if (e.getValue().getKindCase() != Value.KindCase.STRING_VALUE) {
        throw new ResourceInvalidException(
            Paths.at(
                Paths.field(path, e.getKey()),
                "only string values are supported, got " + e.getValue().getKindCase()));
      }
      out.put(e.getKey(), e.getValue().getStringValue());
    }
    return out;
  }

  private static UpstreamTransport hbone(InternalUpstreamTransport proto, String path)
      throws ResourceInvalidException {
    String innerPath = Paths.field(path, "transport_socket");
    if (!proto.hasTransportSocket()) {
      throw new ResourceInvalidException(Paths.at(innerPath, "must be set"));
    }
    UpstreamTransport inner = transport(proto.getTransportSocket(), innerPath);
    if (inner instanceof UpstreamTransport.Hbone) {
      throw new ResourceInvalidException(
          Paths.at(innerPath, "an internal_upstream socket cannot wrap another"));
    }
    return new UpstreamTransport.Hbone(inner);
  }

  /** The certificate name istiod gives the workload's own certificate (SDS or provider). */
  private static final String WORKLOAD_CERTIFICATE = "default";

  /**
   * Istio mutual TLS when the client certificate is the workload's own ({@code default}) and the
   * peer is verified; otherwise the TLS a DestinationRule originates.
   */
  private static UpstreamTransport tls(UpstreamTlsContext proto, String path)
      throws ResourceInvalidException {
    CommonTlsContext common = proto.getCommonTlsContext();
    String commonPath = Paths.field(path, "common_tls_context");
    CertificateSource certificate = certificate(common, commonPath);
    List<StringMatcher> subjectAltNames = new ArrayList<>();
    CertificateSource trustAnchor = validation(common, commonPath, subjectAltNames);
    if (trustAnchor != null && isWorkloadCertificate(certificate)) {
      return new UpstreamTransport.IstioMtls(
          proto.getSni(), common.getAlpnProtocolsList(), subjectAltNames, certificate, trustAnchor);
    }
    return new UpstreamTransport.Tls(
        proto.getSni(), common.getAlpnProtocolsList(), subjectAltNames, certificate, trustAnchor);
  }

  private static boolean isWorkloadCertificate(@Nullable CertificateSource c) {
    return (c instanceof CertificateSource.Sds sds && sds.name().equals(WORKLOAD_CERTIFICATE))
        || (c instanceof CertificateSource.ProviderInstance p
            && p.certificateName().equals(WORKLOAD_CERTIFICATE));
  }

  /** The client certificate, or null when none is configured (a DestinationRule's SIMPLE TLS). */
  @SuppressWarnings("deprecation") // istiod's grpc profile sends the deprecated provider instance.
  private static @Nullable CertificateSource certificate(CommonTlsContext common, String path)
      throws ResourceInvalidException {
    if (common.getTlsCertificatesCount() > 0) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "tls_certificates"),
              "inline certificates are not supported; use tls_certificate_sds_secret_configs or"
                  + " tls_certificate_provider_instance"));
    }
    if (common.hasTlsCertificateCertificateProvider()) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, "tls_certificate_certificate_provider"), "is not supported"));
    }
    List<CertificateSource> sources = new ArrayList<>(1);
    int sdsCount = common.getTlsCertificateSdsSecretConfigsCount();
    if (sdsCount > 1) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "tls_certificate_sds_secret_configs"),
              "expected one secret, got " + sdsCount));
    }
    if (sdsCount == 1) {
      sources.add(
          sds(
              common.getTlsCertificateSdsSecretConfigs(0),
              Paths.element(path, "tls_certificate_sds_secret_configs", 0)));
    }
    if (common.hasTlsCertificateProviderInstance()) {
      sources.add(
          provider(
              common.getTlsCertificateProviderInstance(),
              Paths.field(path, "tls_certificate_provider_instance")));
    }
    if (common.hasTlsCertificateCertificateProviderInstance()) {
      var p = common.getTlsCertificateCertificateProviderInstance();
      sources.add(
          provider(
              p.getInstanceName(),
              p.getCertificateName(),
              Paths.field(path, "tls_certificate_certificate_provider_instance")));
    }
    if (sources.isEmpty()) {
      return null;
    }
    if (sources.size() > 1) {
      throw new ResourceInvalidException(
          Paths.at(path, "more than one client certificate source is set"));
    }
    return sources.get(0);
  }

  /**
   * Returns the trust anchor, or null when none is set (a DestinationRule's insecureSkipVerify),
   * and adds the SAN matchers to {@code subjectAltNames}.
   */
  @SuppressWarnings("deprecation") // istiod's grpc profile sends the deprecated provider instance.
  private static @Nullable CertificateSource validation(
      CommonTlsContext common, String path, List<StringMatcher> subjectAltNames)
      throws ResourceInvalidException {
    return switch (common.getValidationContextTypeCase()) {
      case COMBINED_VALIDATION_CONTEXT -> {
        var combined = common.getCombinedValidationContext();
        String combinedPath = Paths.field(path, "combined_validation_context");
        String defaultPath = Paths.field(combinedPath, "default_validation_context");
        CertificateValidationContext defaults = combined.getDefaultValidationContext();
        CertificateSource fromDefaults =
            validationContext(defaults, defaultPath, subjectAltNames, false);
        if (combined.hasValidationContextCertificateProvider()) {
          throw new ResourceInvalidException(
              Paths.at(
                  Paths.field(combinedPath, "validation_context_certificate_provider"),
                  "is not supported"));
        }
        if (combined.hasValidationContextSdsSecretConfig()) {
          yield sds(
              combined.getValidationContextSdsSecretConfig(),
              Paths.field(combinedPath, "validation_context_sds_secret_config"));
        }
        if (combined.hasValidationContextCertificateProviderInstance()) {
          var p = combined.getValidationContextCertificateProviderInstance();
          yield provider(
              p.getInstanceName(),
              p.getCertificateName(),
              Paths.field(combinedPath, "validation_context_certificate_provider_instance"));
        }
        if (fromDefaults == null) {
          throw new ResourceInvalidException(
              Paths.at(
                  combinedPath,
                  "no trust anchor; set validation_context_sds_secret_config or"
                      + " ca_certificate_provider_instance"));
        }
        yield fromDefaults;
      }
      case VALIDATION_CONTEXT -> {
        CertificateSource anchor =
            validationContext(
                common.getValidationContext(),
                Paths.field(path, "validation_context"),
                subjectAltNames,
                true);
        if (anchor == null) {
          throw new IllegalStateException("validationContext returns an anchor when required");
        }
        yield anchor;
      }
      case VALIDATION_CONTEXT_SDS_SECRET_CONFIG ->
          sds(
              common.getValidationContextSdsSecretConfig(),
              Paths.field(path, "validation_context_sds_secret_config"));
      case VALIDATION_CONTEXT_CERTIFICATE_PROVIDER_INSTANCE -> {
        var p = common.getValidationContextCertificateProviderInstance();
        yield provider(
            p.getInstanceName(),
            p.getCertificateName(),
            Paths.field(path, "validation_context_certificate_provider_instance"));
      }
      case VALIDATION_CONTEXT_CERTIFICATE_PROVIDER ->
          throw new ResourceInvalidException(
              Paths.at(
                  Paths.field(path, "validation_context_certificate_provider"),
                  "is not supported"));
      case VALIDATIONCONTEXTTYPE_NOT_SET -> null;
    };
  }

  /**
   * Reads the SAN matchers of a {@code CertificateValidationContext} and its {@code
   * ca_certificate_provider_instance}, or null when it has none and {@code anchorRequired} is
   * false. Settings that would change which certificates verify are refused.
   */
  @SuppressWarnings("deprecation") // istiod sends the deprecated match_subject_alt_names.
  private static @Nullable CertificateSource validationContext(
      CertificateValidationContext v,
      String path,
      List<StringMatcher> subjectAltNames,
      boolean anchorRequired)
      throws ResourceInvalidException {
    if (v.hasTrustedCa()) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, "trusted_ca"), "inline trust anchors are not supported"));
    }
    if (v.hasCustomValidatorConfig()) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "custom_validator_config"),
              "validator '" + v.getCustomValidatorConfig().getName() + "' is not supported"));
    }
    if (v.getTrustChainVerification()
        != CertificateValidationContext.TrustChainVerification.VERIFY_TRUST_CHAIN) {
      throw new ResourceInvalidException(
          Paths.at(
              Paths.field(path, "trust_chain_verification"),
              v.getTrustChainVerification() + " is not supported; supported: VERIFY_TRUST_CHAIN"));
    }
    if (v.getVerifyCertificateSpkiCount() > 0 || v.getVerifyCertificateHashCount() > 0) {
      throw new ResourceInvalidException(
          Paths.at(path, "verify_certificate_spki and verify_certificate_hash are not supported"));
    }
    for (int i = 0; i < v.getMatchSubjectAltNamesCount(); i++) {
      subjectAltNames.add(
          Matchers.envoy(
              v.getMatchSubjectAltNames(i), Paths.element(path, "match_subject_alt_names", i)));
    }
    for (int i = 0; i < v.getMatchTypedSubjectAltNamesCount(); i++) {
      SubjectAltNameMatcher m = v.getMatchTypedSubjectAltNames(i);
      String p = Paths.element(path, "match_typed_subject_alt_names", i);
      // Istio identities are SPIFFE URIs; other SAN types would need typed matching.
      if (m.getSanType() != SubjectAltNameMatcher.SanType.URI) {
        throw new ResourceInvalidException(
            Paths.at(
                Paths.field(p, "san_type"),
                (m.getSanType() == SubjectAltNameMatcher.SanType.UNRECOGNIZED
                        ? Integer.toString(m.getSanTypeValue())
                        : m.getSanType().name())
                    + " is not supported; supported: URI"));
      }
      subjectAltNames.add(Matchers.envoy(m.getMatcher(), Paths.field(p, "matcher")));
    }
    if (v.hasCaCertificateProviderInstance()) {
      return provider(
          v.getCaCertificateProviderInstance(),
          Paths.field(path, "ca_certificate_provider_instance"));
    }
    if (anchorRequired) {
      throw new ResourceInvalidException(
          Paths.at(
              path,
              "no trust anchor; set ca_certificate_provider_instance or use"
                  + " validation_context_sds_secret_config"));
    }
    return null;
  }

  private static CertificateSource sds(SdsSecretConfig sds, String path)
      throws ResourceInvalidException {
    if (sds.getName().isEmpty()) {
      throw new ResourceInvalidException(Paths.at(Paths.field(path, "name"), "must not be empty"));
    }
    return new CertificateSource.Sds(sds.getName());
  }

  private static CertificateSource provider(CertificateProviderPluginInstance p, String path)
      throws ResourceInvalidException {
    return provider(p.getInstanceName(), p.getCertificateName(), path);
  }

  private static CertificateSource provider(
      String instanceName, String certificateName, String path) throws ResourceInvalidException {
    if (instanceName.isEmpty()) {
      throw new ResourceInvalidException(
          Paths.at(Paths.field(path, "instance_name"), "must not be empty"));
    }
    return new CertificateSource.ProviderInstance(instanceName, certificateName);
  }
}
