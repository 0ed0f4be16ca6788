package io.meshagent.netty.internal.admin;

import io.meshagent.ControlPlaneStatus;
import io.meshagent.MeshAgent;
import io.meshagent.core.internal.identity.IdentityManager;
import io.meshagent.identity.IdentityStatus;
import org.jspecify.annotations.Nullable;

/**
 * Whether the agent is ready to serve, as Envoy's {@code /ready} and pilot-agent's {@code
 * /healthz/ready} decide: the initial configuration is complete (every subscription answered or
 * timed out) and, with an identity provider, a valid workload certificate is held. Volatile reads
 * only; safe on an event loop.
 */
final class Readiness {
  private final MeshAgent agent;
  private final @Nullable IdentityManager identity;

  Readiness(MeshAgent agent, @Nullable IdentityManager identity) {
    this.agent = agent;
    this.identity = identity;
  }

  /** Why the agent is not ready, or null when it is. */
  @Nullable String notReady() {
    StringBuilder why = new StringBuilder();
    if (!agent.snapshot().initialConfigComplete()) {
      ControlPlaneStatus s = agent.controlPlaneStatus();
      why.append("the initial configuration from ").append(s.source()).append(" is not complete");
      if (s.lastError() != null) {
        why.append(" (last error: ").append(s.lastError()).append(')');
      }
    }
    if (identity != null && identity.current() == null) {
      IdentityStatus s = identity.status();
      if (why.length() > 0) {
        why.append("; ");
      }
      why.append("no valid workload certificate from ").append(s.provider());
      if (s.lastError() != null) {
        why.append(" (last error: ").append(s.lastError()).append(')');
      }
    }
    return why.length() == 0 ? null : why.toString();
  }
}
