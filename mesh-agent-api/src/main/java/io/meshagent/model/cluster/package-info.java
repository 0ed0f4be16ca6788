/** Clusters: upstream groups, their discovery and balancing settings. */
@NullMarked
@ExperimentalApi("the domain models grow with routing and data-plane features")
package io.meshagent.model.cluster;

import io.meshagent.ExperimentalApi;
import org.jspecify.annotations.NullMarked;
