package io.meshagent.core.internal.telemetry.metrics;

/** The {@code request_protocol} label of a request; connections are always {@code tcp}. */
public enum RequestProtocol {
  HTTP("http"),
  /** A request with a gRPC content type, whichever HTTP version carried it. */
  GRPC("grpc");

  private final String label;

  RequestProtocol(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }
}
