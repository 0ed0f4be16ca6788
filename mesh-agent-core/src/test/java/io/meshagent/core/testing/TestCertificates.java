package io.meshagent.core.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
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

/**
 * A throwaway CA (a root, or an intermediate under one) and certificates it signs, written as PEM
 * files, for TLS tests.
 */
public final class TestCertificates {
  private final KeyPair caKey;
  private final X509Certificate caCert;
  private final X509Certificate rootCert;
  // This CA's certificate and those above it, excluding the root: what a leaf's chain carries.
  private final List<X509Certificate> intermediates;

  public TestCertificates() throws Exception {
    this("test root");
  }

  /**
   * A root CA named {@code O=mesh-agent tests,CN=<commonName>}. Two roots with the same name and
   * different keys test signature checks; different names test unknown issuers.
   */
  public TestCertificates(String commonName) throws Exception {
    caKey = ecKeyPair();
    caCert =
        sign(new X500Name("O=mesh-agent tests,CN=" + commonName), caKey, caKey, null, true, null);
    rootCert = caCert;
    intermediates = List.of();
  }

  private TestCertificates(
      KeyPair caKey,
      X509Certificate caCert,
      X509Certificate rootCert,
      List<X509Certificate> above) {
    this.caKey = caKey;
    this.caCert = caCert;
    this.rootCert = rootCert;
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(caCert);
    chain.addAll(above);
    this.intermediates = List.copyOf(chain);
  }

  /** An intermediate CA signed by this CA, valid for a day. */
  public TestCertificates intermediate(String commonName) throws Exception {
    Instant now = Instant.now();
    return intermediate(commonName, now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(1)));
  }

  /** An intermediate CA signed by this CA, valid from {@code notBefore} to {@code notAfter}. */
  public TestCertificates intermediate(String commonName, Instant notBefore, Instant notAfter)
      throws Exception {
    KeyPair key = ecKeyPair();
    X509Certificate cert =
        sign(
            new X500Name("O=mesh-agent tests,CN=" + commonName),
            key,
            caKey,
            caCert,
            true,
            null,
            notBefore,
            notAfter);
    return new TestCertificates(key, cert, rootCert, intermediates);
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
    return issueWorkload(ecKeyPair(), notBefore, notAfter, uris);
  }

  /** Like {@link #issueWorkload(Instant, Instant, String...)}, for the given key (RSA, say). */
  public Issued issueWorkload(KeyPair key, Instant notBefore, Instant notAfter, String... uris)
      throws Exception {
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

  /** The root CA's certificate (this CA's, unless it is an intermediate). */
  public X509Certificate root() {
    return rootCert;
  }

  /** This CA's certificate. */
  public X509Certificate ca() {
    return caCert;
  }

  /** The chain a peer presents: {@code issued}'s certificate, then the intermediates, no root. */
  public List<X509Certificate> chainOf(Issued issued) {
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(issued.certificate());
    chain.addAll(intermediates);
    return chain;
  }

  /** Key managers that present {@code issued} with {@link #chainOf(Issued)}. */
  public KeyManager[] keyManagers(Issued issued) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test".toCharArray();
    store.setKeyEntry(
        "workload",
        issued.key().getPrivate(),
        password,
        chainOf(issued).toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, password);
    return kmf.getKeyManagers();
  }

  /** The CA's key pair, for tests that sign with it. */
  public KeyPair rootKey() {
    return caKey;
  }

  /** Writes the root CA certificate as PEM. */
  public Path writeRoot(Path file) throws IOException {
    return Files.writeString(file, pem(rootCert));
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

  /** A fresh ECDSA P-256 key pair. */
  public static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return g.generateKeyPair();
  }

  /** A fresh RSA 2048 key pair. */
  public static KeyPair rsaKeyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048, new SecureRandom());
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
