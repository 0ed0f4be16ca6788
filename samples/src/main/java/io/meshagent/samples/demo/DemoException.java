package io.meshagent.samples.demo;

/**
 * The demo cannot run: a port is taken, a file or token is missing, the control plane is silent.
 */
final class DemoException extends Exception {
  private static final long serialVersionUID = 1L;

  DemoException(String message) {
    super(message);
  }
}
