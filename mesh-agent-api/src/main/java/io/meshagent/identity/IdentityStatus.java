package io.meshagent.identity;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The agent's certificate as it stands, for health checks.
 *
 * @param provider the certificate provider, for example {@code istiod} or {@code dev}
 * @param spiffeId the identity the current certificate carries, or null before the first one
 * @param notBefore start of the current certificate's validity, or null
 * @param notAfter end of the current certificate's validity, or null
 * @param nextRotation when a new certificate will be requested, or null
 * @param lastError the last failure to obtain a certificate, or null
 * @param lastErrorAt when it happened, or null
 */
public record IdentityStatus(
    String provider,
    @Nullable SpiffeId spiffeId,
    @Nullable Instant notBefore,
    @Nullable Instant notAfter,
    @Nullable Instant nextRotation,
    @Nullable String lastError,
    @Nullable Instant lastErrorAt) {

  /** Whether a certificate is held and valid at {@code now}. */
  public boolean valid(Instant now) {
    return notBefore != null
        && notAfter != null
        && !now.isBefore(notBefore)
        && now.isBefore(notAfter);
  }
}
