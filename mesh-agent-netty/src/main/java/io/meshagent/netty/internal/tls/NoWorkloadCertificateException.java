package io.meshagent.netty.internal.tls;

import org.jspecify.annotations.Nullable;

/** mTLS cannot be offered: the agent holds no valid workload certificate. */
public final class NoWorkloadCertificateException extends Exception {
  private static final long serialVersionUID = 1L;

  public NoWorkloadCertificateException(@Nullable String lastError) {
    super(
        "no valid workload certificate"
            + (lastError != null ? " (last error: " + lastError + ")" : "")
            + "; refusing mTLS rather than presenting none");
  }
}
