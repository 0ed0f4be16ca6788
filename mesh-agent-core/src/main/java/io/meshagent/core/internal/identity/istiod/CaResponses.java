package io.meshagent.core.internal.identity.istiod;

import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.Certificates;
import io.meshagent.identity.SpiffeId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Turns a CA's {@code cert_chain} (PEM, leaf first, root last, as istiod sends it) into a workload
 * certificate, refusing what cannot be used with a message that says why.
 */
final class CaResponses {
  private CaResponses() {}

  /**
   * @param chainPem the response's cert_chain entries
   * @param keyPair the key pair the CSR was made for
   * @param extraRoots roots configured besides the CA's own (for example a root-cert file)
   * @param ca the CA, named in errors
   */
  static WorkloadCertificate toCertificate(
      List<String> chainPem, KeyPair keyPair, List<X509Certificate> extraRoots, String ca)
      throws CertificateException {
    List<X509Certificate> chain = new ArrayList<>();
    for (int i = 0; i < chainPem.size(); i++) {
      chain.addAll(parse(chainPem.get(i), "cert_chain[" + i + "] of the response from " + ca));
    }
    if (chain.size() < 2) {
      throw new CertificateException(
          "the response from "
              + ca
              + " has a chain of "
              + chain.size()
              + " certificate(s); a CA sends the leaf first and its root last");
    }
    X509Certificate leaf = chain.get(0);
    if (!leaf.getPublicKey().equals(keyPair.getPublic())) {
      throw new CertificateException(
          "the leaf certificate from " + ca + " is not for the key pair the CSR was signed with");
    }
    SpiffeId id = Certificates.spiffeId(leaf, "the leaf certificate from " + ca);
    X509Certificate root = chain.get(chain.size() - 1);
    List<X509Certificate> roots = new ArrayList<>(extraRoots);
    if (!roots.contains(root)) {
      roots.add(root);
    }
    return new WorkloadCertificate(
        id,
        keyPair.getPrivate(),
        chain.subList(0, chain.size() - 1),
        Map.of(id.trustDomain(), roots));
  }

  static List<X509Certificate> parse(String pem, String origin) throws CertificateException {
    Collection<? extends java.security.cert.Certificate> certs;
    try {
      certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException e) {
      throw new CertificateException("malformed PEM in " + origin + ": " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new CertificateException("malformed PEM in " + origin + ": no certificate in it");
    }
    List<X509Certificate> out = new ArrayList<>(certs.size());
    for (java.security.cert.Certificate c : certs) {
      out.add((X509Certificate) c);
    }
    return out;
  }
}
