package io.meshagent.netty.internal.admin;

import io.envoyproxy.envoy.admin.v3.Certificate;
import io.envoyproxy.envoy.admin.v3.CertificateDetails;
import io.envoyproxy.envoy.admin.v3.Certificates;
import io.envoyproxy.envoy.admin.v3.SubjectAlternateName;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.IdentityManager;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code /certs} ({@code envoy.admin.v3.Certificates}) for the workload certificate: one
 * entry with the roots of the mesh as {@code ca_cert} and the chain (leaf first) as {@code
 * cert_chain}, each with its serial number, subject alternative names, validity and days until
 * expiration. Empty without a valid certificate. Never the private key.
 */
final class CertsView {
  /** Envoy's path for certificates that came inline (through SDS). */
  private static final String INLINE = "<inline>";

  private CertsView() {}

  static Certificates certificates(@Nullable IdentityManager identity, Instant now) {
    Certificates.Builder out = Certificates.newBuilder();
    WorkloadCertificate cert = identity == null ? null : identity.current();
    if (cert == null) {
      return out.build();
    }
    Certificate.Builder c = Certificate.newBuilder();
    for (X509Certificate root : cert.roots()) {
      c.addCaCert(details(root, now));
    }
    for (X509Certificate x : cert.chain()) {
      c.addCertChain(details(x, now));
    }
    return out.addCertificates(c).build();
  }

  private static CertificateDetails details(X509Certificate x, Instant now) {
    Instant expires = x.getNotAfter().toInstant();
    long days = Math.max(0, Duration.between(now, expires).toDays());
    CertificateDetails.Builder d =
        CertificateDetails.newBuilder()
            .setPath(INLINE)
            .setSerialNumber(x.getSerialNumber().toString(16))
            .setDaysUntilExpiration(days)
            .setValidFrom(ConfigDumps.timestamp(x.getNotBefore().toInstant()))
            .setExpirationTime(ConfigDumps.timestamp(expires));
    Collection<List<?>> sans;
    try {
      sans = x.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      sans = null;
    }
    if (sans != null) {
      for (List<?> san : sans) {
        if (san.size() < 2 || !(san.get(0) instanceof Integer type)) {
          continue;
        }
        String value = String.valueOf(san.get(1));
        switch (type) {
          case 2 -> d.addSubjectAltNames(SubjectAlternateName.newBuilder().setDns(value));
          case 6 -> d.addSubjectAltNames(SubjectAlternateName.newBuilder().setUri(value));
          case 7 -> d.addSubjectAltNames(SubjectAlternateName.newBuilder().setIpAddress(value));
          default -> {}
        }
      }
    }
    return d.build();
  }
}
