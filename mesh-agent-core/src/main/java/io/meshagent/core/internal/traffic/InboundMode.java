package io.meshagent.core.internal.traffic;

/**
 * PeerAuthentication's mTLS modes, for a port that istiod's configuration does not cover (no
 * inbound listener received yet, or a file source without one). With an inbound listener the filter
 * chains alone decide, as in Envoy.
 */
public enum InboundMode {
  /** mTLS only. */
  STRICT,
  /** mTLS and plaintext on the same port, told apart by the first bytes. */
  PERMISSIVE,
  /** Plaintext only. */
  DISABLE
}
