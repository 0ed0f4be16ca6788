package io.meshagent.model.cluster;

import static java.util.Objects.requireNonNull;

/**
 * Where an upstream TLS context takes a certificate or a trust bundle from: an SDS secret (the
 * sidecar profile: {@code default} for the workload certificate, {@code ROOTCA} for the roots) or a
 * certificate-provider instance (the grpc profile: instance {@code default}, certificates {@code
 * default} and {@code ROOTCA}).
 */
public sealed interface CertificateSource {

  /** The SDS secret named {@code name}. */
  record Sds(String name) implements CertificateSource {
    public Sds {
      requireNonNull(name, "name");
    }
  }

  /** The certificate {@code certificateName} of the certificate-provider {@code instanceName}. */
  record ProviderInstance(String instanceName, String certificateName)
      implements CertificateSource {
    public ProviderInstance {
      requireNonNull(instanceName, "instanceName");
      requireNonNull(certificateName, "certificateName");
    }
  }
}
