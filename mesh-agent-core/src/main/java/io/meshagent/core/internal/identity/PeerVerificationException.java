package io.meshagent.core.internal.identity;

import java.security.cert.CertificateException;

/**
 * A peer's certificate was refused. The message says what is wrong and about whom (the peer's
 * SPIFFE id, or its subject when it has none).
 */
public final class PeerVerificationException extends CertificateException {
  private static final long serialVersionUID = 1L;

  public PeerVerificationException(String message) {
    super(message);
  }

  public PeerVerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
