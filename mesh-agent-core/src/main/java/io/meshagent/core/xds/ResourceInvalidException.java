package io.meshagent.core.xds;

/**
 * A resource could not be converted. The message names the field and the reason; the xDS client
 * adds the resource's type and name and sends it back to the control plane as the NACK's {@code
 * error_detail}.
 */
public final class ResourceInvalidException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message the field and the reason, for example {@code route[2].match.safe_regex: ...}
   */
  public ResourceInvalidException(String message) {
    super(message);
  }

  /**
   * @param message the field and the reason
   */
  public ResourceInvalidException(String message, Throwable cause) {
    super(message, cause);
  }
}
