package io.meshagent.core.internal.identity;

import java.security.cert.CertificateException;
import org.jspecify.annotations.Nullable;

/**
 * A peer's certificate was refused. The message says what is wrong and about whom (the peer's
 * SPIFFE id, or its subject when it has none).
 */
public final class PeerVerificationException extends CertificateException {
  private static final long serialVersionUID = 1L;

  /**
   * What kind of refusal: the TLS layer tells the peer with the alert Envoy would send for it
   * (certificate_expired, bad_certificate, unknown_ca), so the peer's log says why.
   */
  public enum Kind {
    /** The certificate, or one in its chain, expired. */
    EXPIRED,
    /** The certificate, or one in its chain, is not valid yet. */
    NOT_YET_VALID,
    /** The chain does not reach the mesh roots. */
    UNKNOWN_CA,
    /** The certificate is well signed but not acceptable: its SPIFFE id, SAN or shape. */
    REJECTED
  }

  private final Kind kind;

  public PeerVerificationException(String message) {
    this(Kind.REJECTED, message, null);
  }

  public PeerVerificationException(String message, Throwable cause) {
    this(Kind.REJECTED, message, cause);
  }

  public PeerVerificationException(Kind kind, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
