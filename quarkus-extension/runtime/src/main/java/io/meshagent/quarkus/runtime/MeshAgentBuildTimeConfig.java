package io.meshagent.quarkus.runtime;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Build-time settings under {@code quarkus.mesh-agent}. */
@ConfigMapping(prefix = "quarkus.mesh-agent")
@ConfigRoot(phase = ConfigPhase.BUILD_TIME)
public interface MeshAgentBuildTimeConfig {
  /** Whether the application gets a mesh agent. */
  @WithDefault("true")
  boolean enabled();
}
