package io.meshagent.core.internal.agent;

import io.meshagent.MeshAgent;
import io.meshagent.core.internal.config.ControlContext;
import io.meshagent.core.internal.config.RawSnapshot;
import io.meshagent.core.internal.identity.IdentityManager;
import org.jspecify.annotations.Nullable;

/** What the data plane (mesh-agent-netty) needs from an agent beyond the public API. */
public final class AgentInternals {
  private AgentInternals() {}

  /**
   * The agent's identity manager, or null when it has no identity provider.
   *
   * @throws IllegalArgumentException if {@code agent} is not mesh-agent-core's implementation
   */
  public static @Nullable IdentityManager identity(MeshAgent agent) {
    return core(agent).identityManager();
  }

  /**
   * The agent's control context: the serial executor where control state changes.
   *
   * @throws IllegalArgumentException if {@code agent} is not mesh-agent-core's implementation
   */
  public static ControlContext control(MeshAgent agent) {
    return core(agent).controlContext();
  }

  /**
   * The xDS node the agent presents (istiod's view of the workload: metadata, labels, locality).
   *
   * @throws IllegalArgumentException if {@code agent} is not mesh-agent-core's implementation
   */
  public static io.envoyproxy.envoy.config.core.v3.Node node(MeshAgent agent) {
    return core(agent).node();
  }

  /**
   * The agent's last snapshot with its resources as the control plane sent them (for the admin
   * config dump); a volatile read.
   *
   * @throws IllegalArgumentException if {@code agent} is not mesh-agent-core's implementation
   */
  public static RawSnapshot rawSnapshot(MeshAgent agent) {
    return core(agent).rawSnapshot();
  }

  private static CoreMeshAgent core(MeshAgent agent) {
    if (agent instanceof CoreMeshAgent core) {
      return core;
    }
    throw new IllegalArgumentException(
        "not a mesh-agent-core agent: " + agent.getClass().getName());
  }
}
