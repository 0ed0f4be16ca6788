package io.meshagent.quarkus.deployment;

import io.meshagent.MeshAgent;
import io.meshagent.quarkus.runtime.MeshAgentBuildTimeConfig;
import io.meshagent.quarkus.runtime.MeshAgentRecorder;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.ShutdownContextBuildItem;
import jakarta.inject.Singleton;

/** Build steps of the mesh-agent extension. */
class MeshAgentProcessor {
  private static final String FEATURE = "mesh-agent";

  @BuildStep
  FeatureBuildItem feature() {
    return new FeatureBuildItem(FEATURE);
  }

  /** The agent as a singleton bean, started at runtime init when enabled. */
  @BuildStep
  @Record(ExecutionTime.RUNTIME_INIT)
  SyntheticBeanBuildItem meshAgent(
      MeshAgentBuildTimeConfig buildConfig,
      MeshAgentRecorder recorder,
      ShutdownContextBuildItem shutdown) {
    if (!buildConfig.enabled()) {
      return null;
    }
    return SyntheticBeanBuildItem.configure(MeshAgent.class)
        .scope(Singleton.class)
        .unremovable()
        .setRuntimeInit()
        .supplier(recorder.start(shutdown))
        .done();
  }
}
