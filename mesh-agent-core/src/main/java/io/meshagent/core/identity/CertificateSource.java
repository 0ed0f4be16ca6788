package io.meshagent.core.identity;

/**
 * Delivers the workload certificate, once and then on every rotation. Push-based providers (SPIRE,
 * files) deliver when their source changes; pull-based ones (istiod, dev CA) are driven by the
 * identity manager's rotation schedule through {@link CertificateIssuer} instead.
 */
public interface CertificateSource extends AutoCloseable {

  /** Starts delivering to {@code listener}; returns at once. Callbacks may come on any thread. */
  void start(Listener listener);

  /** Stops delivering. Idempotent. */
  @Override
  void close();

  /** Receives certificates and failures. */
  interface Listener {
    /** A new certificate, already checked to be well-formed. */
    void onCertificate(WorkloadCertificate certificate);

    /**
     * Obtaining or reading a certificate failed; the current one (if any) stays in use.
     *
     * @param message what failed, where, and why
     */
    void onError(String message, Throwable cause);
  }
}
