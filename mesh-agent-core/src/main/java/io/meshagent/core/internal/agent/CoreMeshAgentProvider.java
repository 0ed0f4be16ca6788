package io.meshagent.core.internal.agent;

import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentConfig;
import io.meshagent.spi.MeshAgentProvider;

/** Registers the core implementation with {@code MeshAgent.builder()}. */
public final class CoreMeshAgentProvider implements MeshAgentProvider {
  @Override
  public int priority() {
    return 0;
  }

  @Override
  public MeshAgent start(MeshAgentConfig config) {
    return CoreMeshAgent.start(config);
  }
}
