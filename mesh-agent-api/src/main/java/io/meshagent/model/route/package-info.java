/** Route configurations: virtual hosts, routes and their actions. */
@NullMarked
@ExperimentalApi("the domain models grow with routing and data-plane features")
package io.meshagent.model.route;

import io.meshagent.ExperimentalApi;
import org.jspecify.annotations.NullMarked;
