package io.meshagent.core.internal.identity.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.Pem;
import io.meshagent.core.testing.TestCertificates;
import io.meshagent.identity.SpiffeId;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCertificateAuthorityTest {
  private static final SpiffeId ID = SpiffeId.parse("spiffe://cluster.local/ns/default/sa/demo");

  @TempDir Path dir;

  @Test
  void createsAnEcRootOnFirstUseAndSignsEveryLeafWithIt() throws Exception {
    WorkloadCertificate first = issue();
    WorkloadCertificate second = issue();

    X509Certificate root = Pem.readCertificates(dir.resolve("root-cert.pem")).get(0);
    assertThat(root.getPublicKey().getAlgorithm()).isEqualTo("EC");
    first.chain().get(0).verify(root.getPublicKey());
    second.chain().get(0).verify(root.getPublicKey());
    assertThat(second.roots()).containsExactly(root);
  }

  @Test
  void signsWithAnRsaRootPutInTheDirectoryByHand() throws Exception {
    // Istio's samples/certs and ztunnel's test CA have RSA roots, their keys in PKCS#1 or PKCS#8.
    KeyPair rootKey = TestCertificates.rsaKeyPair();
    X509Certificate root = selfSigned(rootKey);
    Files.writeString(dir.resolve("root-cert.pem"), Pem.encodeCertificates(List.of(root)));
    Files.writeString(dir.resolve("root-key.pem"), traditional(rootKey));

    WorkloadCertificate issued = issue();

    X509Certificate leaf = issued.chain().get(0);
    leaf.verify(rootKey.getPublic());
    assertThat(leaf.getSigAlgName()).isEqualToIgnoringCase("SHA256withRSA");
    assertThat(leaf.getSubjectAlternativeNames())
        .containsExactly(List.of(6, "spiffe://cluster.local/ns/default/sa/demo"));
    assertThat(issued.roots()).containsExactly(root);
  }

  private WorkloadCertificate issue() throws Exception {
    return new DevCertificateAuthority(
            dir, ID, Duration.ofHours(1), Runnable::run, Clock.systemUTC())
        .issue(TestCertificates.ecKeyPair())
        .get(20, TimeUnit.SECONDS);
  }

  private static X509Certificate selfSigned(KeyPair key) throws Exception {
    X500Name name = new X500Name("O=cluster.local");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.ONE,
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(Duration.ofDays(1))),
            name,
            key.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())));
  }

  private static String traditional(KeyPair key) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(key.getPrivate()); // PKCS#1 "RSA PRIVATE KEY", as openssl genrsa -traditional
    }
    return out.toString();
  }
}
