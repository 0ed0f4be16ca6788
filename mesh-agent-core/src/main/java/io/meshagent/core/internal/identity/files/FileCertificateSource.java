package io.meshagent.core.internal.identity.files;

import io.meshagent.core.identity.CertificateSource;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.config.DaemonThreads;
import io.meshagent.core.internal.file.FileStamp;
import io.meshagent.core.internal.identity.Certificates;
import io.meshagent.core.internal.identity.Pem;
import io.meshagent.identity.SpiffeId;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Certificates from files in istio-agent's output layout — {@code cert-chain.pem} (leaf first),
 * {@code key.pem}, {@code root-cert.pem} — re-read whenever any of them changes, Kubernetes' atomic
 * {@code ..data} symlink swaps included. A set of files that does not make a usable certificate
 * (unreadable, malformed, key not matching the leaf) is reported and skipped.
 */
public final class FileCertificateSource implements CertificateSource {
  static final String CHAIN = "cert-chain.pem";
  static final String KEY = "key.pem";
  static final String ROOTS = "root-cert.pem";

  private final Path dir;
  private final Duration pollInterval;
  private final ScheduledExecutorService watcher;
  private @Nullable List<FileStamp> lastStamps;
  private @Nullable String lastError;
  private @Nullable Listener listener;

  public FileCertificateSource(Path dir, Duration pollInterval) {
    this.dir = dir;
    this.pollInterval = pollInterval;
    this.watcher =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("mesh-agent-cert-files"));
  }

  @Override
  public void start(Listener listener) {
    this.listener = listener;
    watcher.scheduleWithFixedDelay(this::poll, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs on the watcher thread. */
  private void poll() {
    Listener l = listener;
    if (l == null) {
      return;
    }
    List<FileStamp> stamps = new ArrayList<>(3);
    try {
      for (String name : List.of(CHAIN, KEY, ROOTS)) {
        stamps.add(FileStamp.of(dir.resolve(name)));
      }
    } catch (Exception e) {
      report(l, "cannot read the certificate files in " + dir + ": " + e, e);
      return;
    }
    if (stamps.equals(lastStamps)) {
      return;
    }
    lastStamps = stamps;
    try {
      l.onCertificate(read());
      lastError = null;
    } catch (Exception e) {
      report(l, e.getMessage(), e);
    }
  }

  private void report(Listener l, String message, Exception e) {
    if (!message.equals(lastError)) {
      lastError = message;
      l.onError(message, e);
    }
  }

  WorkloadCertificate read() throws Exception {
    List<X509Certificate> chain = Pem.readCertificates(dir.resolve(CHAIN));
    PrivateKey key = Pem.readPrivateKey(dir.resolve(KEY));
    List<X509Certificate> roots = Pem.readCertificates(dir.resolve(ROOTS));
    X509Certificate leaf = chain.get(0);
    if (!Certificates.keyMatches(leaf, key)) {
      throw new java.security.KeyException(
          dir.resolve(KEY) + " is not the key of the leaf certificate in " + dir.resolve(CHAIN));
    }
    SpiffeId id = Certificates.spiffeId(leaf, "the leaf certificate in " + dir.resolve(CHAIN));
    List<X509Certificate> withoutRoots = new ArrayList<>(chain);
    // istio-agent's cert-chain.pem may end with the root; the chain presented in TLS omits it.
    while (withoutRoots.size() > 1 && roots.contains(withoutRoots.get(withoutRoots.size() - 1))) {
      withoutRoots.remove(withoutRoots.size() - 1);
    }
    return new WorkloadCertificate(id, key, withoutRoots, Map.of(id.trustDomain(), roots));
  }

  @Override
  public void close() {
    watcher.shutdownNow();
  }
}
