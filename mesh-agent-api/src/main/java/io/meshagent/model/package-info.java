/** Immutable domain models of mesh configuration, converted once from xDS; no protobuf types. */
@NullMarked
@ExperimentalApi("the domain models grow with routing and data-plane features")
package io.meshagent.model;

import io.meshagent.ExperimentalApi;
import org.jspecify.annotations.NullMarked;
