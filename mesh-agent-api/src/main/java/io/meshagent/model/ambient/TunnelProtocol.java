package io.meshagent.model.ambient;

/** How a workload accepts mesh traffic (istio.workload.TunnelProtocol). */
public enum TunnelProtocol {
  NONE,
  HBONE,
  LEGACY_ISTIO_MTLS
}
