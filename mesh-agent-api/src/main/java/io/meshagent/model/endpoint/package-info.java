/** Endpoints of clusters, by locality and priority. */
@NullMarked
@ExperimentalApi("the domain models grow with routing and data-plane features")
package io.meshagent.model.endpoint;

import io.meshagent.ExperimentalApi;
import org.jspecify.annotations.NullMarked;
