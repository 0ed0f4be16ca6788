package io.meshagent.identity;

/** Where the agent's SPIFFE certificate comes from. */
public enum IdentityProvider {
  /** istiod's CA: {@code IstioCertificateService/CreateCertificate} over TLS (port 15012). */
  ISTIOD,
  /** SPIRE: the SPIFFE Workload API on the unix socket in {@code SPIFFE_ENDPOINT_SOCKET}. */
  SPIRE,
  /** istio-agent's output files: {@code cert-chain.pem}, {@code key.pem}, {@code root-cert.pem}. */
  FILES,
  /** A local CA kept in a directory, shared by the agents of one machine; demos and tests. */
  DEV,
  /** No workload identity: plaintext only. */
  NONE
}
