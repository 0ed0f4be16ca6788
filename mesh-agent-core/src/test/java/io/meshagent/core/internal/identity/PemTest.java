package io.meshagent.core.internal.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshagent.core.testing.TestCertificates;
import io.meshagent.core.testing.TestCertificates.Issued;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
  private static final String ORIGIN = "the CA response";

  private static TestCertificates ca;
  private static TestCertificates intermediate;
  private static Issued leaf;

  @BeforeAll
  static void setUp() throws Exception {
    ca = new TestCertificates();
    intermediate = ca.intermediate("intermediate");
    leaf = intermediate.issueWorkload("spiffe://cluster.local/ns/a/sa/b");
  }

  @Test
  void certificatesRoundTripInOrder() throws Exception {
    List<X509Certificate> chain = List.of(leaf.certificate(), intermediate.ca(), ca.root());

    String pem = Pem.encodeCertificates(chain);

    assertThat(pem)
        .startsWith("-----BEGIN CERTIFICATE-----\n")
        .endsWith("-----END CERTIFICATE-----\n");
    assertThat(pem.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(64));
    assertThat(Pem.readCertificates(pem, ORIGIN)).containsExactlyElementsOf(chain);
  }

  @Test
  void readsCertificatesAmongOtherBlocksAndText() throws Exception {
    String pem =
        "leaf, as openssl prints it\n"
            + Pem.encodeCertificates(List.of(leaf.certificate()))
            + Pem.encodePrivateKey(leaf.key().getPrivate())
            + Pem.encodeCertificates(List.of(ca.root()));

    assertThat(Pem.readCertificates(pem, ORIGIN)).containsExactly(leaf.certificate(), ca.root());
  }

  @Test
  void readsCertificatesFromFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
    Path file = ca.writeRoot(dir.resolve("root-cert.pem"));
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");

    assertThat(Pem.readCertificates(file)).containsExactly(ca.root());
    assertThatThrownBy(() -> Pem.readCertificates(empty))
        .isInstanceOf(CertificateException.class)
        .hasMessage("no certificate in " + empty);
  }

  @Test
  void refusesTextWithoutCertificate() throws Exception {
    String keyOnly = Pem.encodePrivateKey(leaf.key().getPrivate());

    assertThatThrownBy(() -> Pem.readCertificates(keyOnly, ORIGIN))
        .isInstanceOf(CertificateException.class)
        .hasMessage("no certificate in the CA response");
  }

  @Test
  void refusesBadBase64() {
    String pem = "-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n";

    assertThatThrownBy(() -> Pem.readCertificates(pem, ORIGIN))
        .isInstanceOf(CertificateException.class)
        .hasMessageStartingWith("malformed PEM in the CA response: ");
  }

  @Test
  void refusesMissingEndLine() throws Exception {
    String pem =
        Pem.encodeCertificates(List.of(ca.root())).replace("-----END CERTIFICATE-----\n", "");

    assertThatThrownBy(() -> Pem.readCertificates(pem, ORIGIN))
        .isInstanceOf(CertificateException.class)
        .hasMessageStartingWith("malformed PEM in the CA response: ")
        .hasMessageContaining("END CERTIFICATE");
  }

  @Test
  void refusesBlockThatIsNotDer() {
    String pem = "-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n";

    assertThatThrownBy(() -> Pem.readCertificates(pem, ORIGIN))
        .isInstanceOf(CertificateException.class)
        .hasMessageStartingWith("malformed PEM in the CA response: ");
  }

  @Test
  void readsPkcs8EcKey() throws Exception {
    String pem = Pem.encodePrivateKey(leaf.key().getPrivate());

    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n");
    PrivateKey key = Pem.readPrivateKey(pem, ORIGIN);
    assertThat(key.getEncoded()).isEqualTo(leaf.key().getPrivate().getEncoded());
    assertSignsFor(key, leaf.key());
  }

  @Test
  void readsPkcs8RsaKey() throws Exception {
    KeyPair rsa = TestCertificates.rsaKeyPair();

    PrivateKey key = Pem.readPrivateKey(Pem.encodePrivateKey(rsa.getPrivate()), ORIGIN);

    assertThat(key.getAlgorithm()).isEqualTo("RSA");
    assertSignsFor(key, rsa);
  }

  @Test
  void readsSec1EcKey() throws Exception {
    // As OpenSSL writes it: the named curve and the public key inside the SEC1 structure.
    SubjectPublicKeyInfo spki =
        SubjectPublicKeyInfo.getInstance(leaf.key().getPublic().getEncoded());
    org.bouncycastle.asn1.sec.ECPrivateKey sec1 =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
            256,
            ((ECPrivateKey) leaf.key().getPrivate()).getS(),
            spki.getPublicKeyData(),
            spki.getAlgorithm().getParameters());
    String pem = block("EC PRIVATE KEY", sec1.getEncoded());

    PrivateKey key = Pem.readPrivateKey(pem, ORIGIN);

    assertThat(key.getAlgorithm()).isIn("EC", "ECDSA");
    assertSignsFor(key, leaf.key());
  }

  @Test
  void readsSec1EcKeyWrittenByOpenssl() throws Exception {
    // openssl ecparam -name prime256v1 -genkey -noout
    String pem =
        "-----BEGIN EC PRIVATE KEY-----\n"
            + "MHcCAQEEIDMCzjRAUHL60s8X7V+gC25UecdOd9v8fCh+sq2x5jQYoAoGCCqGSM49\n"
            + "AwEHoUQDQgAEs2sdjnBYnLSlIO7Na/z9QcycPKrcDzgNSVrK9NvFRhRmFBRFpW4c\n"
            + "FvMIHPk/9GsjxPNDzze0WrLHYf76vrcS1g==\n"
            + "-----END EC PRIVATE KEY-----\n";

    PrivateKey key = Pem.readPrivateKey(pem, ORIGIN);

    assertThat(((ECPrivateKey) key).getS())
        .isEqualTo(
            new BigInteger("3302ce34405072fad2cf17ed5fa00b6e5479c74e77dbfc7c287eb2adb1e63418", 16));
  }

  @Test
  void readsPkcs1RsaKey() throws Exception {
    KeyPair rsa = TestCertificates.rsaKeyPair();
    String pem = traditional(rsa.getPrivate());

    assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    PrivateKey key = Pem.readPrivateKey(pem, ORIGIN);
    assertThat(key.getAlgorithm()).isEqualTo("RSA");
    assertSignsFor(key, rsa);
  }

  @Test
  void readsKeyFromFileBesideCertificate(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("key.pem"),
            Pem.encodeCertificates(List.of(leaf.certificate()))
                + Pem.encodePrivateKey(leaf.key().getPrivate()));

    assertSignsFor(Pem.readPrivateKey(file), leaf.key());
  }

  @Test
  void refusesTextWithoutPrivateKey(@TempDir Path dir) throws Exception {
    Path file = ca.writeRoot(dir.resolve("root-cert.pem"));

    assertThatThrownBy(() -> Pem.readPrivateKey(file))
        .isInstanceOf(KeyException.class)
        .hasMessage("no private key in " + file);
  }

  @Test
  void refusesTwoPrivateKeys() {
    String pem =
        Pem.encodePrivateKey(leaf.key().getPrivate())
            + Pem.encodePrivateKey(leaf.key().getPrivate());

    assertThatThrownBy(() -> Pem.readPrivateKey(pem, ORIGIN))
        .isInstanceOf(KeyException.class)
        .hasMessage("more than one private key in the CA response");
  }

  @Test
  void refusesEncryptedPkcs8PrivateKey() throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(
          new JcaPKCS8Generator(
              leaf.key().getPrivate(),
              new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                  .setProvider(new BouncyCastleProvider())
                  .setPassword("secret".toCharArray())
                  .build()));
    }

    assertThat(out.toString()).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThatThrownBy(() -> Pem.readPrivateKey(out.toString(), ORIGIN))
        .isInstanceOf(KeyException.class)
        .hasMessage(
            "encrypted private key in the CA response; only unencrypted keys are supported");
  }

  @Test
  void refusesEncryptedTraditionalPrivateKey() throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(
          leaf.key().getPrivate(),
          new JcePEMEncryptorBuilder("AES-128-CBC")
              .setProvider(new BouncyCastleProvider())
              .build("secret".toCharArray()));
    }

    assertThat(out.toString()).contains("Proc-Type: 4,ENCRYPTED");
    assertThatThrownBy(() -> Pem.readPrivateKey(out.toString(), ORIGIN))
        .isInstanceOf(KeyException.class)
        .hasMessage(
            "encrypted private key in the CA response; only unencrypted keys are supported");
  }

  @Test
  void refusesMalformedPrivateKey() {
    String pem = "-----BEGIN PRIVATE KEY-----\nAAECAwQF\n-----END PRIVATE KEY-----\n";

    assertThatThrownBy(() -> Pem.readPrivateKey(pem, ORIGIN))
        .isInstanceOf(KeyException.class)
        .hasMessageStartingWith("malformed PEM in the CA response: ");
  }

  private static String traditional(PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(key); // OpenSSL's traditional form: SEC1 for EC, PKCS#1 for RSA
    }
    return out.toString();
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static void assertSignsFor(PrivateKey key, KeyPair expected) throws Exception {
    String algorithm =
        expected.getPublic().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    byte[] data = "mesh".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(expected.getPublic());
    verifier.update(data);
    assertThat(verifier.verify(signature)).isTrue();
  }
}
