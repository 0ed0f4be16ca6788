package io.meshagent;

/** Which of istiod's generators configures the agent. */
public enum ProxyProfile {
  /** The node presents as a sidecar and receives the full Envoy sidecar configuration. */
  SIDECAR,
  /** {@code GENERATOR=grpc}: istiod's proxyless-gRPC configuration. */
  GRPC
}
