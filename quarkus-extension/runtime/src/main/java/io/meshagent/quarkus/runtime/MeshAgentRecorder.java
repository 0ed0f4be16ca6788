package io.meshagent.quarkus.runtime;

import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentBuilder;
import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.ShutdownContext;
import io.quarkus.runtime.annotations.Recorder;
import java.util.function.Supplier;

/** Starts the agent at runtime init and closes it at shutdown. */
@Recorder
public class MeshAgentRecorder {
  private final RuntimeValue<MeshAgentRuntimeConfig> config;

  public MeshAgentRecorder(RuntimeValue<MeshAgentRuntimeConfig> config) {
    this.config = config;
  }

  /** A supplier of the started agent, for the synthetic bean. */
  public Supplier<MeshAgent> start(ShutdownContext shutdown) {
    MeshAgentRuntimeConfig c = config.getValue();
    MeshAgentBuilder builder =
        c.fromEnvironment()
            ? MeshAgentBuilder.fromEnvironment(System.getenv())
            : MeshAgent.builder();
    c.xdsAddress().ifPresent(builder::xdsAddress);
    c.namespace().ifPresent(builder::namespace);
    c.serviceAccount().ifPresent(builder::serviceAccount);
    MeshAgent agent = builder.build();
    shutdown.addShutdownTask(agent::close);
    return () -> agent;
  }
}
