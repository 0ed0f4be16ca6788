package io.meshagent.core.identity;

import java.security.KeyPair;
import java.util.concurrent.CompletableFuture;

/**
 * Signs a certificate for a key pair on request (istiod's CA, the dev CA). The identity manager
 * calls it at start and at each rotation, retrying with backoff when the future fails.
 */
public interface CertificateIssuer extends AutoCloseable {

  /**
   * Requests a certificate for {@code keyPair}.
   *
   * @param keyPair the new key pair; the issuer builds and signs the CSR
   * @return completes with the certificate, or fails with a message naming the CA and the reason
   */
  CompletableFuture<WorkloadCertificate> issue(KeyPair keyPair);

  @Override
  void close();
}
