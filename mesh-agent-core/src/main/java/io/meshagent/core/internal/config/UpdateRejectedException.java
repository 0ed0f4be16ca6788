package io.meshagent.core.internal.config;

/**
 * An update was refused as a whole; the message lists every invalid resource by type and name with
 * the field and the reason, and becomes the NACK's {@code error_detail}.
 */
public final class UpdateRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message every invalid resource with its reason
   */
  public UpdateRejectedException(String message) {
    super(message);
  }
}
