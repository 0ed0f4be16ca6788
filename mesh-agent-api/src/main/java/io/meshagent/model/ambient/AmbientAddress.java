package io.meshagent.model.ambient;

/** One entry of istiod's WDS: a workload or a service. */
public sealed interface AmbientAddress permits Workload, MeshService {
  /** The entry's namespace. */
  String namespace();
}
