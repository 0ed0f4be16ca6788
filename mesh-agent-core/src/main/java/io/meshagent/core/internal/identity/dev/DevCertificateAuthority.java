package io.meshagent.core.internal.identity.dev;

import io.meshagent.core.identity.CertificateIssuer;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.KeyPairs;
import io.meshagent.core.internal.identity.Pem;
import io.meshagent.identity.KeyAlgorithm;
import io.meshagent.identity.SpiffeId;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A CA kept in a directory ({@code root-cert.pem}, {@code root-key.pem}), created on first use
 * under a file lock so that every agent on the machine — the demo's services, tests — shares one
 * mesh. It signs workload certificates locally, with the same shape istiod gives them: one SPIFFE
 * URI SAN, client and server usage, the requested lifetime.
 *
 * <p>For development only: the root key sits unencrypted on disk.
 */
public final class DevCertificateAuthority implements CertificateIssuer {
  static final String ROOT_CERT = "root-cert.pem";
  static final String ROOT_KEY = "root-key.pem";
  private static final Duration ROOT_LIFETIME = Duration.ofDays(3650);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final SpiffeId identity;
  private final Duration ttl;
  private final Executor io;
  private final Clock clock;

  /**
   * @param dir the CA's directory, created if needed
   * @param identity the identity certificates are issued for
   * @param ttl their lifetime
   * @param io where files are read and written (blocking I/O)
   */
  public DevCertificateAuthority(
      Path dir, SpiffeId identity, Duration ttl, Executor io, Clock clock) {
    this.dir = dir;
    this.identity = identity;
    this.ttl = ttl;
    this.io = io;
    this.clock = clock;
  }

  @Override
  public CompletableFuture<WorkloadCertificate> issue(KeyPair keyPair) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            Root root = loadOrCreateRoot();
            X509Certificate leaf = signLeaf(root, keyPair);
            return new WorkloadCertificate(
                identity,
                keyPair.getPrivate(),
                List.of(leaf),
                Map.of(identity.trustDomain(), List.of(root.certificate)));
          } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new java.util.concurrent.CompletionException(
                new IOException("the dev CA in " + dir + " cannot issue: " + e.getMessage(), e));
          }
        },
        io);
  }

  /** The CA's root, created if the directory has none. */
  X509Certificate root() throws IOException, GeneralSecurityException, OperatorCreationException {
    return loadOrCreateRoot().certificate;
  }

  private record Root(X509Certificate certificate, PrivateKey key) {}

  private Root loadOrCreateRoot()
      throws IOException, GeneralSecurityException, OperatorCreationException {
    // The file lock keeps other processes out; it throws rather than waits within one JVM, where
    // several agents (the demo's services) may share the directory, hence the monitor too.
    synchronized (DevCertificateAuthority.class) {
      return lockedLoadOrCreateRoot();
    }
  }

  private Root lockedLoadOrCreateRoot()
      throws IOException, GeneralSecurityException, OperatorCreationException {
    Files.createDirectories(dir);
    try (FileChannel lockFile =
            FileChannel.open(
                dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      assert lock.isValid();
      Path certFile = dir.resolve(ROOT_CERT);
      Path keyFile = dir.resolve(ROOT_KEY);
      if (Files.exists(certFile) && Files.exists(keyFile)) {
        return read(certFile, keyFile);
      }
      KeyPair key = KeyPairs.generate(KeyAlgorithm.EC_P256);
      X500Name name = new X500Name("O=mesh-agent dev CA,CN=" + identity.trustDomain());
      Instant now = clock.instant();
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              new BigInteger(96, RANDOM),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(ROOT_LIFETIME)),
              name,
              key.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
      writeAtomically(keyFile, pemKey(key.getPrivate()));
      writeAtomically(certFile, pem(cert));
      return new Root(cert, key.getPrivate());
    }
  }

  private X509Certificate signLeaf(Root root, KeyPair keyPair)
      throws CertIOException, OperatorCreationException, GeneralSecurityException {
    Instant now = clock.instant();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            root.certificate,
            new BigInteger(96, RANDOM),
            Date.from(now.minus(Duration.ofMinutes(1))),
            Date.from(now.plus(ttl)),
            new X500Name(""),
            keyPair.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    b.addExtension(
        Extension.extendedKeyUsage,
        false,
        new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(
        Extension.subjectAlternativeName,
        true,
        new GeneralNames(
            new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString())));
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder(signatureFor(root.key)).build(root.key)));
  }

  // A root put in the directory by hand may be RSA: Istio's own samples/certs and ztunnel's test
  // CA are. Sign with what the root's key can sign.
  private static String signatureFor(PrivateKey key) throws GeneralSecurityException {
    return switch (key.getAlgorithm()) {
      case "EC", "ECDSA" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default ->
          throw new GeneralSecurityException(
              "the root key is " + key.getAlgorithm() + "; only EC and RSA roots can sign");
    };
  }

  private static Root read(Path certFile, Path keyFile)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> certs = Pem.readCertificates(certFile);
    if (certs.isEmpty()) {
      throw new GeneralSecurityException(certFile + " holds no certificate");
    }
    return new Root(certs.get(0), Pem.readPrivateKey(keyFile));
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    return w.toString();
  }

  private static String pemKey(PrivateKey key) {
    String b64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
  }

  @Override
  public void close() {}
}
