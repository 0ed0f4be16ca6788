package io.meshagent.core.internal.identity.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshagent.core.identity.CertificateSource;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.identity.Pem;
import io.meshagent.core.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** istio-agent's output files, as a Kubernetes secret volume lays them out. */
class FileCertificateSourceTest {
  private static final String ID = "spiffe://cluster.local/ns/default/sa/reviews";

  @TempDir Path dir;
  private final List<WorkloadCertificate> certs = new CopyOnWriteArrayList<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private FileCertificateSource source;

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
  }

  private void start(Path certDir) {
    source = new FileCertificateSource(certDir, Duration.ofMillis(50));
    source.start(
        new CertificateSource.Listener() {
          @Override
          public void onCertificate(WorkloadCertificate certificate) {
            certs.add(certificate);
          }

          @Override
          public void onError(String message, Throwable cause) {
            errors.add(message);
          }
        });
  }

  private static void write(Path d, TestCertificates ca, TestCertificates.Issued leaf)
      throws Exception {
    Files.createDirectories(d);
    Files.writeString(
        d.resolve("cert-chain.pem"),
        Pem.encodeCertificates(List.of(leaf.certificate(), ca.root())));
    Files.writeString(d.resolve("key.pem"), Pem.encodePrivateKey(leaf.key().getPrivate()));
    Files.writeString(d.resolve("root-cert.pem"), Pem.encodeCertificates(List.of(ca.root())));
  }

  @Test
  void readsTheLayoutAndFollowsADataSymlinkSwap() throws Exception {
    TestCertificates ca = new TestCertificates();
    TestCertificates.Issued first = ca.issueWorkload(ID);
    write(dir.resolve("..2026_11_24_a"), ca, first);
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("..2026_11_24_a"));
    for (String f : List.of("cert-chain.pem", "key.pem", "root-cert.pem")) {
      Files.createSymbolicLink(dir.resolve(f), Path.of("..data", f));
    }
    start(dir);
    await().atMost(Duration.ofSeconds(10)).until(() -> certs.size() == 1);
    assertThat(certs.get(0).id()).hasToString(ID);
    assertThat(certs.get(0).chain()).containsExactly(first.certificate());
    assertThat(certs.get(0).roots()).containsExactly(ca.root());

    TestCertificates.Issued second = ca.issueWorkload(ID);
    write(dir.resolve("..2026_11_24_b"), ca, second);
    Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..2026_11_24_b"));
    Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    await().atMost(Duration.ofSeconds(10)).until(() -> certs.size() == 2);
    assertThat(certs.get(1).leaf()).isEqualTo(second.certificate());
    assertThat(errors).isEmpty();
  }

  @Test
  void aKeyThatDoesNotMatchIsRefused() throws Exception {
    TestCertificates ca = new TestCertificates();
    write(dir, ca, ca.issueWorkload(ID));
    Files.writeString(
        dir.resolve("key.pem"), Pem.encodePrivateKey(ca.issueWorkload(ID).key().getPrivate()));
    start(dir);
    await().atMost(Duration.ofSeconds(10)).until(() -> !errors.isEmpty());
    assertThat(errors.get(0)).contains("key.pem is not the key of the leaf certificate");
    assertThat(certs).isEmpty();
  }

  @Test
  void malformedPemIsRefusedNamingTheFile() throws Exception {
    TestCertificates ca = new TestCertificates();
    write(dir, ca, ca.issueWorkload(ID));
    Files.writeString(dir.resolve("cert-chain.pem"), "-----BEGIN CERTIFICATE-----\n@@@\n");
    start(dir);
    await().atMost(Duration.ofSeconds(10)).until(() -> !errors.isEmpty());
    assertThat(errors.get(0)).contains("cert-chain.pem");
    assertThat(certs).isEmpty();
  }

  @Test
  void missingFilesAreReported() {
    start(dir.resolve("absent"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !errors.isEmpty());
    assertThat(errors.get(0)).contains("cannot read the certificate files in").contains("absent");
  }
}
