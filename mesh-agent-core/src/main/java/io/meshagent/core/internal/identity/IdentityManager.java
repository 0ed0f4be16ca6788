package io.meshagent.core.internal.identity;

import static java.util.Objects.requireNonNull;

import io.meshagent.Subscription;
import io.meshagent.core.identity.CertificateIssuer;
import io.meshagent.core.identity.CertificateSource;
import io.meshagent.core.identity.WorkloadCertificate;
import io.meshagent.core.internal.retry.Backoff;
import io.meshagent.identity.IdentityStatus;
import io.meshagent.identity.KeyAlgorithm;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the workload certificate and keeps it fresh. With an issuer (istiod, dev CA) it requests a
 * certificate at start and again after {@code 1 - ratio ± jitter} of each certificate's lifetime
 * (istio-agent's grace-period rule: 50 % ± 1 % by default); when the CA fails it retries with
 * capped backoff while the current certificate keeps serving until it expires. With a source
 * (SPIRE, files) it takes whatever the source delivers.
 *
 * <p>State changes on the serial executor; the certificate is published through a volatile, and
 * listeners are told on their own executors. Live connections are never touched: a rotation only
 * changes what new handshakes present.
 */
public final class IdentityManager implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IdentityManager.class);

  private final String provider;
  private final @Nullable CertificateIssuer issuer;
  private final @Nullable CertificateSource source;
  private final String trustDomain;
  private final KeyAlgorithm keyAlgorithm;
  private final Executor serial;
  private final Executor keyWorker;
  private final TimeSource time;
  private final DoubleSupplier random;
  private final double ratio;
  private final double jitter;
  private final Backoff retries;
  private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<WorkloadCertificate> first = new CompletableFuture<>();

  private volatile @Nullable WorkloadCertificate current;
  private volatile @Nullable Instant acceptedAt;
  private volatile IdentityStatus status;
  private TimeSource.@Nullable Cancellable timer;
  private boolean closed;
  private long generation;

  /**
   * @param issuer signs certificates on request, or null when {@code source} pushes them
   * @param source pushes certificates, or null when {@code issuer} is used
   * @param keyWorker where key pairs are generated (CPU work kept off the serial executor)
   * @param random jitter source in [0, 1)
   */
  public IdentityManager(
      String provider,
      @Nullable CertificateIssuer issuer,
      @Nullable CertificateSource source,
      String trustDomain,
      KeyAlgorithm keyAlgorithm,
      double ratio,
      double jitter,
      Duration retryInitial,
      Duration retryMax,
      Executor serial,
      Executor keyWorker,
      TimeSource time,
      DoubleSupplier random) {
    if ((issuer == null) == (source == null)) {
      throw new IllegalArgumentException("exactly one of issuer and source is needed");
    }
    this.provider = requireNonNull(provider, "provider");
    this.issuer = issuer;
    this.source = source;
    this.trustDomain = trustDomain;
    this.keyAlgorithm = keyAlgorithm;
    this.ratio = ratio;
    this.jitter = jitter;
    this.retries = new Backoff(retryInitial, retryMax, random);
    this.serial = serial;
    this.keyWorker = keyWorker;
    this.time = time;
    this.random = random;
    this.status = new IdentityStatus(provider, null, null, null, null, null, null);
  }

  /** Starts obtaining certificates; returns at once. */
  public void start() {
    if (source != null) {
      source.start(
          new CertificateSource.Listener() {
            @Override
            public void onCertificate(WorkloadCertificate certificate) {
              serial.execute(() -> accept(certificate, "delivered by " + provider));
            }

            @Override
            public void onError(String message, Throwable cause) {
              serial.execute(() -> failed(message, cause, false));
            }
          });
    } else {
      serial.execute(this::request);
    }
  }

  /**
   * The certificate to present, or null when none is held or it has expired: a handshake without a
   * valid certificate must fail rather than present an expired one.
   */
  public @Nullable WorkloadCertificate current() {
    WorkloadCertificate c = current;
    return c != null && time.now().isBefore(c.notAfter()) ? c : null;
  }

  /**
   * When the latest certificate was accepted (the admin secrets dump's {@code last_updated}), or
   * null before the first.
   */
  public @Nullable Instant acceptedAt() {
    return acceptedAt;
  }

  /** Completes with the first certificate. */
  public CompletableFuture<WorkloadCertificate> first() {
    return first;
  }

  /** Expiry, next rotation and the last error, for health checks. */
  public IdentityStatus status() {
    return status;
  }

  /**
   * Tells {@code listener}, on {@code executor}, of every new certificate, starting with the
   * current one.
   */
  public Subscription subscribe(Executor executor, Consumer<WorkloadCertificate> listener) {
    Listener l = new Listener(executor, listener);
    listeners.add(l);
    WorkloadCertificate c = current;
    if (c != null) {
      l.tell(c);
    }
    return () -> listeners.remove(l);
  }

  private void request() {
    if (closed) {
      return;
    }
    long gen = ++generation;
    CertificateIssuer iss = requireNonNull(issuer);
    CompletableFuture.supplyAsync(() -> KeyPairs.generate(keyAlgorithm), keyWorker)
        // Async on the worker: the CSR is signed here too (CPU, and SecureRandom reads a device).
        .thenComposeAsync((KeyPair kp) -> iss.issue(kp), keyWorker)
        .whenComplete(
            (cert, error) ->
                serial.execute(
                    () -> {
                      if (gen != generation || closed) {
                        return;
                      }
                      if (error != null) {
                        Throwable cause =
                            error instanceof java.util.concurrent.CompletionException
                                    && error.getCause() != null
                                ? error.getCause()
                                : error;
                        failed(
                            "obtaining a certificate from "
                                + provider
                                + " failed: "
                                + cause.getMessage(),
                            cause,
                            true);
                      } else {
                        accept(cert, "issued by " + provider);
                      }
                    }));
  }

  private void accept(WorkloadCertificate cert, String how) {
    if (closed) {
      return;
    }
    Instant now = time.now();
    String problem = null;
    if (!cert.id().trustDomain().equals(trustDomain)) {
      problem =
          "the certificate for "
              + cert.id()
              + " has trust domain "
              + cert.id().trustDomain()
              + "; the mesh's is "
              + trustDomain;
    } else if (!now.isBefore(cert.notAfter())) {
      problem = "the certificate for " + cert.id() + " expired at " + cert.notAfter();
    } else if (cert.roots().isEmpty()) {
      problem =
          "no roots came with the certificate for "
              + cert.id()
              + " (trust domain "
              + trustDomain
              + ")";
    }
    if (problem != null) {
      failed(problem, new IllegalArgumentException(problem), issuer != null);
      return;
    }
    acceptedAt = now;
    current = cert;
    retries.reset();
    Instant next = null;
    if (issuer != null) {
      Duration lifetime = Duration.between(cert.notBefore(), cert.notAfter());
      double fraction = (1 - ratio) + jitter * (2 * random.getAsDouble() - 1);
      next = cert.notBefore().plusMillis((long) (lifetime.toMillis() * fraction));
      if (next.isBefore(now)) {
        // A CA backdates notBefore for clock skew (the dev CA by a minute): with a short lifetime
        // the rotation point would already be past and every new certificate would be renewed at
        // once, in a loop. Count the fraction over what is left instead.
        next =
            now.plusMillis((long) (Duration.between(now, cert.notAfter()).toMillis() * fraction));
      }
      Duration delay = Duration.between(now, next);
      schedule(delay.isNegative() ? Duration.ZERO : delay);
    }
    status =
        new IdentityStatus(
            provider,
            cert.id(),
            cert.notBefore(),
            cert.notAfter(),
            next,
            status.lastError(),
            status.lastErrorAt());
    log.info(
        "workload certificate for {} {}, valid until {}{}",
        cert.id(),
        how,
        cert.notAfter(),
        next != null ? ", rotating at " + next : "");
    for (Listener l : listeners) {
      l.tell(cert);
    }
    first.complete(cert);
  }

  private void failed(String message, Throwable cause, boolean retry) {
    if (closed) {
      return;
    }
    Instant now = time.now();
    WorkloadCertificate c = current;
    Instant next = null;
    if (retry) {
      Duration delay = retries.next();
      next = now.plus(delay);
      schedule(delay);
    }
    status =
        new IdentityStatus(
            provider,
            c != null ? c.id() : null,
            c != null ? c.notBefore() : null,
            c != null ? c.notAfter() : null,
            next,
            message,
            now);
    // One line per failure naming the innermost cause (retries repeat it); the trace at debug.
    String why = rootCause(cause);
    if (c != null && now.isBefore(c.notAfter())) {
      log.warn(
          "{} ({}); the certificate for {} keeps serving until {}; retrying in {}",
          message,
          why,
          c.id(),
          c.notAfter(),
          next);
    } else {
      log.warn(
          "{} ({}); no valid workload certificate: mTLS is unavailable until one arrives; retrying"
              + " at {}",
          message,
          why,
          next);
    }
    log.debug("certificate request failure", cause);
  }

  private static String rootCause(@Nullable Throwable t) {
    String why = t == null ? "no detail" : t.toString();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      why = c.getMessage() != null ? c.getClass().getSimpleName() + ": " + c.getMessage() : why;
    }
    return why;
  }

  private void schedule(Duration delay) {
    if (timer != null) {
      timer.cancel();
    }
    timer = time.schedule(this::request, delay);
  }

  @Override
  public void close() {
    serial.execute(
        () -> {
          closed = true;
          if (timer != null) {
            timer.cancel();
          }
        });
    if (source != null) {
      source.close();
    }
    if (issuer != null) {
      issuer.close();
    }
  }

  /** One subscriber: delivers the newest certificate, in order, on its executor. */
  private static final class Listener {
    private final Executor executor;
    private final Consumer<WorkloadCertificate> consumer;

    Listener(Executor executor, Consumer<WorkloadCertificate> consumer) {
      this.executor = executor;
      this.consumer = consumer;
    }

    void tell(WorkloadCertificate c) {
      executor.execute(
          () -> {
            try {
              consumer.accept(c);
            } catch (RuntimeException e) {
              log.warn("certificate listener threw; it stays subscribed", e);
            }
          });
    }
  }
}
