package io.meshagent.spi;

import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentConfig;

/** Starts agents; found through {@link java.util.ServiceLoader}. mesh-agent-core registers one. */
public interface MeshAgentProvider {
  /** The provider with the highest priority wins when several are on the class path. */
  int priority();

  /** Starts an agent for a validated configuration; returns without waiting for the network. */
  MeshAgent start(MeshAgentConfig config);
}
