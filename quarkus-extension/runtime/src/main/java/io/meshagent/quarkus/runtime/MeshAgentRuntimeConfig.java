package io.meshagent.quarkus.runtime;

import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** mesh-agent settings under {@code quarkus.mesh-agent}; README documents each. */
@ConfigMapping(prefix = "quarkus.mesh-agent")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface MeshAgentRuntimeConfig {

  /**
   * Whether to read the environment the way istio-agent does (POD_NAME, ISTIO_META_*, ...) before
   * applying these settings.
   */
  @WithDefault("true")
  boolean fromEnvironment();

  /** The xDS source: file:<path>, <host>:<port>, plaintext://... or tls://... */
  Optional<String> xdsAddress();

  /** The workload's namespace. */
  Optional<String> namespace();

  /** The workload's service account. */
  Optional<String> serviceAccount();
}
