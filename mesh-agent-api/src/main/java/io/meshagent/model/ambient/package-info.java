/** Istio ambient resources: workloads, services and authorization policies. */
@NullMarked
@ExperimentalApi("the domain models grow with routing and data-plane features")
package io.meshagent.model.ambient;

import io.meshagent.ExperimentalApi;
import org.jspecify.annotations.NullMarked;
