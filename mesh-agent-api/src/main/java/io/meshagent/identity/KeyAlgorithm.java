package io.meshagent.identity;

/** The workload key type. */
public enum KeyAlgorithm {
  /** ECDSA on P-256: fast handshakes; the default. */
  EC_P256,
  /** RSA 2048, istio-agent's default outside {@code ECC_SIGNATURE_ALGORITHM=ECDSA}. */
  RSA_2048
}
