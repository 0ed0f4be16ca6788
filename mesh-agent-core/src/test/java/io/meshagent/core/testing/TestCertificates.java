package io.meshagent.core.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA and certificates it signs, written as PEM files, for TLS tests. */
public final class TestCertificates {
  private final KeyPair caKey;
  private final X509Certificate caCert;

  public TestCertificates() throws Exception {
    caKey = ecKeyPair();
    caCert = sign(new X500Name("O=mesh-agent tests,CN=test root"), caKey, caKey, null, true, null);
  }

  /** A server certificate for DNS {@code names}, signed by this CA. */
  public Issued issueServer(String... names) throws Exception {
    KeyPair key = ecKeyPair();
    GeneralName[] sans = new GeneralName[names.length];
    for (int i = 0; i < names.length; i++) {
      sans[i] = new GeneralName(GeneralName.dNSName, names[i]);
    }
    X509Certificate cert =
        sign(new X500Name("CN=" + names[0]), key, caKey, caCert, false, new GeneralNames(sans));
    return new Issued(cert, key);
  }

  /**
   * A workload certificate with the URI SANs {@code uris} (usually one SPIFFE id), valid from
   * {@code notBefore} to {@code notAfter}, signed by this CA.
   */
  public Issued issueWorkload(Instant notBefore, Instant notAfter, String... uris)
      throws Exception {
    KeyPair key = ecKeyPair();
    GeneralName[] sans = new GeneralName[uris.length];
    for (int i = 0; i < uris.length; i++) {
      sans[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uris[i]);
    }
    X509Certificate cert =
        sign(
            new X500Name("O=mesh-agent tests"),
            key,
            caKey,
            caCert,
            false,
            uris.length == 0 ? null : new GeneralNames(sans),
            notBefore,
            notAfter);
    return new Issued(cert, key);
  }

  /** A one-day workload certificate for {@code spiffeId}. */
  public Issued issueWorkload(String spiffeId) throws Exception {
    Instant now = Instant.now();
    return issueWorkload(now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(1)), spiffeId);
  }

  /** The CA's certificate. */
  public X509Certificate root() {
    return caCert;
  }

  /** The CA's key pair, for tests that sign with it. */
  public KeyPair rootKey() {
    return caKey;
  }

  /** Writes the CA certificate as PEM. */
  public Path writeRoot(Path file) throws IOException {
    return Files.writeString(file, pem(caCert));
  }

  /** A certificate and its key. */
  public record Issued(X509Certificate certificate, KeyPair key) {
    public Path writeCertificate(Path file) throws IOException {
      return Files.writeString(file, pem(certificate));
    }

    public Path writeKey(Path file) throws IOException {
      // PKCS#8, the form Netty and Istio read ("BEGIN PRIVATE KEY").
      return Files.writeString(
          file, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key.getPrivate(), null)));
    }
  }

  private static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return g.generateKeyPair();
  }

  private static X509Certificate sign(
      X500Name subject,
      KeyPair subjectKey,
      KeyPair issuerKey,
      X509Certificate issuer,
      boolean ca,
      GeneralNames sans)
      throws Exception {
    Instant now = Instant.now();
    return sign(
        subject,
        subjectKey,
        issuerKey,
        issuer,
        ca,
        sans,
        now.minus(Duration.ofMinutes(5)),
        now.plus(Duration.ofDays(1)));
  }

  private static X509Certificate sign(
      X500Name subject,
      KeyPair subjectKey,
      KeyPair issuerKey,
      X509Certificate issuer,
      boolean ca,
      GeneralNames sans,
      Instant notBefore,
      Instant notAfter)
      throws Exception {
    X500Name issuerName =
        issuer == null
            ? subject
            : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            issuerName,
            new BigInteger(64, new SecureRandom()),
            Date.from(notBefore),
            Date.from(notAfter),
            subject,
            subjectKey.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    b.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(
            ca
                ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    if (sans != null) {
      b.addExtension(Extension.subjectAlternativeName, false, sans);
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
  }

  static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }
}
