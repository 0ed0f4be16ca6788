package io.meshagent.netty.internal.hbone;

/** An HBONE tunnel could not be opened: a non-200 answer, a reset, or a connection failure. */
public final class HboneException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int status;

  HboneException(String message, int status) {
    super(message);
    this.status = status;
  }

  HboneException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The HTTP status the server answered, or 0 if it did not answer. */
  public int status() {
    return status;
  }
}
